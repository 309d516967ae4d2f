package org.multitables4j.internal.hdf5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.multitables4j.CorruptDataException;
import org.multitables4j.Hdf5DataSetIterator;
import org.multitables4j.MultitablesException;
import org.multitables4j.Order;
import org.multitables4j.reader.Hdf5Reader;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;

/**
 * filters_h5py.h5 (make_filter_fixtures3.py): datasets written through h5py by the HDF5 C library
 * with h5py's LZF filter (incompressible chunks skipped with their filter mask bit, shuffle and
 * fletcher32, big-endian), bitshuffle by its real plugin (LZ4 and none), zstd 32015 chunks made by
 * the zstd tool, and big-endian float64 through the blosc, LZ4 and bzip2 plugins. Each dataset is
 * compared with the same values stored without a filter by h5py under /expected, and those that
 * follow the fixture formula also with the formula.
 */
class H5pyFiltersTest {
    static final String FILE = "filters_h5py.h5";
    /** Datasets holding the fixture formula everywhere. */
    static final String[] FORMULA = {"lzf_shuffle_fletcher_f4", "lzf_be_f8", "bshuf_lz4_f4", "bshuf_lz4_f4_b64",
        "bshuf_lz4_i2", "bshuf_lz4_be_f8", "bshuf_lz4_multiblock_f4", "bshuf_none_f4", "bshuf_none_default_i2",
        "bshuf_zstd_f4", "zstd_f4", "zstd_be_i8", "zstd_shuffle_f8", "blosc_lz4_shuffle_be_f8",
        "blosc_zstd_bitshuffle_be_f8", "lz4_be_f8", "bzip2_be_f8"};
    /** Datasets with random chunks (none, some or all of them stored with a skipped filter). */
    static final String[] NOISY = {"lzf_random_f4", "lzf_mixed_f4", "lzf_shuffle_fletcher_i4", "lzf_fletcher_f4",
        "lzf_be_mixed_i8", "bshuf_lz4_random_f4", "zstd_masked_f4"};

    @TempDir
    Path tmp;

    static Path file() {
        return FixtureValuesTest.resource(FILE);
    }

    static List<String> all() {
        List<String> names = new java.util.ArrayList<>(Arrays.asList(FORMULA));
        names.addAll(Arrays.asList(NOISY));
        return names;
    }

    @ParameterizedTest
    @ValueSource(strings = {"lzf_random_f4", "lzf_mixed_f4", "lzf_shuffle_fletcher_i4", "lzf_shuffle_fletcher_f4",
        "lzf_fletcher_f4", "lzf_be_f8", "lzf_be_mixed_i8", "bshuf_lz4_f4", "bshuf_lz4_f4_b64", "bshuf_lz4_i2",
        "bshuf_lz4_be_f8", "bshuf_lz4_random_f4", "bshuf_lz4_multiblock_f4", "bshuf_none_f4", "bshuf_none_default_i2",
        "bshuf_zstd_f4", "zstd_f4", "zstd_be_i8", "zstd_shuffle_f8", "zstd_masked_f4", "blosc_lz4_shuffle_be_f8",
        "blosc_zstd_bitshuffle_be_f8", "lz4_be_f8", "bzip2_be_f8"})
    void equalsTheUncompressedCopyThroughTheOwnPipeline(String name) {
        try (Hdf5File f = Hdf5File.open(file())) {
            Hdf5Array a = f.array("/" + name);
            assertTrue(a.ownDecodePath(), name + " " + a.describeFilters());
            assertTrue(a.filtered(), name);
            Hdf5Array copy = f.array("/expected/" + name);
            assertTrue(!copy.filtered(), "the copy has no filter");
            assertEquals(copy.elementType(), a.elementType(), name);
            ByteOrder order = name.contains("_be") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
            if (a.elementType().size() > 1) {
                assertEquals(order, a.elementType().byteOrder(), name);
            }
        }
        try (Hdf5Reader reader = Hdf5Reader.open(file(), 2)) {
            double[] want = MoreFiltersTest.all(reader, "/expected/" + name);
            double[] got = MoreFiltersTest.all(reader, "/" + name);
            assertArrayEquals(want, got, name);
            assertTrue(Arrays.stream(want).distinct().count() > 10, name + ": the values vary");
        }
    }

    /** The formula datasets also equal the formula, read by the iterator in batches across chunks. */
    @ParameterizedTest
    @ValueSource(strings = {"lzf_shuffle_fletcher_f4", "lzf_be_f8", "bshuf_lz4_f4", "bshuf_lz4_f4_b64",
        "bshuf_lz4_i2", "bshuf_lz4_be_f8", "bshuf_lz4_multiblock_f4", "bshuf_none_f4", "bshuf_none_default_i2",
        "bshuf_zstd_f4", "zstd_f4", "zstd_be_i8", "zstd_shuffle_f8", "blosc_lz4_shuffle_be_f8",
        "blosc_zstd_bitshuffle_be_f8", "lz4_be_f8", "bzip2_be_f8"})
    void formulaDatasetsEqualTheFormula(String name) {
        FixtureValuesTest.checkAll(file(), "/" + name, DataType.DOUBLE, Order.ORDERED, 2);
    }

    @Test
    void theListsCoverEveryDatasetOfTheFile() {
        assertEquals(FORMULA.length + NOISY.length, new HashSet<>(all()).size());
    }

    /** The fixtures really hold skipped filters, which jhdf's pipeline refuses and ours honours. */
    @Test
    void skippedFiltersAreInTheFixturesAndRead() {
        try (Hdf5File f = Hdf5File.open(file())) {
            assertEquals(Set.of(1), masks(f.array("/lzf_random_f4")), "every LZF chunk skipped");
            assertEquals(Set.of(0, 1), masks(f.array("/lzf_mixed_f4")));
            assertEquals(Set.of(0, 1), masks(f.array("/lzf_fletcher_f4")));
            // shuffle(0), lzf(1), fletcher32(2): LZF skipped, the checksum still there
            assertEquals(Set.of(0, 2), masks(f.array("/lzf_shuffle_fletcher_i4")));
            assertEquals(Set.of(0, 2), masks(f.array("/lzf_be_mixed_i8")));
            assertEquals(Set.of(0, 1), masks(f.array("/zstd_masked_f4")));
            assertEquals(Set.of(0), masks(f.array("/lzf_shuffle_fletcher_f4")));
        }
    }

    private static Set<Integer> masks(Hdf5Array a) {
        Set<Integer> s = new HashSet<>();
        for (int c = 0; c < a.chunkCount(); c++) {
            s.add(a.chunkFilterMask(c));
        }
        return s;
    }

    /** A damaged byte in an LZF chunk under fletcher32 (compressed or skipped) fails naming the chunk. */
    @ParameterizedTest
    @ValueSource(strings = {"lzf_shuffle_fletcher_f4", "lzf_shuffle_fletcher_i4", "lzf_fletcher_f4"})
    void fletcher32IsVerifiedOnLzfChunks(String name) throws IOException {
        long[] addr;
        int[] size;
        int[] mask;
        try (Hdf5File f = Hdf5File.open(file())) {
            Hdf5Array a = f.array("/" + name);
            addr = new long[a.chunkCount()];
            size = new int[a.chunkCount()];
            mask = new int[a.chunkCount()];
            for (int c = 0; c < a.chunkCount(); c++) {
                addr[c] = a.chunkAddress(c);
                size[c] = a.chunkStoredSize(c);
                mask[c] = a.chunkFilterMask(c);
            }
        }
        byte[] clean = Files.readAllBytes(file());
        // one compressed chunk and, where there is one, one with LZF skipped
        Set<Integer> kinds = new HashSet<>();
        for (int c = 0; c < addr.length; c++) {
            if (!kinds.add(mask[c])) {
                continue;
            }
            byte[] b = clean.clone();
            b[(int) addr[c] + size[c] / 3] ^= 0x21;
            Path p = tmp.resolve("damaged-" + name + "-" + c + ".h5");
            Files.write(p, b);
            try (Hdf5Reader reader = Hdf5Reader.open(p, 1)) {
                CorruptDataException e = assertThrows(CorruptDataException.class, () -> MoreFiltersTest.all(reader, "/" + name));
                assertTrue(e.getMessage().contains("/" + name) && e.getMessage().contains(p.getFileName().toString())
                        && e.getMessage().contains("fletcher32"), e.getMessage());
            }
        }
        assertEquals(name.equals("lzf_shuffle_fletcher_f4") ? 1 : 2, kinds.size(), "compressed and skipped chunks damaged");
    }

    /** Random damage anywhere in the chunk data gives a MultitablesException naming the file, or values. */
    @Test
    void damagedChunksFailAsCorruptDataNeverOtherwise() throws IOException {
        byte[] clean = Files.readAllBytes(file());
        Random rnd = new Random(7);
        int corrupt = 0;
        for (int round = 0; round < 12; round++) {
            byte[] b = clean.clone();
            for (int k = 0; k < 60; k++) {
                int at = clean.length / 3 + rnd.nextInt(clean.length - clean.length / 3);
                b[at] ^= (byte) (1 + rnd.nextInt(255));
            }
            Path p = tmp.resolve("damaged-" + round + ".h5");
            Files.write(p, b);
            for (String name : all()) {
                try (Hdf5Reader reader = Hdf5Reader.open(p, 1)) {
                    MoreFiltersTest.all(reader, "/" + name);
                } catch (MultitablesException e) {
                    corrupt++;
                    assertTrue(e.getMessage().contains(p.getFileName().toString()), "names the file: " + e.getMessage());
                }
            }
            Files.delete(p);
        }
        assertTrue(corrupt > 0, "some damage was detected");
    }

    /** LZF with skipped chunks streams through the iterator with 2 workers in both orders. */
    @Test
    void theIteratorStreamsSkippedLzfChunks() {
        double[] want;
        try (Hdf5Reader reader = Hdf5Reader.open(file(), 1)) {
            want = MoreFiltersTest.all(reader, "/expected/lzf_mixed_f4");
        }
        for (Order order : new Order[] {Order.ORDERED, Order.SHUFFLED}) {
            java.util.Map<String, Integer> got = new java.util.HashMap<>();
            try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(file()).features("/lzf_mixed_f4").batchSize(64)
                    .order(order).workers(2).seed(3).build()) {
                while (it.hasNext()) {
                    DataSet ds = it.next();
                    for (int i = 0; i < ds.getFeatures().size(0); i++) {
                        got.merge(Arrays.toString(ds.getFeatures().getRow(i).dup().castTo(DataType.DOUBLE).data().asDouble()),
                                1, Integer::sum);
                    }
                }
            }
            java.util.Map<String, Integer> expected = new java.util.HashMap<>();
            for (int r = 0; r < 650; r++) {
                expected.merge(Arrays.toString(Arrays.copyOfRange(want, r * 8, r * 8 + 8)), 1, Integer::sum);
            }
            assertEquals(expected, got, order.toString());
        }
    }

    /** bitshuffle's default block size (bshuf_default_block_size): 8192 bytes, a multiple of 8, at least 128. */
    @Test
    void bitshuffleDefaultBlockFollowsThePlugin() {
        assertEquals(8192, Codecs.bitshuffleDefaultBlock(1));
        assertEquals(4096, Codecs.bitshuffleDefaultBlock(2));
        assertEquals(2728, Codecs.bitshuffleDefaultBlock(3));
        assertEquals(2048, Codecs.bitshuffleDefaultBlock(4));
        assertEquals(1024, Codecs.bitshuffleDefaultBlock(8));
        assertEquals(128, Codecs.bitshuffleDefaultBlock(100));
    }

    /** liblzf streams: a literal run, a short and a long back reference; truncated and overlong input fail. */
    @Test
    void lzfDecodesKnownStreamsAndRejectsBrokenOnes() {
        // ctrl 2: 3 literals "abc"; ctrl 0x20 | 0 with offset byte 2: match of 3 at distance 3 ("abc");
        // ctrl 0xE0 (long match), length byte 3 (7 + 3 + 2 = 12), offset byte 0: distance 1 (repeat 'c')
        byte[] src = {2, 'a', 'b', 'c', 0x20, 2, (byte) 0xE0, 3, 0};
        byte[] dst = new byte[18];
        assertEquals(18, Codecs.lzf(src, src.length, dst, 18));
        assertEquals("abcabccccccccccccc", new String(dst, java.nio.charset.StandardCharsets.US_ASCII));
        assertThrows(CorruptDataException.class, () -> Codecs.lzf(src, 6, new byte[18], 18));
        byte[] longer = Arrays.copyOf(src, src.length + 1);
        assertThrows(CorruptDataException.class, () -> Codecs.lzf(longer, longer.length, new byte[18], 18));
        byte[] far = {0, 'a', 0x20, 5};
        assertThrows(CorruptDataException.class, () -> Codecs.lzf(far, far.length, new byte[4], 4));
    }
}
