package org.multitables4j.reader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.multitables4j.InvalidConfigurationException;
import org.multitables4j.IteratorClosedException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Random access against the fixture formula (h5py-written files, see make_fixtures.py):
 * float b = (r*31 + k*7) % 200 -> (b - 100) / 4.
 */
class ReaderTest {
    static Path fixtures() {
        try {
            return Path.of(ReaderTest.class.getResource("/fixtures/fixtures.h5").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static double expected(long r, long k) {
        return ((r * 31 + k * 7) % 200 - 100) / 4.0;
    }

    /** Integer datasets store b - 100 without the division by 4. */
    static void checkInt(INDArray a, long[] rows) {
        if (a.isEmpty()) {
            assertEquals(0, rows.length);
            return;
        }
        check(a.mul(0.25), rows);
    }

    static void check(INDArray a, long[] rows) {
        assertEquals(rows.length, a.size(0));
        INDArray flat = a.reshape(a.size(0), a.length() / Math.max(1, a.size(0)));
        for (int i = 0; i < rows.length; i++) {
            for (int k = 0; k < flat.size(1); k++) {
                assertEquals(expected(rows[i], k), flat.getDouble(i, k), "row " + rows[i] + " element " + k);
            }
        }
    }

    static long[] range(long a, long b) {
        long[] r = new long[(int) (b - a)];
        for (int i = 0; i < r.length; i++) {
            r[i] = a + i;
        }
        return r;
    }

    @Test
    void slicesIndexArraysAndMasks() {
        for (String path : new String[] {"/dtypes/f4_le", "/dtypes/f8_be", "/layout/contiguous", "/layout/chunked_inner",
            "/filters/gzip_shuffle_fletcher", "/layout/compact"}) {
            try (Hdf5Reader reader = Hdf5Reader.open(fixtures(), 2)) {
                Hdf5Dataset ds = reader.dataset(path);
                long n = ds.rows();
                Stage stage = ds.createStage(64, DataType.DOUBLE);
                java.util.function.BiConsumer<INDArray, long[]> check = ds.dtype().contains("f")
                        ? ReaderTest::check : ReaderTest::checkInt;
                check.accept(reader.request(ds.rows(3, 8), stage).get(), range(3, 8));
                check.accept(reader.request(ds.rows(n - 5, n), stage).get(), range(n - 5, n));
                long[] idx = {7, 3, n - 1, 3, 0, n / 2, 7};
                check.accept(reader.request(ds.rows(idx), stage).get(), idx);
                boolean[] mask = new boolean[(int) n];
                List<Long> want = new ArrayList<>();
                for (int i = 0; i < n; i += Math.max(1, (int) n / 40)) {
                    mask[i] = true;
                    want.add((long) i);
                }
                check.accept(reader.request(ds.mask(mask), stage).get(), want.stream().mapToLong(Long::longValue).toArray());
                check.accept(reader.request(ds.rows(0, 0), stage).get().reshape(0, 1), new long[0]);
            }
        }
    }

    @Test
    void fillValuesAndViews() {
        try (Hdf5Reader reader = Hdf5Reader.open(fixtures(), 2)) {
            Hdf5Dataset ds = reader.dataset("/fill/partial_f4");
            Stage stage = ds.createStage(4);
            INDArray a = reader.request(ds.rows(new long[] {5, 300, 520, 1000}), stage).get();
            assertEquals(expected(5, 1), a.getDouble(0, 1));
            assertEquals(-7.5, a.getDouble(1, 2));
            assertEquals(expected(520, 3), a.getDouble(2, 3));
            assertEquals(-7.5, a.getDouble(3, 0));
            double[] seen = new double[1];
            reader.request(ds.rows(10, 12), stage).getDirect(v -> seen[0] = v.getDouble(1, 2));
            assertEquals(expected(11, 2), seen[0]);
            Hdf5Future f = reader.request(ds.rows(20, 24), stage);
            try (StagedArray v = f.acquire()) {
                assertTrue(stage.busy(), "held while the view is open");
                assertEquals(expected(23, 3), v.array().getDouble(3, 3));
                assertThrows(IllegalStateException.class, () -> reader.request(ds.rows(0, 1), stage));
            }
            assertFalse(stage.busy());
            assertThrows(IllegalStateException.class, f::get, "a result is taken once");
        }
    }

    @Test
    void badRequestsFailFast() {
        try (Hdf5Reader reader = Hdf5Reader.open(fixtures(), 1)) {
            Hdf5Dataset ds = reader.dataset("/filters/gzip");
            Stage small = ds.createStage(3);
            InvalidConfigurationException big = assertThrows(InvalidConfigurationException.class,
                    () -> reader.request(ds.rows(0, 4), small));
            assertTrue(big.getMessage().contains("does not fit"), big.getMessage());
            IndexOutOfRangeException oob = assertThrows(IndexOutOfRangeException.class, () -> ds.rows(new long[] {1, 1000}));
            assertTrue(oob.getMessage().contains("row 1000") && oob.getMessage().contains("/filters/gzip"), oob.getMessage());
            assertThrows(IndexOutOfRangeException.class, () -> ds.rows(-1, 3));
            assertThrows(IndexOutOfRangeException.class, () -> ds.rows(5, 1001));
            assertThrows(InvalidConfigurationException.class, () -> ds.mask(new boolean[3]));
            Hdf5Dataset other = reader.dataset("/layout/contiguous");
            assertThrows(InvalidConfigurationException.class, () -> reader.request(other.rows(0, 1), small));
            assertFalse(small.busy(), "a refused request leaves the stage free");
        }
        Hdf5Reader closed = Hdf5Reader.open(fixtures(), 1);
        closed.close();
        closed.close();
        assertThrows(IteratorClosedException.class, () -> closed.dataset("/filters/gzip"));
    }

    @Test
    void randomRowsFromOneChunkDecodeItOnce() {
        try (Hdf5Reader reader = Hdf5Reader.open(fixtures(), 2)) {
            Hdf5Dataset ds = reader.dataset("/filters/gzip"); // chunks of 100 rows
            Stage stage = ds.createStage(1);
            Random rnd = new Random(1);
            for (int i = 0; i < 200; i++) {
                long r = 100 + rnd.nextInt(100);
                check(reader.request(ds.rows(new long[] {r}), stage).get(), new long[] {r});
            }
            org.multitables4j.CacheStats s = reader.cacheStats();
            assertEquals(1, s.misses());
            assertEquals(199, s.hits());
            assertEquals(100L * 8 * 4, s.decodedBytes());
        }
    }

    @Test
    void manyThreadsPoolsAndOrderedQueues() throws Exception {
        try (Hdf5Reader reader = Hdf5Reader.open(fixtures(), 2, 8 << 10)) {
            Hdf5Dataset ds = reader.dataset("/dtypes/f4_be");
            ExecutorService ex = Executors.newFixedThreadPool(6);
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                int seed = t;
                runs.add(ex.submit(() -> {
                    StagePool pool = ds.createStagePool(16, 3);
                    RequestQueue q = new RequestQueue(reader, pool);
                    Random rnd = new Random(seed);
                    List<long[]> sent = new ArrayList<>();
                    for (int i = 0; i < 150; i++) {
                        long[] idx = rnd.longs(1 + rnd.nextInt(16), 0, 300).toArray();
                        q.submit(ds.rows(idx));
                        sent.add(idx);
                        if (q.pending() == 3) {
                            try (StagedArray a = q.next()) {
                                check(a.array(), sent.remove(0));
                            }
                        }
                    }
                    while (q.pending() > 0) {
                        try (StagedArray a = q.next()) {
                            check(a.array(), sent.remove(0));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : runs) {
                f.get();
            }
            ex.shutdown();
            assertTrue(reader.cacheStats().misses() > 5, "an 8 KiB cache (two of the five chunks) evicts: " + reader.cacheStats());
        }
        assertEquals(0, Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("multitables4j-reader")).filter(Thread::isAlive).count());
    }

    @Test
    void largeAccessAcrossManyChunks() {
        try (Hdf5Reader reader = Hdf5Reader.open(fixtures(), 2)) {
            Hdf5Dataset ds = reader.dataset("/layout/images"); // uint8 [120, 28, 28], chunks of 32
            Stage stage = ds.createStage(120, DataType.UINT8);
            INDArray all = reader.request(ds.rows(0, 120), stage).get();
            assertArrayEquals(new long[] {120, 28, 28}, all.shape());
            for (int r = 0; r < 120; r += 17) {
                for (int k = 0; k < 784; k += 97) {
                    assertEquals((r * 31 + k * 7) % 200, all.getInt(r, k / 28, k % 28));
                }
            }
        }
    }

    @Test
    void tableColumns() throws URISyntaxException {
        Path tables = Path.of(ReaderTest.class.getResource("/fixtures/tables.h5").toURI());
        try (Hdf5Reader reader = Hdf5Reader.open(tables, 2)) {
            for (String path : new String[] {"/structured", "/structured_contig"}) {
                Hdf5Dataset feat = reader.column(path, "feat");
                assertArrayEquals(new long[] {1000, 3}, feat.shape());
                long[] idx = {999, 0, 500, 0, 123};
                check(reader.request(feat.rows(idx), feat.createStage(8, DataType.DOUBLE)).get(), idx);
            }
            Hdf5Dataset vec = reader.column("/pytable", "vec");
            check(reader.request(vec.rows(10, 20), vec.createStage(10)).get(), range(10, 20));
        }
    }

    @Test
    void innerSlicingOfTheLastDimension() {
        try (Hdf5Reader reader = Hdf5Reader.open(fixtures(), 2)) {
            Hdf5Dataset ds = reader.dataset("/dtypes/f4_le"); // [300, 3, 5]
            Stage stage = ds.createStage(8, DataType.DOUBLE);
            INDArray a = reader.request(ds.rows(10, 14).select(1, 4), stage).get();
            assertArrayEquals(new long[] {4, 3, 3}, a.shape());
            for (int r = 0; r < 4; r++) {
                for (int i = 0; i < 3; i++) {
                    for (int j = 0; j < 3; j++) {
                        assertEquals(expected(10 + r, i * 5 + 1 + j), a.getDouble(r, i, j), "x[" + (10 + r) + ", " + i + ", " + (1 + j) + "]");
                    }
                }
            }
            Hdf5Dataset c = reader.dataset("/layout/contiguous"); // [1000, 16]
            long[] idx = {999, 5, 5};
            try (StagedArray v = reader.request(c.rows(idx).select(2, 5), c.createStage(3)).acquire()) {
                assertArrayEquals(new long[] {3, 3}, v.array().shape());
                for (int i = 0; i < 3; i++) {
                    for (int j = 0; j < 3; j++) {
                        assertEquals(expected(idx[i], 2 + j), v.array().getDouble(i, j));
                    }
                }
            }
            assertThrows(IndexOutOfRangeException.class, () -> c.rows(0, 2).select(3, 17));
            assertThrows(IndexOutOfRangeException.class, () -> c.rows(0, 2).select(4, 4));
        }
    }
}
