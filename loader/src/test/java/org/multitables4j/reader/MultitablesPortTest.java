package org.multitables4j.reader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.multitables4j.InvalidConfigurationException;
import org.multitables4j.IteratorClosedException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The reader behaviours that multitables' own v2 tests check (random access, overlapping
 * requests, threads, pools, slicing, indexing, bad indexing, stage size, large access, close),
 * one test per original, named in each test's comment.
 *
 * <p>Fixture: multitables.h5, written by PyTables (make_multitables_fixture.py) with the nodes of
 * the original setUp, scaled down and filled by formulas, so that every reference below is
 * computed here independently of the reader:
 * <ul>
 * <li>{@code /test_array} int32 [1000, 10, 10]: {@code r*100 + i*10 + j}</li>
 * <li>{@code /test_table} columns: {@code col_A} uint8 [100, 40]: {@code (r*31 + k*7) % 200};
 *     {@code col_B} float64 [7, 49]: {@code ((r*31 + k*7) % 200 - 100) / 4} (k: flat index in the
 *     column); {@code col_C} float32: {@code ((r*7919) % 1000) / 1000}</li>
 * <li>{@code /test_byte_array} uint8 [1000000]: {@code (r*31) % 200}</li>
 * </ul>
 * The table tests here read each column as a dataset of its own (with stages and pools);
 * {@link MultitablesRecordsPortTest} runs the same tests on whole records through
 * {@link Hdf5Table}.
 */
class MultitablesPortTest {
    static final int N_PROCS = 4;
    static final int N = 1000;
    static final long[] A = {100, 40};
    static final long[] B = {7, 49};

    static Path file() {
        try {
            return Path.of(MultitablesPortTest.class.getResource("/multitables/multitables.h5").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- references -------------------------------------------------------------------------

    /** test_array[r], flat. */
    static double[] arrayRow(long r) {
        double[] v = new double[100];
        for (int k = 0; k < 100; k++) {
            v[k] = r * 100 + k;
        }
        return v;
    }

    /** col_A[r][i0:i1, j0:j1], flat. */
    static double[] colA(long r, int i0, int i1, int j0, int j1) {
        double[] v = new double[(i1 - i0) * (j1 - j0)];
        int at = 0;
        for (int i = i0; i < i1; i++) {
            for (int j = j0; j < j1; j++) {
                v[at++] = (r * 31 + (i * A[1] + j) * 7) % 200;
            }
        }
        return v;
    }

    static double[] colA(long r) {
        return colA(r, 0, (int) A[0], 0, (int) A[1]);
    }

    static double[] colB(long r) {
        double[] v = new double[(int) (B[0] * B[1])];
        for (int k = 0; k < v.length; k++) {
            v[k] = ((r * 31 + k * 7) % 200 - 100) / 4.0;
        }
        return v;
    }

    static float colC(long r) {
        return (float) (((r * 7919) % 1000) / 1000.0);
    }

    static double[] concat(List<double[]> rows) {
        return rows.stream().flatMapToDouble(Arrays::stream).toArray();
    }

    static double[] rowsOf(java.util.function.LongFunction<double[]> f, long... rows) {
        List<double[]> out = new ArrayList<>();
        for (long r : rows) {
            out.add(f.apply(r));
        }
        return concat(out);
    }

    /** Every element of an array in row-major order, as doubles. */
    static double[] values(INDArray a) {
        return a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    }

    static long[] range(long a, long b) {
        return LongStream.range(a, b).toArray();
    }

    static long[] shuffledEvenStarts(long n, long seed) {
        List<Long> starts = new ArrayList<>();
        for (long i = 0; i < n; i += 2) {
            starts.add(i);
        }
        java.util.Collections.shuffle(starts, new Random(seed));
        return starts.stream().mapToLong(Long::longValue).toArray();
    }

    // ---- the ported tests -------------------------------------------------------------------

    /** test_random_access: pairs of rows at random positions, read into one stage of two rows, as views. */
    @Test
    void randomAccess() {
        try (Hdf5Reader reader = Hdf5Reader.open(file(), N_PROCS)) {
            Hdf5Dataset array = reader.dataset("/test_array");
            assertArrayEquals(new long[] {N, 10, 10}, array.shape());
            Stage arrayStage = array.createStage(2, DataType.INT);
            for (long idx : shuffledEvenStarts(array.rows(), 1)) {
                try (StagedArray data = reader.request(array.rows(idx, idx + 2), arrayStage).acquire()) {
                    assertArrayEquals(new long[] {2, 10, 10}, data.array().shape());
                    assertArrayEquals(rowsOf(MultitablesPortTest::arrayRow, idx, idx + 1), values(data.array()));
                }
            }
            Hdf5Dataset a = reader.column("/test_table", "col_A");
            Hdf5Dataset b = reader.column("/test_table", "col_B");
            Hdf5Dataset c = reader.column("/test_table", "col_C");
            assertArrayEquals(new long[] {N, 100, 40}, a.shape());
            assertArrayEquals(new long[] {N, 7, 49}, b.shape());
            Stage sa = a.createStage(2, DataType.UINT8);
            Stage sb = b.createStage(2, DataType.DOUBLE);
            Stage sc = c.createStage(2, DataType.FLOAT);
            for (long idx : shuffledEvenStarts(N, 2)) {
                try (StagedArray va = reader.request(a.rows(idx, idx + 2), sa).acquire();
                     StagedArray vb = reader.request(b.rows(idx, idx + 2), sb).acquire();
                     StagedArray vc = reader.request(c.rows(idx, idx + 2), sc).acquire()) {
                    assertArrayEquals(rowsOf(MultitablesPortTest::colA, idx, idx + 1), values(va.array()), "col_A " + idx);
                    assertArrayEquals(rowsOf(MultitablesPortTest::colB, idx, idx + 1), values(vb.array()), "col_B " + idx);
                    assertEquals(colC(idx), vc.array().getFloat(0, 0));
                    assertEquals(colC(idx + 1), vc.array().getFloat(1, 0));
                }
            }
        }
    }

    /** test_overlapping_access_ary: 30 single-row requests in flight at once, each in its own stage. */
    @Test
    void overlappingAccessAry() {
        try (Hdf5Reader reader = Hdf5Reader.open(file(), N_PROCS)) {
            Hdf5Dataset array = reader.dataset("/test_array");
            int nStages = 30;
            List<Stage> stages = new ArrayList<>();
            for (int i = 0; i < nStages; i++) {
                stages.add(array.createStage(1, DataType.INT));
            }
            for (long start = 0; start < array.rows(); start += nStages) {
                List<Hdf5Future> reqs = new ArrayList<>();
                for (long idx = start; idx < Math.min(start + nStages, array.rows()); idx++) {
                    reqs.add(reader.request(array.rows(idx, idx + 1), stages.get((int) (idx - start))));
                }
                for (int i = 0; i < reqs.size(); i++) {
                    assertArrayEquals(arrayRow(start + i), values(reqs.get(i).get()), "row " + (start + i));
                }
            }
        }
    }

    /** test_overlapping_access_tbl: 10 single-row table requests in flight at once, each in its own stage. */
    @Test
    void overlappingAccessTbl() {
        try (Hdf5Reader reader = Hdf5Reader.open(file(), N_PROCS)) {
            Hdf5Dataset a = reader.column("/test_table", "col_A");
            Hdf5Dataset b = reader.column("/test_table", "col_B");
            int nStages = 10;
            List<Stage> sa = new ArrayList<>();
            List<Stage> sb = new ArrayList<>();
            for (int i = 0; i < nStages; i++) {
                sa.add(a.createStage(1, DataType.UINT8));
                sb.add(b.createStage(1, DataType.DOUBLE));
            }
            for (long start = 0; start < N; start += nStages) {
                List<Hdf5Future[]> reqs = new ArrayList<>();
                for (long idx = start; idx < Math.min(start + nStages, N); idx++) {
                    int s = (int) (idx - start);
                    reqs.add(new Hdf5Future[] {reader.request(a.rows(idx, idx + 1), sa.get(s)),
                        reader.request(b.rows(idx, idx + 1), sb.get(s))});
                }
                for (int i = 0; i < reqs.size(); i++) {
                    assertArrayEquals(colA(start + i), values(reqs.get(i)[0].get()), "col_A row " + (start + i));
                    assertArrayEquals(colB(start + i), values(reqs.get(i)[1].get()), "col_B row " + (start + i));
                }
            }
        }
    }

    /**
     * test_threading_access_tbl: a loader thread takes free stages from a shared list and submits
     * one request per row; the main thread takes the results in order and hands the stages back.
     */
    @Test
    void threadingAccessTbl() throws Exception {
        try (Hdf5Reader reader = Hdf5Reader.open(file(), N_PROCS)) {
            Hdf5Dataset a = reader.column("/test_table", "col_A");
            int nStages = 10;
            BlockingQueue<Stage> free = new ArrayBlockingQueue<>(nStages);
            for (int i = 0; i < nStages; i++) {
                free.add(a.createStage(1, DataType.UINT8));
            }
            record Pending(long idx, Stage stage, Hdf5Future future) {
            }
            BlockingQueue<Pending> reqs = new LinkedBlockingQueue<>();
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread loader = new Thread(() -> {
                try {
                    for (long idx = 0; idx < N; idx++) {
                        Stage stage = free.take();
                        reqs.put(new Pending(idx, stage, reader.request(a.rows(idx, idx + 1), stage)));
                    }
                } catch (Throwable t) {
                    failed.set(t);
                }
            });
            loader.start();
            for (long i = 0; i < N; i++) {
                Pending p = reqs.poll(30, TimeUnit.SECONDS);
                assertTrue(p != null, "loader stalled: " + failed.get());
                assertEquals(i, p.idx());
                assertArrayEquals(colA(i), values(p.future().get()), "row " + i);
                free.put(p.stage());
            }
            loader.join(10_000);
            assertEquals(null, failed.get());
            assertEquals(nStages, free.size());
        }
    }

    /**
     * test_pool_tbl: a loader thread submits one request per row through a pool of 10 stages into a
     * request queue; the main thread takes them in order as they come.
     */
    @Test
    void poolTbl() throws Exception {
        try (Hdf5Reader reader = Hdf5Reader.open(file(), N_PROCS)) {
            Hdf5Dataset a = reader.column("/test_table", "col_A");
            StagePool pool = a.createStagePool(1, 10, DataType.UINT8);
            RequestQueue reqs = new RequestQueue(reader, pool);
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread loader = new Thread(() -> {
                try {
                    for (long idx = 0; idx < N; idx++) {
                        reqs.submit(a.rows(idx, idx + 1));
                    }
                } catch (Throwable t) {
                    failed.set(t);
                }
            });
            loader.start();
            for (long idx = 0; idx < N; idx++) {
                try (StagedArray data = reqs.take(30, TimeUnit.SECONDS)) {
                    assertArrayEquals(colA(idx), values(data.array()), "row " + idx);
                }
                assertTrue(reqs.pending() <= 10, "never more pending than stages");
            }
            loader.join(10_000);
            assertEquals(null, failed.get());
            assertEquals(10, pool.free());
            assertThrows(org.multitables4j.MultitablesException.class, () -> reqs.take(50, TimeUnit.MILLISECONDS),
                    "nothing more is submitted");
        }
    }

    /** test_array_getslice: consecutive pairs of rows handed to a callback on the stage view. */
    @Test
    void arrayGetslice() {
        try (Hdf5Reader reader = Hdf5Reader.open(file(), N_PROCS)) {
            Hdf5Dataset array = reader.dataset("/test_array");
            Stage stage = array.createStage(2, DataType.INT);
            AtomicInteger calls = new AtomicInteger();
            for (long idx = 0; idx < array.rows(); idx += 2) {
                long at = idx;
                reader.request(array.rows(idx, idx + 2), stage).getDirect(data -> {
                    assertArrayEquals(rowsOf(MultitablesPortTest::arrayRow, at, at + 1), values(data));
                    calls.incrementAndGet();
                });
                assertFalse(stage.busy(), "the stage is free once the callback returns");
            }
            assertEquals(N / 2, calls.get());
        }
    }

    /**
     * test_indexing: the request forms of the original, each against its numpy-computed
     * equivalent (here the formula). Forms with no Java counterpart, element-wise boolean masks
     * over inner dimensions ({@code x[:, x[0] > 5]}, {@code x[x > 5]}) and numpy point or
     * broadcast coordinates ({@code x[[1,2,3], [1,2,3], [1,2,3]]}, {@code x[a[:, newaxis], b, c]}),
     * are not rectangular selections and are not ported. PyTables' {@code where} and
     * {@code read_sorted} become a mask and an index request computed from a column read first.
     */
    @Test
    void indexing() {
        try (Hdf5Reader reader = Hdf5Reader.open(file(), N_PROCS)) {
            Hdf5Dataset array = reader.dataset("/test_array");
            Stage arrayStage = array.createStage(10, DataType.INT);
            Hdf5Dataset a = reader.column("/test_table", "col_A");
            Stage tableStage = a.createStage(10, DataType.UINT8);

            // test_table['col_A'][30:35], test_table[30:35]['col_A'], test_table.col('col_A')[30:35]
            Request req = a.rows(30, 35);
            assertArrayEquals(new long[] {5, 100, 40}, req.shape());
            try (StagedArray data = reader.request(req, tableStage).acquire()) {
                assertArrayEquals(rowsOf(MultitablesPortTest::colA, range(30, 35)), values(data.array()));
            }
            // test_table.col('col_A')[30:35, ..., :100] (the first half of the last dimension)
            req = a.rows(30, 35).select(-1, 0, 20);
            try (StagedArray data = reader.request(req, tableStage).acquire()) {
                assertArrayEquals(new long[] {5, 100, 20}, data.array().shape());
                assertArrayEquals(rowsOf(r -> colA(r, 0, 100, 0, 20), range(30, 35)), values(data.array()));
            }
            // test_table['col_A'][30:35, np.arange(500) > 45]: a mask that is a range of dimension 1
            req = a.rows(30, 35).select(1, 46, 100);
            try (StagedArray data = reader.request(req, tableStage).acquire()) {
                assertArrayEquals(new long[] {5, 54, 40}, data.array().shape());
                assertArrayEquals(rowsOf(r -> colA(r, 46, 100, 0, 40), range(30, 35)), values(data.array()));
            }
            // test_array[4:16:2, ...]
            try (StagedArray data = reader.request(array.rows(4, 16, 2), arrayStage).acquire()) {
                assertArrayEquals(new long[] {6, 10, 10}, data.array().shape());
                assertArrayEquals(rowsOf(MultitablesPortTest::arrayRow, 4, 6, 8, 10, 12, 14), values(data.array()));
            }
            // test_table['col_A'][[1, 2, 3]], test_table[[1, 2, 3]]['col_A']
            try (StagedArray data = reader.request(a.rows(new long[] {1, 2, 3}), tableStage).acquire()) {
                assertArrayEquals(rowsOf(MultitablesPortTest::colA, 1, 2, 3), values(data.array()));
            }
            // test_table['col_A'][0], test_table[0]['col_A']: one row
            try (StagedArray data = reader.request(a.rows(new long[] {0}), tableStage).acquire()) {
                assertArrayEquals(new long[] {1, 100, 40}, data.array().shape());
                assertArrayEquals(colA(0), values(data.array()));
            }
            // test_array[..., :105]: numpy clips the slice to the whole dimension; the Java reader
            // refuses a range that leaves the dimension and reads the whole one as asked
            Stage arrayStageBig = array.createStage(1000, DataType.INT);
            assertThrows(IndexOutOfRangeException.class, () -> array.rows(0, 1000).select(-1, 0, 105));
            try (StagedArray data = reader.request(array.rows(0, 1000).select(-1, 0, 10), arrayStageBig).acquire()) {
                assertArrayEquals(rowsOf(MultitablesPortTest::arrayRow, range(0, 1000)), values(data.array()));
            }
            // test_array[..., 2:7] with an index array of rows: a narrowed last dimension
            try (StagedArray data = reader.request(array.rows(new long[] {999, 0, 500}).select(-1, 2, 7), arrayStageBig).acquire()) {
                double[] want = new double[3 * 10 * 5];
                int at = 0;
                for (long r : new long[] {999, 0, 500}) {
                    for (int i = 0; i < 10; i++) {
                        for (int j = 2; j < 7; j++) {
                            want[at++] = r * 100 + i * 10 + j;
                        }
                    }
                }
                assertArrayEquals(want, values(data.array()));
            }

            // test_table.where('col_C > x', condvars={'x': 0.1}, start=300, stop=400)
            Hdf5Dataset c = reader.column("/test_table", "col_C");
            Hdf5Dataset b = reader.column("/test_table", "col_B");
            Stage cStage = c.createStage(100, DataType.FLOAT);
            INDArray cc = reader.request(c.rows(300, 400), cStage).get();
            boolean[] mask = new boolean[N];
            for (int i = 0; i < 100; i++) {
                mask[300 + i] = cc.getFloat(i, 0) > 0.1f;
            }
            long[] where = LongStream.range(300, 400).filter(r -> colC(r) > 0.1f).toArray();
            assertTrue(where.length > 50 && where.length < 100, "a real filter: " + where.length);
            Stage aBig = a.createStage(100, DataType.UINT8);
            Stage bBig = b.createStage(100, DataType.DOUBLE);
            try (StagedArray va = reader.request(a.mask(mask), aBig).acquire();
                 StagedArray vb = reader.request(b.mask(mask), bBig).acquire();
                 StagedArray vc = reader.request(c.mask(mask), cStage).acquire()) {
                assertArrayEquals(rowsOf(MultitablesPortTest::colA, where), values(va.array()));
                assertArrayEquals(rowsOf(MultitablesPortTest::colB, where), values(vb.array()));
                for (int i = 0; i < where.length; i++) {
                    assertEquals(colC(where[i]), vc.array().getFloat(i, 0));
                }
            }

            // test_table.read_sorted('col_C', checkCSI=True, start=200, stop=300)
            long[] sorted = sortedByColC(reader, c);
            long[] want = LongStream.range(0, N).boxed().sorted(Comparator.comparingDouble(MultitablesPortTest::colC))
                    .mapToLong(Long::longValue).skip(200).limit(100).toArray();
            long[] slice = Arrays.copyOfRange(sorted, 200, 300);
            assertArrayEquals(want, slice);
            try (StagedArray va = reader.request(a.rows(slice), aBig).acquire();
                 StagedArray vc = reader.request(c.rows(slice), cStage).acquire()) {
                assertArrayEquals(rowsOf(MultitablesPortTest::colA, want), values(va.array()));
                for (int i = 1; i < 100; i++) {
                    assertTrue(vc.array().getFloat(i - 1, 0) < vc.array().getFloat(i, 0), "sorted by col_C");
                }
                assertEquals(colC(want[0]), vc.array().getFloat(0, 0));
            }
        }
    }

    /** Rows in the order of their col_C values, read through the reader. */
    static long[] sortedByColC(Hdf5Reader reader, Hdf5Dataset c) {
        INDArray all = reader.request(c.rows(0, N), c.createStage(N, DataType.FLOAT)).get();
        float[] v = all.reshape(N).toFloatVector();
        return LongStream.range(0, N).boxed().sorted(Comparator.comparingDouble(r -> v[(int) (long) r]))
                .mapToLong(Long::longValue).toArray();
    }

    /**
     * test_bad_indexing: malformed requests are refused with an IndexError before anything is
     * read. The original's forms are numpy fancy indexing that PyTables refuses; the Java API
     * cannot express them, so its own malformed forms are checked, and that a refused request
     * leaves its stage free.
     */
    @Test
    void badIndexing() {
        try (Hdf5Reader reader = Hdf5Reader.open(file(), N_PROCS)) {
            Hdf5Dataset array = reader.dataset("/test_array");
            Stage big = array.createStage(1000, DataType.INT);
            assertThrows(IndexOutOfRangeException.class, () -> array.rows(0, 1001));
            assertThrows(IndexOutOfRangeException.class, () -> array.rows(5, 3));
            assertThrows(IndexOutOfRangeException.class, () -> array.rows(new long[] {1, -1001}));
            assertThrows(IndexOutOfRangeException.class, () -> array.rows(new long[] {1000}));
            assertThrows(IndexOutOfRangeException.class, () -> array.rows(0, 10, 0));
            assertThrows(IndexOutOfRangeException.class, () -> array.rows(0, 5).select(0, 0, 1), "rows are not an inner dimension");
            assertThrows(IndexOutOfRangeException.class, () -> array.rows(0, 5).select(3, 0, 1), "no dimension 3");
            assertThrows(IndexOutOfRangeException.class, () -> array.rows(0, 5).select(1, 5, 11));
            assertThrows(IndexOutOfRangeException.class, () -> array.rows(0, 5).select(2, 4, 4));
            Hdf5Dataset bytes = reader.dataset("/test_byte_array");
            assertThrows(IndexOutOfRangeException.class, () -> bytes.rows(0, 5).select(0, 1), "one dimension: nothing to select");
            assertThrows(InvalidConfigurationException.class, () -> array.mask(new boolean[999]));
            assertThrows(InvalidConfigurationException.class, () -> reader.column("/test_table", "col_D"));
            assertThrows(InvalidConfigurationException.class, () -> reader.column("/test_array", "col_A"));
            assertThrows(org.multitables4j.UnsupportedHdf5Exception.class, () -> reader.dataset("/test_table"),
                    "whole table records are read per column");
            assertFalse(big.busy());
            assertArrayEquals(arrayRow(7), values(reader.request(array.rows(7, 8), big).get()), "the stage still serves");
        }
    }

    /** test_stage_size: a request larger than its stage is refused (here when it is made, not at get()). */
    @Test
    void stageSize() {
        try (Hdf5Reader reader = Hdf5Reader.open(file(), N_PROCS)) {
            Hdf5Dataset array = reader.dataset("/test_array");
            Stage arrayStage = array.createStage(10, DataType.INT);
            Hdf5Dataset a = reader.column("/test_table", "col_A");
            Stage tableStage = a.createStage(10, DataType.UINT8);
            InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                    () -> reader.request(array.rows(0, N), arrayStage).get());
            assertTrue(e.getMessage().contains("does not fit a stage of 10 rows"), e.getMessage());
            assertThrows(InvalidConfigurationException.class, () -> reader.request(a.rows(0, N), tableStage).get());
            assertFalse(arrayStage.busy() || tableStage.busy());
            // the check counts the delivered bytes: 20 half rows fit a stage of 10 rows, 21 do not
            assertArrayEquals(rowsOf(r -> colA(r, 0, 50, 0, 40), range(0, 20)),
                    values(reader.request(a.rows(0, 20).select(1, 0, 50), tableStage).get()));
            assertThrows(InvalidConfigurationException.class, () -> reader.request(a.rows(0, 21).select(1, 50, 100), tableStage));
            // a stage of 10 rows holds exactly 10 whole rows, in any element type
            Stage doubles = array.createStage(10, DataType.DOUBLE);
            assertArrayEquals(rowsOf(MultitablesPortTest::arrayRow, range(0, 10)), values(reader.request(array.rows(0, 10), doubles).get()));
            assertThrows(InvalidConfigurationException.class, () -> reader.request(array.rows(0, 11), doubles));
        }
    }

    /** test_large_access: a million-row index request and a small slice, repeatedly, through one stage. */
    @Test
    void largeAccess() {
        int n = 1000 * 1000;
        int[] want = new int[n];
        for (int r = 0; r < n; r++) {
            want[r] = (int) ((r * 31L) % 200);
        }
        try (Hdf5Reader reader = Hdf5Reader.open(file(), N_PROCS)) {
            Hdf5Dataset bytes = reader.dataset("/test_byte_array");
            assertArrayEquals(new long[] {n}, bytes.shape());
            Stage stage = bytes.createStage(n, DataType.UINT8);
            long[] all = range(0, n);
            for (int i = 0; i < 20; i++) {
                INDArray test = reader.request(bytes.rows(all), stage).get();
                assertArrayEquals(new long[] {n, 1}, test.shape());
                assertArrayEquals(want, test.castTo(DataType.INT).reshape(n).toIntVector());
                test = reader.request(bytes.rows(0, 10), stage).get();
                assertArrayEquals(Arrays.copyOf(want, 10), test.castTo(DataType.INT).reshape(10).toIntVector());
            }
        }
    }

    /**
     * test_del: a reader left without close must not keep the process alive or the file busy. Its
     * workers are daemon threads; once closed (with a request still pending) they are gone and the
     * file can be deleted.
     */
    @Test
    void del(@TempDir Path dir) throws IOException {
        Path copy = dir.resolve("test.h5");
        Files.copy(file(), copy);
        Hdf5Reader reader = Hdf5Reader.open(copy, N_PROCS);
        Hdf5Dataset array = reader.dataset("/test_array");
        // requests of more than RequestRun.INLINE_ROWS rows always run on the workers
        Stage stage = array.createStage(100, DataType.INT);
        assertArrayEquals(rowsOf(MultitablesPortTest::arrayRow, range(0, 100)), values(reader.request(array.rows(0, 100), stage).get()));
        List<Thread> workers = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("multitables4j-reader") && t.isAlive()).toList();
        assertFalse(workers.isEmpty());
        assertTrue(workers.stream().allMatch(Thread::isDaemon), "workers never hold the JVM open");
        reader.request(array.rows(100, 200), stage); // pending at close
        reader.close();
        Files.delete(copy);
        assertFalse(Files.exists(copy));
    }

    /**
     * test_quickstart: the original's walk-through: a view to release, a narrowed request handed
     * to a callback, a sorted read, a masked read as a copy, then close.
     */
    @Test
    void quickstart() throws InterruptedException {
        java.util.Set<Thread> before = ReaderThreads.set();
        Hdf5Reader reader = Hdf5Reader.open(file(), N_PROCS);
        Hdf5Dataset dataset = reader.column("/test_table", "col_A");
        Stage stage = dataset.createStage(10, DataType.UINT8); // the stage's size in rows

        Request req = dataset.rows(30, 35);
        try (StagedArray data = reader.request(req, stage).acquire()) {
            assertArrayEquals(rowsOf(MultitablesPortTest::colA, range(30, 35)), values(data.array()));
        }

        req = dataset.rows(30, 35).select(-1, 0, 20);
        double[][] seen = new double[1][];
        reader.request(req, stage).getDirect(data -> seen[0] = values(data));
        assertArrayEquals(rowsOf(r -> colA(r, 0, 100, 0, 20), range(30, 35)), seen[0]);

        Hdf5Dataset c = reader.column("/test_table", "col_C");
        long[] sorted = Arrays.copyOfRange(sortedByColC(reader, c), 200, 300);
        INDArray top = reader.request(c.rows(sorted), c.createStage(100, DataType.FLOAT)).get();
        for (int i = 0; i < 100; i++) {
            assertEquals(colC(sorted[i]), top.getFloat(i, 0));
        }

        req = dataset.rows(30, 35).select(1, 46, 100);
        INDArray copy = reader.request(req, stage).get();
        assertArrayEquals(rowsOf(r -> colA(r, 46, 100, 0, 40), range(30, 35)), values(copy));

        reader.close();
        ReaderThreads.awaitNoNew(before); // close stops the workers
        assertThrows(IteratorClosedException.class, () -> reader.request(dataset.rows(0, 1), stage));
        assertThrows(IteratorClosedException.class, () -> reader.dataset("/test_array"));
        assertArrayEquals(rowsOf(r -> colA(r, 46, 100, 0, 40), range(30, 35)), values(copy), "a copy outlives the reader");
    }
}
