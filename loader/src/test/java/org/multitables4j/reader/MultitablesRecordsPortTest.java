package org.multitables4j.reader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/**
 * The table halves of multitables' v2 reader tests, which the column-by-column port in
 * {@link MultitablesPortTest} could not express before whole records existed: every request
 * returns whole records ({@code col_A}, {@code col_B} and {@code col_C} of each row, as
 * multitables returns numpy structured rows) through {@link Hdf5Table}. References are the
 * formulas of make_multitables_fixture.py ({@link MultitablesPortTest#colA} and friends).
 */
class MultitablesRecordsPortTest {
    static final int N = MultitablesPortTest.N;

    /** The elements of a batch's array in row-major order, read from its buffer (no ND4J op per call). */
    static double[] flat(org.nd4j.linalg.api.ndarray.INDArray a) {
        assertEquals('c', a.ordering());
        assertEquals(0, a.offset());
        double[] v = a.data().asDouble();
        assertEquals(a.length(), v.length);
        return v;
    }

    /** Checks that {@code b} holds the whole records of {@code rows}, in that order. */
    static void checkRecords(RecordBatch b, long... rows) {
        assertEquals(List.of("col_A", "col_B", "col_C"), b.fields());
        assertEquals(rows.length, b.rows());
        assertArrayEquals(rows, b.coordinates());
        assertArrayEquals(new long[] {rows.length, 100, 40}, b.array("col_A").shape());
        assertArrayEquals(new long[] {rows.length, 7, 49}, b.array("col_B").shape());
        assertArrayEquals(MultitablesPortTest.rowsOf(MultitablesPortTest::colA, rows), flat(b.array("col_A")), 0,
                "col_A of " + Arrays.toString(rows));
        assertArrayEquals(MultitablesPortTest.rowsOf(MultitablesPortTest::colB, rows), flat(b.array("col_B")), 0,
                "col_B of " + Arrays.toString(rows));
        double[] c = flat(b.array("col_C"));
        for (int i = 0; i < rows.length; i++) {
            assertEquals(MultitablesPortTest.colC(rows[i]), c[i], 0, "col_C of " + rows[i]);
        }
    }

    /** test_random_access, the table: pairs of whole records at shuffled even positions. */
    @Test
    void randomAccessRecords() {
        try (Hdf5Reader reader = Hdf5Reader.open(MultitablesPortTest.file(), MultitablesPortTest.N_PROCS)) {
            Hdf5Table t = reader.table("/test_table");
            assertEquals(N, t.rows());
            for (long idx : MultitablesPortTest.shuffledEvenStarts(N, 3)) {
                checkRecords(t.read(t.rows(idx, idx + 2)), idx, idx + 1);
            }
        }
    }

    /** test_overlapping_access_tbl: ten single-record requests in flight at once, then checked in order. */
    @Test
    void overlappingAccessRecords() {
        try (Hdf5Reader reader = Hdf5Reader.open(MultitablesPortTest.file(), MultitablesPortTest.N_PROCS)) {
            Hdf5Table t = reader.table("/test_table");
            for (long start = 0; start < N; start += 10) {
                List<CompletableFuture<RecordBatch>> reqs = new ArrayList<>();
                for (long idx = start; idx < Math.min(start + 10, N); idx++) {
                    reqs.add(t.request(t.rows(idx, idx + 1)));
                }
                for (int i = 0; i < reqs.size(); i++) {
                    checkRecords(reqs.get(i).join(), start + i);
                }
            }
        }
    }

    /**
     * test_threading_access_tbl and test_pool_tbl: a loader thread submits one record request per
     * row, never more than ten pending (the original's ten stages); the main thread takes them in
     * order.
     */
    @Test
    void loaderThreadWithTenPendingRecords() throws Exception {
        try (Hdf5Reader reader = Hdf5Reader.open(MultitablesPortTest.file(), MultitablesPortTest.N_PROCS)) {
            Hdf5Table t = reader.table("/test_table");
            record Pending(long idx, CompletableFuture<RecordBatch> future) {
            }
            BlockingQueue<Pending> reqs = new ArrayBlockingQueue<>(10);
            AtomicReference<Throwable> failed = new AtomicReference<>();
            Thread loader = new Thread(() -> {
                try {
                    for (long idx = 0; idx < N; idx++) {
                        reqs.put(new Pending(idx, t.request(t.rows(idx, idx + 1))));
                    }
                } catch (Throwable e) {
                    failed.set(e);
                }
            });
            loader.start();
            for (long i = 0; i < N; i++) {
                Pending p = reqs.poll(30, TimeUnit.SECONDS);
                assertTrue(p != null, "loader stalled: " + failed.get());
                assertEquals(i, p.idx());
                checkRecords(p.future().get(30, TimeUnit.SECONDS), i);
            }
            loader.join(10_000);
            assertEquals(null, failed.get());
        }
    }

    /**
     * test_indexing, the table queries as whole records: {@code where('col_C > x', condvars={'x':
     * 0.1}, start=300, stop=400)} equals {@code table[300:400][table[300:400]['col_C'] > 0.1]} and
     * {@code read_sorted('col_C', start=200, stop=300)} equals the table sorted by col_C, rows
     * 200..299, in every field; {@code table[[1, 2, 3]]} and {@code table[4:16:2]}.
     */
    @Test
    void queriesReturnWholeRecords() {
        try (Hdf5Reader reader = Hdf5Reader.open(MultitablesPortTest.file(), MultitablesPortTest.N_PROCS)) {
            Hdf5Table t = reader.table("/test_table");
            long[] where = LongStream.range(300, 400).filter(r -> MultitablesPortTest.colC(r) > 0.1).toArray();
            assertTrue(where.length > 50 && where.length < 100, "a real filter: " + where.length);
            checkRecords(t.where("col_C > x").bind("x", 0.1).range(300, 400).read(), where);
            long[] sorted = LongStream.range(0, N).boxed().sorted(Comparator.comparingDouble(MultitablesPortTest::colC))
                    .mapToLong(Long::longValue).skip(200).limit(100).toArray();
            checkRecords(t.readSorted("col_C").range(200, 300).read(), sorted);
            checkRecords(t.read(t.readCoordinates(new long[] {1, 2, 3})), 1, 2, 3);
            checkRecords(t.read(t.rows(4, 16, 2)), 4, 6, 8, 10, 12, 14);
            checkRecords(t.read(t.row(-1)), N - 1);
        }
    }
}
