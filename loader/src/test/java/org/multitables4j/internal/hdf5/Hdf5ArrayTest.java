package org.multitables4j.internal.hdf5;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jhdf.AbstractNode;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.object.message.DataLayout;
import io.jhdf.object.message.DataLayoutMessage;
import io.jhdf.object.message.Message;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.multitables4j.CorruptDataException;
import org.multitables4j.InvalidConfigurationException;
import org.multitables4j.MultitablesException;
import org.multitables4j.UnsupportedHdf5Exception;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The block reader ({@link Hdf5Array#readBlock}) and {@link ElementConverter} against the
 * h5py-written fixtures: every element of every block, as stored bytes (decoded here
 * independently of the library), and converted to DOUBLE, FLOAT and the native type, is compared
 * with the value formula of make_fixtures.py computed in {@link Fixtures}.
 */
class Hdf5ArrayTest {
    static final String FIX = "fixtures.h5";
    static final String LATEST = "index_latest.h5";
    static final String USERBLOCK = "userblock.h5";
    static final String PYTABLES = "pytables.h5";
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    static final ByteOrder BE = ByteOrder.BIG_ENDIAN;
    /** Leading bytes before the converted output, so that a converter ignoring dstOff is caught. */
    static final int PAD = 24;

    static final Map<String, Hdf5File> FILES = new java.util.concurrent.ConcurrentHashMap<>();
    static Hdf5File fixtures;

    @TempDir
    Path tmp;

    @BeforeAll
    static void open() {
        for (String name : new String[] {FIX, LATEST, USERBLOCK, PYTABLES}) {
            FILES.put(name, Hdf5File.open(Fixtures.resource(name)));
        }
        fixtures = FILES.get(FIX);
    }

    @AfterAll
    static void close() {
        FILES.values().forEach(Hdf5File::close);
        FILES.clear();
    }

    static Hdf5File file(String name) {
        return FILES.get(name);
    }

    /** Expected value of row r, flat element k (as a double). */
    interface Expect {
        double at(long r, long k);
    }

    /** What a dataset of the fixtures is, as make_fixtures.py wrote it. */
    record Spec(String file, String path, long[] shape, char kind, int size, ByteOrder order, DataLayout layout,
                int[] chunks, int[] filterIds) {
        Expect formula() {
            return (r, k) -> Fixtures.expected(kind, r, k);
        }

        @Override
        public String toString() {
            return file + ":" + path;
        }
    }

    static long[] shape(long... s) {
        return s;
    }

    static int[] ints(int... s) {
        return s;
    }

    static final int DEFLATE = 1;
    static final int SHUFFLE = 2;
    static final int FLETCHER = 3;
    static final int LZF = 32000;

    /** Every dataset that follows the value formula (LZF has its own test). */
    static List<Spec> specs() {
        List<Spec> l = new ArrayList<>();
        for (String t : new String[] {"f4", "f8", "i1", "i2", "i4", "i8", "u1", "u2", "u4"}) {
            for (String end : new String[] {"le", "be"}) {
                l.add(new Spec(FIX, "/dtypes/" + t + "_" + end, shape(300, 3, 5), t.charAt(0), t.charAt(1) - '0',
                        end.equals("le") ? LE : BE, DataLayout.CHUNKED, ints(64, 3, 5), ints(SHUFFLE, DEFLATE)));
            }
        }
        l.add(new Spec(FIX, "/dtypes/bool", shape(300, 7), 'b', 1, LE, DataLayout.CHUNKED, ints(64, 7), ints(DEFLATE)));
        l.add(new Spec(FIX, "/layout/contiguous", shape(1000, 16), 'f', 4, LE, DataLayout.CONTIGUOUS, null, ints()));
        l.add(new Spec(FIX, "/layout/contiguous_be", shape(777, 3), 'f', 8, BE, DataLayout.CONTIGUOUS, null, ints()));
        l.add(new Spec(FIX, "/layout/compact", shape(10, 4), 'i', 2, LE, DataLayout.COMPACT, null, ints()));
        l.add(new Spec(FIX, "/layout/chunked_nofilter", shape(500, 10), 'f', 4, LE, DataLayout.CHUNKED, ints(100, 10), ints()));
        l.add(new Spec(FIX, "/layout/chunked_inner", shape(200, 12, 6), 'f', 4, LE, DataLayout.CHUNKED, ints(50, 5, 4),
                ints(DEFLATE)));
        l.add(new Spec(FIX, "/layout/images", shape(120, 28, 28), 'u', 1, LE, DataLayout.CHUNKED, ints(32, 28, 28),
                ints(DEFLATE)));
        l.add(new Spec(FIX, "/layout/one_dim", shape(1000), 'i', 4, LE, DataLayout.CHUNKED, ints(128), ints()));
        Object[][] filters = {
            {"gzip", ints(DEFLATE)},
            {"shuffle_only", ints(SHUFFLE)},
            {"gzip_shuffle_fletcher", ints(SHUFFLE, DEFLATE, FLETCHER)},
            {"fletcher_only", ints(FLETCHER)},
            {"shuffle_fletcher", ints(SHUFFLE, FLETCHER)},
        };
        for (Object[] f : filters) {
            l.add(new Spec(FIX, "/filters/" + f[0], shape(1000, 8), 'f', 4, LE, DataLayout.CHUNKED, ints(100, 8), (int[]) f[1]));
        }
        l.add(new Spec(FIX, "/filters/masked", shape(400, 8), 'f', 4, LE, DataLayout.CHUNKED, ints(100, 8),
                ints(SHUFFLE, DEFLATE)));
        l.add(new Spec(FIX, "/filters/masked_fletcher", shape(400, 8), 'f', 4, LE, DataLayout.CHUNKED, ints(100, 8),
                ints(SHUFFLE, DEFLATE, FLETCHER)));
        l.add(new Spec(FIX, "/layout/resized", shape(250, 8), 'f', 4, LE, DataLayout.CHUNKED, ints(64, 8), ints(DEFLATE)));
        l.add(new Spec(FIX, "/layout/chunk_wider", shape(130, 3), 'f', 4, LE, DataLayout.CHUNKED, ints(64, 4), ints(DEFLATE)));
        l.add(new Spec(LATEST, "/fixed", shape(1000, 8), 'f', 4, LE, DataLayout.CHUNKED, ints(100, 8), ints(DEFLATE)));
        l.add(new Spec(LATEST, "/extensible", shape(1000, 8), 'f', 4, LE, DataLayout.CHUNKED, ints(100, 8), ints(DEFLATE)));
        l.add(new Spec(LATEST, "/btree2", shape(1000, 8), 'f', 4, LE, DataLayout.CHUNKED, ints(100, 4), ints()));
        l.add(new Spec(LATEST, "/single", shape(100, 8), 'f', 4, LE, DataLayout.CHUNKED, ints(100, 8), ints(DEFLATE)));
        l.add(new Spec(LATEST, "/single_nofilter", shape(100, 8), 'f', 4, LE, DataLayout.CHUNKED, ints(100, 8), ints()));
        l.add(new Spec(LATEST, "/implicit", shape(1000, 8), 'f', 4, LE, DataLayout.CHUNKED, ints(100, 8), ints()));
        l.add(new Spec(USERBLOCK, "/chunked", shape(300, 5), 'f', 4, LE, DataLayout.CHUNKED, ints(64, 5),
                ints(SHUFFLE, DEFLATE)));
        l.add(new Spec(USERBLOCK, "/contiguous", shape(200, 3), 'i', 4, BE, DataLayout.CONTIGUOUS, null, ints()));
        l.add(new Spec(USERBLOCK, "/compact", shape(10, 2), 'u', 2, LE, DataLayout.COMPACT, null, ints()));
        l.add(new Spec(PYTABLES, "/earray", shape(1000, 8), 'f', 4, LE, DataLayout.CHUNKED, ints(100, 8),
                ints(SHUFFLE, DEFLATE)));
        return l;
    }

    // ---------------------------------------------------------------------------------------------
    // independent decoding of stored bytes and of converter output

    static DataType nativeType(char kind, int size) {
        switch (kind) {
            case 'f':
                return size == 4 ? DataType.FLOAT : DataType.DOUBLE;
            case 'b':
                return DataType.BOOL;
            case 'i':
                return size == 1 ? DataType.BYTE : size == 2 ? DataType.SHORT : size == 4 ? DataType.INT : DataType.LONG;
            default:
                return size == 1 ? DataType.UBYTE : size == 2 ? DataType.UINT16 : size == 4 ? DataType.UINT32 : DataType.UINT64;
        }
    }

    static ElementType.Kind kindOf(char kind) {
        switch (kind) {
            case 'f':
                return ElementType.Kind.FLOAT;
            case 'i':
                return ElementType.Kind.INT;
            case 'u':
                return ElementType.Kind.UINT;
            default:
                return ElementType.Kind.BOOL;
        }
    }

    static double unsigned64(long v) {
        return new BigInteger(Long.toUnsignedString(v)).doubleValue();
    }

    /** One stored element, decoded from its bytes with the byte order the fixture was written in. */
    static double stored(ByteBuffer buf, int off, char kind, int size, ByteOrder order) {
        ByteBuffer b = buf.duplicate().order(order);
        switch (kind) {
            case 'f':
                return size == 4 ? b.getFloat(off) : b.getDouble(off);
            case 'b': {
                byte v = b.get(off);
                return v == 0 || v == 1 ? v : Double.NaN;
            }
            case 'i':
                return size == 1 ? b.get(off) : size == 2 ? b.getShort(off) : size == 4 ? b.getInt(off) : b.getLong(off);
            default:
                return size == 1 ? b.get(off) & 0xff : size == 2 ? b.getShort(off) & 0xffff
                        : size == 4 ? b.getInt(off) & 0xffffffffL : unsigned64(b.getLong(off));
        }
    }

    /** One converted element in native byte order. */
    static double converted(ByteBuffer dst, int off, DataType t) {
        ByteBuffer b = dst.duplicate().order(ByteOrder.nativeOrder());
        switch (t) {
            case DOUBLE:
                return b.getDouble(off);
            case FLOAT:
                return b.getFloat(off);
            case BOOL:
            case BYTE:
                return b.get(off);
            case SHORT:
                return b.getShort(off);
            case INT:
                return b.getInt(off);
            case LONG:
                return b.getLong(off);
            case UBYTE:
                return b.get(off) & 0xff;
            case UINT16:
                return b.getShort(off) & 0xffff;
            case UINT32:
                return b.getInt(off) & 0xffffffffL;
            case UINT64:
                return unsigned64(b.getLong(off));
            default:
                throw new IllegalArgumentException(t.toString());
        }
    }

    /** Collects mismatches (the first few in detail) so that one failure describes the whole pattern. */
    static final class Mismatches {
        final String what;
        long count;
        long checked;
        final List<String> first = new ArrayList<>();

        Mismatches(String what) {
            this.what = what;
        }

        void check(String stage, long r, long k, double want, double got) {
            checked++;
            if (Double.compare(want, got) != 0 && !(want == got)) {
                count++;
                if (first.size() < 6) {
                    first.add(stage + " row " + r + " element " + k + ": expected " + want + " got " + got);
                }
            }
        }

        void assertNone() {
            if (count > 0) {
                fail(what + ": " + count + " of " + checked + " values differ, e.g. " + String.join("; ", first));
            }
            assertTrue(checked > 0 || what.contains("empty"), what + ": nothing was checked");
        }
    }

    /** Fills a buffer with a pattern that decodes to none of the fixtures' values. */
    static void poison(ByteBuffer out) {
        for (int i = 0; i < out.capacity(); i++) {
            out.put(i, (byte) 0xA5);
        }
    }

    /**
     * Reads one block, checks its stored bytes and its conversion to DOUBLE, FLOAT and the native
     * type against the expectation.
     */
    static void checkBlock(Hdf5Array a, int block, char kind, int size, ByteOrder order, Expect want, BlockDecoder dec,
                           ByteBuffer out, Mismatches mm) {
        poison(out);
        a.readBlock(block, dec, out);
        int n = a.rowsInBlock(block);
        long perRow = a.rowElements();
        long r0 = (long) block * a.blockRows();
        long total = n * perRow;
        for (long i = 0; i < total; i++) {
            long r = r0 + i / perRow;
            long k = i % perRow;
            mm.check("stored", r, k, want.at(r, k), stored(out, (int) (i * size), kind, size, order));
        }
        for (DataType t : new DataType[] {DataType.DOUBLE, DataType.FLOAT, nativeType(kind, size)}) {
            int w = t.width();
            ByteBuffer dst = ByteBuffer.allocateDirect(PAD + (int) total * w).order(ByteOrder.nativeOrder());
            for (int i = 0; i < n; i++) {
                // row by row, at non-zero source and destination offsets
                ElementConverter.convert(out, i * a.rowBytes(), a.elementType(), dst, PAD + (int) (i * perRow * w), t,
                        (int) perRow);
            }
            for (long i = 0; i < total; i++) {
                long r = r0 + i / perRow;
                long k = i % perRow;
                double e = want.at(r, k);
                if (t == DataType.FLOAT) {
                    e = (float) e;
                }
                mm.check("as " + t, r, k, e, converted(dst, PAD + (int) (i * w), t));
            }
        }
    }

    /** Reads every block of a dataset (in the given order) and checks all of it. */
    static void checkArray(Hdf5Array a, char kind, int size, ByteOrder order, Expect want, BlockDecoder dec,
                           boolean reverse, boolean directOut) {
        Mismatches mm = new Mismatches(a.file().path().getFileName() + ":" + a.path());
        ByteBuffer out = directOut ? ByteBuffer.allocateDirect(a.blockBytes()) : ByteBuffer.allocate(a.blockBytes());
        long rows = 0;
        for (int i = 0; i < a.blockCount(); i++) {
            int block = reverse ? a.blockCount() - 1 - i : i;
            checkBlock(a, block, kind, size, order, want, dec, out, mm);
            rows += a.rowsInBlock(block);
        }
        assertEquals(a.rows(), rows, a.path() + ": rows over all blocks");
        mm.assertNone();
    }

    static List<Integer> filterIds(Hdf5Array a) {
        Matcher m = Pattern.compile("\\((\\d+)\\)").matcher(a.describeFilters());
        List<Integer> ids = new ArrayList<>();
        while (m.find()) {
            ids.add(Integer.parseInt(m.group(1)));
        }
        return ids;
    }

    // ---------------------------------------------------------------------------------------------
    // values

    @ParameterizedTest(name = "{0}")
    @MethodSource("specs")
    void describesTheDataset(Spec s) {
        Hdf5Array a = file(s.file()).array(s.path());
        long perRow = 1;
        for (int d = 1; d < s.shape().length; d++) {
            perRow *= s.shape()[d];
        }
        long[] rowShape = Arrays.copyOfRange(s.shape(), 1, s.shape().length);
        List<Integer> wantFilters = new ArrayList<>();
        for (int id : s.filterIds()) {
            wantFilters.add(id);
        }
        final long pr = perRow;
        assertAll(s.path(),
            () -> assertArrayEquals(s.shape(), a.shape(), "shape"),
            () -> assertEquals(s.shape()[0], a.rows(), "rows"),
            () -> assertArrayEquals(rowShape, a.rowShape(), "rowShape"),
            () -> assertEquals(pr, a.rowElements(), "rowElements"),
            () -> assertEquals(pr * s.size(), a.rowBytes(), "rowBytes"),
            () -> assertEquals(kindOf(s.kind()), a.elementType().kind(), "kind"),
            () -> assertEquals(s.size(), a.elementType().size(), "size"),
            () -> {
                if (s.size() > 1) {
                    assertEquals(s.order(), a.elementType().byteOrder(), "byte order");
                }
            },
            () -> assertEquals(nativeType(s.kind(), s.size()), a.elementType().nativeDataType(), "native type"),
            () -> assertEquals(s.layout(), a.layout(), "layout"),
            () -> assertArrayEquals(s.chunks(), a.chunkShape(), "chunk shape"),
            () -> assertEquals(wantFilters, filterIds(a), "filters " + a.describeFilters()),
            () -> assertTrue(a.ownDecodePath(), "own decode path"),
            () -> {
                if (s.chunks() != null) {
                    assertEquals(s.chunks()[0], a.blockRows(), "blockRows of a chunked dataset");
                } else if (s.layout() == DataLayout.COMPACT) {
                    assertEquals(s.shape()[0], a.blockRows(), "a compact dataset is one block");
                }
            },
            () -> assertEquals((s.shape()[0] + a.blockRows() - 1) / a.blockRows(), a.blockCount(), "blockCount"),
            () -> assertEquals((long) a.blockRows() * a.rowBytes(), a.blockBytes(), "blockBytes"),
            () -> {
                long sum = 0;
                for (int b = 0; b < a.blockCount(); b++) {
                    int n = a.rowsInBlock(b);
                    assertTrue(n > 0 && n <= a.blockRows(), "rowsInBlock(" + b + ") = " + n);
                    sum += n;
                }
                assertEquals(s.shape()[0], sum, "sum of rowsInBlock");
            },
            () -> {
                for (DataType t : new DataType[] {DataType.FLOAT, DataType.DOUBLE, nativeType(s.kind(), s.size())}) {
                    assertTrue(ElementConverter.supports(a.elementType(), t), a.elementType() + " -> " + t);
                }
            });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specs")
    void everyBlockMatchesTheFormula(Spec s) {
        Hdf5Array a = file(s.file()).array(s.path());
        try (BlockDecoder dec = new BlockDecoder()) {
            checkArray(a, s.kind(), s.size(), s.order(), s.formula(), dec, false, false);
        }
    }

    /** One decoder for everything, blocks in reverse order, direct output buffers: no state leaks between reads. */
    @Test
    void oneDecoderForAllDatasetsInReverseOrder() {
        try (BlockDecoder dec = new BlockDecoder()) {
            List<Spec> specs = specs();
            for (int i = specs.size() - 1; i >= 0; i--) {
                Spec s = specs.get(i);
                checkArray(file(s.file()).array(s.path()), s.kind(), s.size(), s.order(), s.formula(), dec, true, true);
            }
        }
    }

    /** Hdf5Array is shared by worker threads, each with its own BlockDecoder. */
    @Test
    void concurrentReadersSeeTheSameValues() throws Exception {
        List<Spec> specs = specs();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                final int shift = t;
                fs.add(pool.submit(() -> {
                    try (BlockDecoder dec = new BlockDecoder()) {
                        for (int i = 0; i < specs.size(); i++) {
                            Spec s = specs.get((i + shift * 7) % specs.size());
                            checkArray(file(s.file()).array(s.path()), s.kind(), s.size(), s.order(), s.formula(), dec,
                                    shift % 2 == 1, shift % 3 == 0);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            // never interrupt the readers: an interrupt closes the shared FileChannel for every thread
            pool.shutdown();
            assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));
        }
    }

    /** The index_latest.h5 datasets really use the chunk index types they are meant to cover. */
    @Test
    void latestFormatFixturesUseEveryChunkIndexType() throws Exception {
        Object[][] want = {
            {"/single", DataLayoutMessage.ChunkedDataLayoutMessageV4.SINGLE_CHUNK_INDEX},
            {"/single_nofilter", DataLayoutMessage.ChunkedDataLayoutMessageV4.SINGLE_CHUNK_INDEX},
            {"/implicit", DataLayoutMessage.ChunkedDataLayoutMessageV4.IMPLICIT_INDEX},
            {"/fixed", DataLayoutMessage.ChunkedDataLayoutMessageV4.FIXED_ARRAY_INDEX},
            {"/extensible", DataLayoutMessage.ChunkedDataLayoutMessageV4.EXTENSIBLE_ARRAY_INDEX},
            {"/btree2", DataLayoutMessage.ChunkedDataLayoutMessageV4.B_TREE_V2_INDEX},
        };
        try (HdfFile hdf = new HdfFile(Fixtures.resource(LATEST))) {
            for (Object[] w : want) {
                DataLayoutMessage.ChunkedDataLayoutMessageV4 m = layoutMessage(hdf.getDatasetByPath((String) w[0]),
                        DataLayoutMessage.ChunkedDataLayoutMessageV4.class);
                assertNotNull(m, w[0] + " has a version 4 layout message");
                assertEquals((byte) w[1], m.getIndexingType(), w[0] + " indexing type");
            }
        }
        try (HdfFile hdf = new HdfFile(Fixtures.resource(FIX))) {
            // the default (earliest) format indexes chunks with a version 1 B-tree
            assertNotNull(layoutMessage(hdf.getDatasetByPath("/filters/gzip"), DataLayoutMessage.ChunkedDataLayoutMessage.class));
        }
    }

    static <T extends Message> T layoutMessage(Dataset ds, Class<T> type) {
        for (Message m : ((AbstractNode) ds).getHeader().getMessages()) {
            if (m.getClass() == type) {
                return type.cast(m);
            }
        }
        return null;
    }

    @Test
    void labels() {
        try (BlockDecoder dec = new BlockDecoder()) {
            checkArray(fixtures.array("/labels/y_int"), 'i', 8, LE, (r, k) -> r % 10, dec, false, false);
            checkArray(fixtures.array("/labels/y_float"), 'f', 4, LE, (r, k) -> k == 0 ? r % 7 : r % 3, dec, false, true);
            Hdf5Array s = fixtures.array("/labels/y_short");
            assertEquals(999, s.rows());
            checkArray(s, 'i', 8, LE, (r, k) -> r % 10, dec, true, false);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // fill values of never-written chunks

    static Expect withFill(Expect formula, double fill, java.util.function.BiPredicate<Long, Long> written) {
        return (r, k) -> written.test(r, k) ? formula.at(r, k) : fill;
    }

    @Test
    void neverWrittenChunksReadAsTheFillValue() {
        try (BlockDecoder dec = new BlockDecoder()) {
            checkArray(fixtures.array("/fill/partial_f4"), 'f', 4, LE,
                    withFill((r, k) -> Fixtures.expected('f', r, k), -7.5, (r, k) -> r < 128 || r >= 512 && r < 576),
                    dec, false, false);
            checkArray(fixtures.array("/fill/partial_i4"), 'i', 4, LE,
                    withFill((r, k) -> Fixtures.expected('i', r, k), 42, (r, k) -> r < 128 || r >= 512 && r < 576),
                    dec, true, true);
        }
    }

    @Test
    void bigEndianFillValue() {
        Hdf5Array a = fixtures.array("/fill/partial_be_f8");
        assertArrayEquals(ByteBuffer.allocate(8).order(BE).putDouble(1.25).array(), a.fillValue(),
                "fill value bytes in the stored (big-endian) order");
        try (BlockDecoder dec = new BlockDecoder()) {
            // rows [192, 200) share an allocated chunk with written rows: HDF5 stored the fill value there
            checkArray(a, 'f', 8, BE,
                    withFill((r, k) -> Fixtures.expected('f', r, k), 1.25, (r, k) -> r >= 32 && r < 64 || r >= 200),
                    dec, false, false);
        }
    }

    @Test
    void missingInnerChunksReadAsTheFillValue() {
        // [200, 12, 6] in chunks (50, 5, 4); written: [0:50, 0:5, 0:6] and [100:200, 5:12, 0:4]
        Hdf5Array a = fixtures.array("/fill/partial_inner");
        assertArrayEquals(new int[] {50, 5, 4}, a.chunkShape());
        try (BlockDecoder dec = new BlockDecoder()) {
            checkArray(a, 'f', 4, LE, withFill((r, k) -> Fixtures.expected('f', r, k), 3.25, (r, k) -> {
                long j = k / 6;
                long l = k % 6;
                return r < 50 && j < 5 || r >= 100 && j >= 5 && l < 4;
            }), dec, false, false);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // edge cases

    @Test
    void emptyDatasetsHaveNoBlocks() {
        for (String p : new String[] {"/edge/empty_chunked", "/edge/empty_contiguous"}) {
            Hdf5Array a = fixtures.array(p);
            assertEquals(0, a.rows(), p);
            assertArrayEquals(new long[] {4}, a.rowShape(), p);
            assertEquals(0, a.blockCount(), p);
        }
    }

    @Test
    void neverWrittenContiguousDatasetReadsAsTheFillValue() {
        Hdf5Array a = fixtures.array("/edge/unwritten_contiguous");
        assertEquals(DataLayout.CONTIGUOUS, a.layout());
        assertFalse(a.rowReadable(), "no storage allocated");
        try (BlockDecoder dec = new BlockDecoder()) {
            checkArray(a, 'i', 2, LE, (r, k) -> -5, dec, false, false);
        }
    }

    @Test
    void unsigned64AboveLongMax() {
        // [[0, 2^53], [2^63, 2^64 - 1], [2^63 + 1025, 2^53 + 1]] as <u8
        Hdf5Array a = fixtures.array("/edge/u8_big");
        BigInteger two = BigInteger.TWO;
        BigInteger[] values = {BigInteger.ZERO, two.pow(53), two.pow(63), two.pow(64).subtract(BigInteger.ONE),
            two.pow(63).add(BigInteger.valueOf(1025)), two.pow(53).add(BigInteger.ONE)};
        assertArrayEquals(new long[] {3, 2}, a.shape());
        assertEquals(new ElementType(ElementType.Kind.UINT, 8, LE), a.elementType());
        ByteBuffer out = ByteBuffer.allocate(a.blockBytes());
        try (BlockDecoder dec = new BlockDecoder()) {
            a.readBlock(0, dec, out);
        }
        for (int i = 0; i < values.length; i++) {
            assertEquals(values[i].longValue(), out.order(LE).getLong(8 * i), "stored bytes of element " + i);
        }
        List<org.junit.jupiter.api.function.Executable> checks = new ArrayList<>();
        for (DataType t : new DataType[] {DataType.DOUBLE, DataType.FLOAT, DataType.UINT64}) {
            ByteBuffer dst = ByteBuffer.allocate(values.length * t.width()).order(ByteOrder.nativeOrder());
            ElementConverter.convert(out, 0, a.elementType(), dst, 0, t, values.length);
            for (int i = 0; i < values.length; i++) {
                // correctly rounded (BigInteger rounds to nearest, ties to even)
                double e = t == DataType.FLOAT ? values[i].floatValue() : values[i].doubleValue();
                double got = converted(dst, i * t.width(), t);
                String what = "u8 " + values[i] + " as " + t;
                checks.add(() -> assertEquals(e, got, what));
            }
        }
        assertAll("/edge/u8_big", checks);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/edge/scalar", "/edge/strings", "/edge/compound"})
    void unsupportedTypesFailClearly(String path) {
        UnsupportedHdf5Exception e = assertThrows(UnsupportedHdf5Exception.class, () -> fixtures.array(path));
        assertTrue(e.getMessage().contains(path) && e.getMessage().contains(FIX), e.getMessage());
    }

    /** LZF (h5py's filter 32000) is decoded by the own pipeline (compress-lzf), values as the formula. */
    @Test
    void lzfIsDecodedByTheOwnPipeline() {
        Hdf5Array a = fixtures.array("/filters/lzf");
        assertTrue(a.ownDecodePath(), a.describeFilters());
        assertEquals(List.of(LZF), filterIds(a), a.describeFilters());
        try (BlockDecoder dec = new BlockDecoder()) {
            checkArray(a, 'f', 4, LE, (r, k) -> Fixtures.expected('f', r, k), dec, false, false);
        }
    }

    @Test
    void pytablesTablesFailClearly() {
        String path = "/table";
        UnsupportedHdf5Exception e = assertThrows(UnsupportedHdf5Exception.class, () -> file(PYTABLES).array(path));
        String m = e.getMessage();
        assertTrue(m.contains("'" + path + "'") && m.contains(PYTABLES), m);
    }

    @Test
    void pytablesBloscDecodes() {
        assertTrue(file(PYTABLES).array("/blosc").ownDecodePath());
        FixtureValuesTest.checkAll(FixtureValuesTest.resource(PYTABLES), "/blosc", org.nd4j.linalg.api.buffer.DataType.DOUBLE,
                org.multitables4j.Order.ORDERED, 2);
    }

    @Test
    void userBlockFileReadsRows() {
        Hdf5Array a = file(USERBLOCK).array("/contiguous");
        ByteBuffer dst = ByteBuffer.allocate(3 * a.rowBytes());
        a.readRows(100, 3, dst);
        Mismatches mm = new Mismatches("userblock.h5:/contiguous rows [100, 103)");
        for (int i = 0; i < 9; i++) {
            mm.check("readRows", 100 + i / 3, i % 3, Fixtures.expected('i', 100 + i / 3, i % 3), stored(dst, 4 * i, 'i', 4, BE));
        }
        mm.assertNone();
    }

    // ---------------------------------------------------------------------------------------------
    // contiguous row reads, bounds

    @Test
    void readRowsOfContiguousData() {
        Hdf5Array a = fixtures.array("/layout/contiguous");
        assertTrue(a.rowReadable());
        ByteBuffer dst = ByteBuffer.allocate(12 + 100 * a.rowBytes());
        dst.position(12);
        a.readRows(37, 100, dst);
        assertEquals(12 + 100 * a.rowBytes(), dst.position(), "position advances by the bytes read");
        Mismatches mm = new Mismatches("/layout/contiguous rows [37, 137)");
        for (int i = 0; i < 100 * 16; i++) {
            long r = 37 + i / 16;
            long k = i % 16;
            mm.check("readRows", r, k, Fixtures.expected('f', r, k), stored(dst, 12 + 4 * i, 'f', 4, LE));
        }
        Hdf5Array be = fixtures.array("/layout/contiguous_be");
        ByteBuffer d2 = ByteBuffer.allocate(be.rowBytes());
        be.readRows(776, 1, d2);
        for (int k = 0; k < 3; k++) {
            mm.check("readRows", 776, k, Fixtures.expected('f', 776, k), stored(d2, 8 * k, 'f', 8, BE));
        }
        mm.assertNone();
        assertThrows(IndexOutOfBoundsException.class, () -> be.readRows(776, 2, ByteBuffer.allocate(2 * be.rowBytes())));
        assertThrows(IllegalStateException.class, () -> fixtures.array("/filters/gzip").readRows(0, 1, ByteBuffer.allocate(32)));
    }

    @Test
    void blockIndexOutOfRange() {
        Hdf5Array a = fixtures.array("/filters/gzip");
        ByteBuffer out = ByteBuffer.allocate(a.blockBytes());
        try (BlockDecoder dec = new BlockDecoder()) {
            assertThrows(IndexOutOfBoundsException.class, () -> a.readBlock(-1, dec, out));
            assertThrows(IndexOutOfBoundsException.class, () -> a.readBlock(a.blockCount(), dec, out));
        }
    }

    // ---------------------------------------------------------------------------------------------
    // errors

    @Test
    void missingFile() {
        Path missing = tmp.resolve("no-such-file.h5");
        MultitablesException e = assertThrows(MultitablesException.class, () -> Hdf5File.open(missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        MultitablesException d = assertThrows(MultitablesException.class, () -> Hdf5File.open(tmp));
        assertTrue(d.getMessage().contains(tmp.toString()), d.getMessage());
    }

    @Test
    void notAnHdf5File() throws IOException {
        Path json = Fixtures.resource("chunks.json");
        MultitablesException e = assertThrows(MultitablesException.class, () -> Hdf5File.open(json));
        assertTrue(e instanceof CorruptDataException, e.toString());
        assertTrue(e.getMessage().contains(json.toString()), e.getMessage());
        Path empty = Files.createFile(tmp.resolve("empty.h5"));
        MultitablesException z = assertThrows(MultitablesException.class, () -> Hdf5File.open(empty));
        assertTrue(z.getMessage().contains(empty.toString()), z.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/dtypes/nope", "/nope/deeper/x", "/dtypes/f4_le/below"})
    void missingDataset(String path) {
        MultitablesException e = assertThrows(MultitablesException.class, () -> fixtures.array(path));
        assertTrue(e instanceof InvalidConfigurationException, e.toString());
        assertTrue(e.getMessage().contains(path), e.getMessage());
        assertTrue(e.getMessage().contains(fixtures.path().toString()), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/dtypes", "/layout", "/"})
    void groupIsNotADataset(String path) {
        MultitablesException e = assertThrows(MultitablesException.class, () -> fixtures.array(path));
        assertTrue(e instanceof InvalidConfigurationException, e.toString());
        assertTrue(e.getMessage().contains("'" + path + "'"), e.getMessage());
        assertTrue(e.getMessage().contains(fixtures.path().toString()), e.getMessage());
    }

    // ---------------------------------------------------------------------------------------------
    // corruption

    static Fixtures.ChunkInfo chunkAtRow(String path, long row) {
        for (Fixtures.ChunkInfo c : Fixtures.chunkTable().get(FIX).get(path)) {
            if (c.offset()[0] == row) {
                return c;
            }
        }
        throw new IllegalStateException("no chunk at row " + row + " of " + path + " in chunks.json");
    }

    Path corruptCopy(long at) throws IOException {
        Path copy = tmp.resolve("corrupt-" + at + ".h5");
        byte[] all = Files.readAllBytes(Fixtures.resource(FIX));
        all[(int) at] ^= 0x5A;
        Files.write(copy, all);
        return copy;
    }

    /** chunks.json matches fixtures.h5: the uncompressed fletcher_only chunk of rows [300, 400) holds those rows. */
    @Test
    void chunkTableMatchesTheFile() throws IOException {
        Map<String, List<Fixtures.ChunkInfo>> t = Fixtures.chunkTable().get(FIX);
        assertEquals(10, t.get("/filters/fletcher_only").size());
        Fixtures.ChunkInfo c = chunkAtRow("/filters/fletcher_only", 300);
        assertEquals(100 * 8 * 4 + 4, c.size(), "800 floats and a checksum");
        byte[] all = Files.readAllBytes(Fixtures.resource(FIX));
        ByteBuffer b = ByteBuffer.wrap(all, (int) c.address(), c.size()).slice();
        for (int i = 0; i < 800; i++) {
            assertEquals(Fixtures.expected('f', 300 + i / 8, i % 8), stored(b, 4 * i, 'f', 4, LE), "element " + i);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/filters/fletcher_only", "/filters/shuffle_fletcher", "/filters/gzip_shuffle_fletcher"})
    void fletcher32CatchesAFlippedByte(String path) throws IOException {
        Fixtures.ChunkInfo c = chunkAtRow(path, 300);
        for (long at : new long[] {c.address() + c.size() / 2, c.address() + c.size() - 1}) {
            Path copy = corruptCopy(at);
            try (Hdf5File f = Hdf5File.open(copy); BlockDecoder dec = new BlockDecoder()) {
                Hdf5Array a = f.array(path);
                ByteBuffer out = ByteBuffer.allocate(a.blockBytes());
                CorruptDataException e = assertThrows(CorruptDataException.class, () -> a.readBlock(3, dec, out),
                        path + " byte " + at + " flipped");
                String m = e.getMessage();
                assertTrue(m.contains(path), m);
                assertTrue(m.contains(copy.toString()), m);
                assertTrue(m.contains("300"), "names the chunk's rows: " + m);
                // the other chunks are intact and still read correctly, with the same decoder
                Mismatches mm = new Mismatches(path + " after the corrupt chunk");
                for (int b : new int[] {2, 4, 9, 0}) {
                    checkBlock(a, b, 'f', 4, LE, (r, k) -> Fixtures.expected('f', r, k), dec, out, mm);
                }
                mm.assertNone();
            }
        }
    }

    @Test
    void corruptDeflateStreamIsDetected() throws IOException {
        String path = "/filters/gzip";
        Fixtures.ChunkInfo c = chunkAtRow(path, 300);
        Path copy = corruptCopy(c.address() + c.size() / 2);
        try (Hdf5File f = Hdf5File.open(copy); BlockDecoder dec = new BlockDecoder()) {
            Hdf5Array a = f.array(path);
            CorruptDataException e = assertThrows(CorruptDataException.class,
                    () -> a.readBlock(3, dec, ByteBuffer.allocate(a.blockBytes())));
            assertTrue(e.getMessage().contains(path) && e.getMessage().contains(copy.toString()), e.getMessage());
        }
    }

    /** A truncated file: every failure is a MultitablesException, and whatever reads, reads correctly. */
    @ParameterizedTest
    @ValueSource(doubles = {0.3, 0.75, 0.99})
    void truncatedFile(double keep) throws IOException {
        byte[] all = Files.readAllBytes(Fixtures.resource(FIX));
        Path copy = tmp.resolve("truncated.h5");
        Files.write(copy, Arrays.copyOf(all, (int) (all.length * keep)));
        Hdf5File f;
        try {
            f = Hdf5File.open(copy);
        } catch (MultitablesException e) {
            assertTrue(e.getMessage().contains(copy.toString()), e.getMessage());
            return;
        }
        int failed = 0;
        int read = 0;
        try (f; BlockDecoder dec = new BlockDecoder()) {
            for (Spec s : specs()) {
                if (!s.file().equals(FIX)) {
                    continue;
                }
                try {
                    Hdf5Array a = f.array(s.path());
                    checkArray(a, s.kind(), s.size(), s.order(), s.formula(), dec, false, false);
                    read++;
                } catch (MultitablesException e) {
                    failed++;
                    assertTrue(e.getMessage().contains(s.path()) || e.getMessage().contains(copy.toString()), e.getMessage());
                }
            }
        }
        assertTrue(keep < 0.9 ? failed > 0 : read > 0, "read " + read + ", failed " + failed);
    }
}
