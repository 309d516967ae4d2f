package org.multitables4j.internal.hdf5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.multitables4j.CorruptDataException;
import org.multitables4j.Hdf5DataSetIterator;
import org.multitables4j.InvalidConfigurationException;
import org.multitables4j.MultitablesException;
import org.multitables4j.Order;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Every dataset of the h5py-written fixtures (see resources/fixtures/make_fixtures.py) equals the
 * value formula computed here: b = (r*31 + k*7) % 200; signed b - 100, unsigned b, float
 * (b - 100) / 4, bool (r + k) % 3 == 0.
 */
class FixtureValuesTest {
    static Path resource(String name) {
        try {
            return Path.of(FixtureValuesTest.class.getResource("/fixtures/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static double expected(String kind, long r, long k) {
        long b = (r * 31 + k * 7) % 200;
        switch (kind) {
            case "f":
                return (b - 100) / 4.0;
            case "i":
                return b - 100;
            case "u":
                return b;
            default:
                return (r + k) % 3 == 0 ? 1 : 0;
        }
    }

    static String kindOf(Hdf5Array a) {
        switch (a.elementType().kind()) {
            case FLOAT:
                return "f";
            case INT:
                return "i";
            case UINT:
                return "u";
            default:
                return "b";
        }
    }

    /** Reads a whole dataset through the iterator (ORDERED) and checks every element. */
    static void checkAll(Path file, String path, DataType type, Order order, int workers) {
        String kind;
        long rows;
        long perRow;
        try (Hdf5File f = Hdf5File.open(file)) {
            Hdf5Array a = f.array(path);
            kind = kindOf(a);
            rows = a.rows();
            perRow = a.rowElements();
        }
        Hdf5DataSetIterator.Builder b = Hdf5DataSetIterator.builder(file).features(path).order(order).batchSize(37)
                .workers(workers);
        b = type == null ? b.storedDataType() : b.dataType(type);
        long seen = 0;
        try (Hdf5DataSetIterator it = b.build()) {
            long start = 0;
            while (it.hasNext()) {
                DataSet ds = it.next();
                INDArray x = ds.getFeatures().reshape(ds.getFeatures().size(0), perRow);
                for (int i = 0; i < x.size(0); i++) {
                    long r = start + i;
                    for (int k = 0; k < perRow; k++) {
                        double want = expected(kind, r, k);
                        assertEquals(want, x.getDouble(i, k), path + " row " + r + " element " + k);
                    }
                }
                start += x.size(0);
                seen += x.size(0);
            }
        }
        assertEquals(rows, seen);
    }

    static Stream<String> datasets() {
        List<String> names = new java.util.ArrayList<>();
        for (String t : new String[] {"f4", "f8", "i1", "i2", "i4", "i8", "u1", "u2", "u4"}) {
            names.add("/dtypes/" + t + "_le");
            names.add("/dtypes/" + t + "_be");
        }
        names.addAll(List.of("/dtypes/bool", "/layout/contiguous", "/layout/contiguous_be", "/layout/compact",
                "/layout/chunked_nofilter", "/layout/chunked_inner", "/layout/images", "/layout/one_dim",
                "/filters/gzip", "/filters/shuffle_only", "/filters/gzip_shuffle_fletcher", "/filters/fletcher_only",
                "/filters/shuffle_fletcher", "/filters/masked", "/filters/masked_fletcher", "/layout/resized",
                "/layout/chunk_wider"));
        return names.stream();
    }

    @ParameterizedTest
    @MethodSource("datasets")
    void valuesAsDouble(String path) {
        checkAll(resource("fixtures.h5"), path, DataType.DOUBLE, Order.ORDERED, 2);
    }

    @ParameterizedTest
    @MethodSource("datasets")
    void valuesInStoredType(String path) {
        checkAll(resource("fixtures.h5"), path, null, Order.ORDERED, 1);
    }

    @Test
    void floatOutputAndOtherOrders() {
        checkAll(resource("fixtures.h5"), "/dtypes/i8_be", DataType.FLOAT, Order.ORDERED, 2);
        checkAll(resource("fixtures.h5"), "/layout/chunked_inner", DataType.FLOAT, Order.ORDERED, 4);
        checkAll(resource("fixtures.h5"), "/layout/contiguous_be", DataType.FLOAT, Order.ORDERED, 2);
    }

    @ParameterizedTest
    @MethodSource("indexes")
    void everyChunkIndexType(String path) {
        checkAll(resource("index_latest.h5"), path, DataType.FLOAT, Order.ORDERED, 2);
    }

    static Stream<String> indexes() {
        return Stream.of("/fixed", "/extensible", "/btree2", "/single", "/single_nofilter", "/implicit");
    }

    @Test
    void userBlockAndPyTablesFiles() {
        for (String path : new String[] {"/chunked", "/contiguous", "/compact"}) {
            checkAll(resource("userblock.h5"), path, DataType.DOUBLE, Order.ORDERED, 2);
        }
        checkAll(resource("pytables.h5"), "/earray", DataType.FLOAT, Order.ORDERED, 2);
    }

    @Test
    void neverWrittenChunksHoldTheFillValue() {
        for (String path : new String[] {"/fill/partial_f4", "/fill/partial_i4"}) {
            double fill = path.endsWith("f4") ? -7.5 : 42;
            String kind = path.endsWith("f4") ? "f" : "i";
            try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(resource("fixtures.h5")).features(path)
                    .dataType(DataType.DOUBLE).order(Order.ORDERED).batchSize(1024).build()) {
                INDArray x = it.next().getFeatures();
                for (int r = 0; r < 1024; r++) {
                    boolean written = r < 128 || r >= 512 && r < 576;
                    for (int k = 0; k < 4; k++) {
                        assertEquals(written ? expected(kind, r, k) : fill, x.getDouble(r, k), path + " row " + r);
                    }
                }
            }
        }
        // chunks split along inner dimensions, some of them never written:
        // [200, 12, 6] in chunks (50, 5, 4); written: [0:50, 0:5, 0:6] and [100:200, 5:12, 0:4]; fill 3.25
        try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(resource("fixtures.h5")).features("/fill/partial_inner")
                .dataType(DataType.DOUBLE).order(Order.ORDERED).batchSize(200).build()) {
            INDArray x = it.next().getFeatures().reshape(200, 72);
            for (int r = 0; r < 200; r++) {
                for (int k = 0; k < 72; k++) {
                    int j = k / 6;
                    int l = k % 6;
                    boolean written = r < 50 && j < 5 || r >= 100 && j >= 5 && l < 4;
                    assertEquals(written ? expected("f", r, k) : 3.25, x.getDouble(r, k), "/fill/partial_inner row " + r + " element " + k);
                }
            }
        }
    }

    @Test
    void lzfIsDecodedByTheOwnPipeline() {
        try (Hdf5File f = Hdf5File.open(resource("fixtures.h5"))) {
            assertTrue(f.array("/filters/lzf").ownDecodePath(), "LZF is decoded by the own path");
        }
        checkAll(resource("fixtures.h5"), "/filters/lzf", DataType.DOUBLE, Order.ORDERED, 2);
    }

    @Test
    void describesShapeTypeChunksFiltersAndFill() {
        try (Hdf5File f = Hdf5File.open(resource("fixtures.h5"))) {
            Hdf5Array a = f.array("/dtypes/i2_be");
            assertArrayEquals(new long[] {300, 3, 5}, a.shape());
            assertEquals(new ElementType(ElementType.Kind.INT, 2, ByteOrder.BIG_ENDIAN), a.elementType());
            assertArrayEquals(new int[] {64, 3, 5}, a.chunkShape());
            assertEquals(5, a.blockCount());
            assertEquals(300 - 4 * 64, a.rowsInBlock(4));
            assertTrue(a.describeFilters().contains("shuffle") && a.describeFilters().contains("deflate"), a.describeFilters());
            assertTrue(a.ownDecodePath());
            Hdf5Array fill = f.array("/fill/partial_i4");
            assertEquals(42, ByteBuffer.wrap(fill.fillValue()).order(ByteOrder.LITTLE_ENDIAN).getInt());
        }
    }

    @Test
    void clearErrorsForMissingThings() {
        MultitablesException e = assertThrows(MultitablesException.class, () -> Hdf5File.open(Path.of("/no/such.h5")));
        assertTrue(e.getMessage().contains("/no/such.h5"), e.getMessage());
        try (Hdf5File f = Hdf5File.open(resource("fixtures.h5"))) {
            InvalidConfigurationException m = assertThrows(InvalidConfigurationException.class, () -> f.array("/dtypes/nope"));
            assertTrue(m.getMessage().contains("/dtypes/nope") && m.getMessage().contains("fixtures.h5"), m.getMessage());
            InvalidConfigurationException g = assertThrows(InvalidConfigurationException.class, () -> f.array("/dtypes"));
            assertTrue(g.getMessage().contains("group"), g.getMessage());
        }
    }

    @TempDir
    Path tmp;

    @Test
    void fletcher32DetectsACorruptChunk() throws IOException {
        for (String path : new String[] {"/filters/fletcher_only", "/filters/gzip_shuffle_fletcher"}) {
            Fixtures.ChunkInfo first = Fixtures.chunkTable().get("fixtures.h5").get(path).get(0);
            Path copy = tmp.resolve("corrupt.h5");
            Files.copy(resource("fixtures.h5"), copy, StandardCopyOption.REPLACE_EXISTING);
            byte[] all = Files.readAllBytes(copy);
            int at = (int) first.address() + first.size() / 2;
            all[at] ^= 0x5a;
            Files.write(copy, all);
            CorruptDataException e = assertThrows(CorruptDataException.class,
                    () -> checkAll(copy, path, DataType.FLOAT, Order.ORDERED, 1));
            assertTrue(e.getMessage().contains(path), e.getMessage());
        }
    }
}
