package org.multitables4j.reader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.multitables4j.Backend;
import org.multitables4j.CorruptDataException;
import org.multitables4j.IteratorClosedException;
import org.multitables4j.MultitablesException;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The Reader's failure paths, with worker threads and with worker processes: a chunk that cannot
 * be decoded fails its request with the same exception class on both backends (with worker
 * processes, the child's stack as the cause), runs the completion callbacks and hands the failed
 * future back through a {@link CompletionQueue}, and leaves the reader serving; tables and queries
 * run on worker processes with PyTables' results; {@code stop()} wakes a thread blocked on a table
 * read, or on a queue of requests that cannot end, with an {@link IteratorClosedException}; a
 * bounded {@code close()} fails the table reads still running when its wait is over.
 *
 * <p>Data: corrupt.h5 written by h5py ({@code corrupt/make_corrupt.py}): {@code /x} float32
 * [3000, 4], row r = (r, 2r, -r, r % 7), chunks of 100 rows; the chunk of rows 1200..1299 is
 * damaged. tables.h5 (PyTables, {@code tables/make_tables_fixture.py}) with PyTables' results
 * under {@code /expected}.
 */
class ReaderWorkerProcessesTest {
    @TempDir
    static Path dir;
    static Path corrupt;

    @BeforeAll
    static void makeFiles() throws IOException, InterruptedException {
        String[] out = org.multitables4j.CorruptFixture.write(dir);
        assertEquals("1200", out[1], "the damaged chunk starts at row 1200: " + String.join(" ", out));
        corrupt = dir.resolve("corrupt.h5");
    }

    private static double[] xRows(long a, long b) {
        double[] v = new double[(int) (b - a) * 4];
        for (long r = a; r < b; r++) {
            int i = (int) (r - a) * 4;
            v[i] = r;
            v[i + 1] = 2 * r;
            v[i + 2] = -r;
            v[i + 3] = r % 7;
        }
        return v;
    }

    /** The exception a request over the damaged chunk throws on the given backend, after checking the callbacks. */
    private static RuntimeException failure(Backend backend) throws Exception {
        try (Hdf5Reader reader = Hdf5Reader.open(corrupt, 2, 1 << 20, backend)) {
            Hdf5Dataset x = reader.dataset("/x");
            if (backend == Backend.PROCESSES) {
                assertFalse(reader.workerPids().isEmpty(), "worker processes run");
            }
            CompletionQueue queue = new CompletionQueue(reader, null);
            CountDownLatch called = new CountDownLatch(1);
            boolean[] failedInCallback = new boolean[1];
            Hdf5Future f = queue.add(reader.request(x.rows(1190, 1210), x.createStage(20)).whenComplete(done -> {
                failedInCallback[0] = done.isFailed();
                called.countDown();
            }));
            CompletableFuture<Hdf5Future> view = f.completion();
            assertTrue(called.await(30, TimeUnit.SECONDS), "the callback ran on failure");
            assertTrue(failedInCallback[0], "the callback sees the failure");
            assertSame(f, queue.take(10, TimeUnit.SECONDS), "a failed request comes back through the queue");
            java.util.concurrent.ExecutionException viewFailed = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> view.get(10, TimeUnit.SECONDS), "the CompletableFuture view fails too");
            assertTrue(viewFailed.getCause() instanceof CorruptDataException, String.valueOf(viewFailed.getCause()));
            RuntimeException e = assertThrows(RuntimeException.class, f::get);
            // the reader goes on serving, on the same stage kind, around the damaged chunk
            assertArrayEquals(xRows(1100, 1120), TablesFixture.values(reader.request(x.rows(1100, 1120), x.createStage(20)).get()), 0);
            long[] rows = {2999, 0, 1300, 1199};
            double[] want = new double[16];
            for (int i = 0; i < rows.length; i++) {
                System.arraycopy(xRows(rows[i], rows[i] + 1), 0, want, 4 * i, 4);
            }
            assertArrayEquals(want, TablesFixture.values(reader.request(x.rows(rows), x.createStage(4)).get()), 0);
            return e;
        }
    }

    @Test
    void aDamagedChunkFailsWithTheSameClassOnBothBackendsWithTheChildsStack() throws Exception {
        RuntimeException threads = failure(Backend.THREADS);
        RuntimeException processes = failure(Backend.PROCESSES);
        assertSame(CorruptDataException.class, threads.getClass(), String.valueOf(threads));
        assertSame(threads.getClass(), processes.getClass(), "the class crosses the process boundary: " + processes);
        assertTrue(processes.getMessage().contains("/x") && processes.getMessage().contains("corrupt.h5"), processes.getMessage());
        Throwable cause = processes;
        boolean childStack = false;
        while (cause != null && !childStack) {
            childStack = cause.getMessage() != null && cause.getMessage().contains("worker process")
                    && Arrays.stream(cause.getStackTrace()).anyMatch(s -> s.getClassName().endsWith("ChildMain"));
            cause = cause.getCause();
        }
        assertTrue(childStack, "a cause names the worker process and holds the child's frames");
    }

    @Test
    void tablesAndQueriesRunOnWorkerProcesses() {
        try (Hdf5Reader reader = Hdf5Reader.open(TablesFixture.file(), 2, 1 << 20, Backend.PROCESSES)) {
            Hdf5Table t = reader.table("/table");
            assertFalse(reader.workerPids().isEmpty(), "worker processes run");
            assertArrayEquals(TablesFixture.expected("w_and_or").asLongs(),
                    t.where("(x < 0.2) | ((k >= 10) & (y > 0))").coordinates());
            assertArrayEquals(TablesFixture.expected("w_arith").asLongs(),
                    t.where("(y * 2 + k / 4 - 1 > x) & (k != -48)").range(10, 990, 3).coordinates());
            assertArrayEquals(TablesFixture.expected("sorted_x_200_300").asLongs(), t.readSorted("x").range(200, 300).coordinates());
            assertArrayEquals(TablesFixture.expected("plain_sorted_v").asLongs(), reader.table("/plain").readSorted("v").coordinates());
            RecordBatch b = t.read(t.readCoordinates(new long[] {5, 999, 0, 5, 64, 63}));
            assertArrayEquals(TablesFixture.expected("coords").values(), TablesFixture.values(b.array("x")), 0);
            assertArrayEquals(new String[] {"r5", "r999", "r0", "r5", "r64", "r63"}, b.strings("name"));
            assertEquals(DataType.LONG, b.array("id").dataType());
            assertArrayEquals(new double[] {5, 999, 0, 5, 64, 63}, TablesFixture.values(b.array("id")), 0);
            Hdf5VLArray vl = reader.vlarray("/vl_int");
            assertArrayEquals(VLArrayTest.intRow(48), TablesFixture.values(vl.row(48)), 0);

            // numpy's indexing, against numpy's stored results, served by the children
            Hdf5Dataset cube = reader.dataset("/cube");
            boolean[] rowMask = new boolean[40];
            for (int i = 0; i < 40; i++) {
                rowMask[i] = i % 3 == 1;
            }
            Stage stage = cube.createStage(40, DataType.DOUBLE);
            java.util.Map<String, Request> forms = new java.util.LinkedHashMap<>();
            forms.put("cube_row7", cube.row(7));
            forms.put("cube_step", cube.rows(3, 30).select(1, 0, 6, 2).select(2, new long[] {1, 3}));
            forms.put("cube_mask_scalar", cube.mask(rowMask).at(2, 2));
            forms.put("cube_neg", cube.rows(-5, -1).select(1, -2, 6).select(2, new boolean[] {true, false, true, true, false}).at(-1, -1));
            for (java.util.Map.Entry<String, Request> f : forms.entrySet()) {
                TablesFixture.Expected e = TablesFixture.expected(f.getKey());
                org.nd4j.linalg.api.ndarray.INDArray got = reader.request(f.getValue(), stage).get();
                assertArrayEquals(e.shape(), got.shape(), f.getKey());
                assertArrayEquals(e.values(), TablesFixture.values(got), 0, f.getKey());
            }
            // a view of a stage in shared memory is revoked when released
            StagePool pool = cube.createStagePool(5, 1);
            StagedArray held = reader.request(cube.rows(0, 5), pool).acquire();
            org.nd4j.linalg.api.ndarray.INDArray kept = held.array();
            held.close();
            try (StagedArray next = reader.request(cube.rows(30, 35), pool).acquire()) {
                assertThrows(ViewReleasedException.class, held::array);
                assertThrows(IllegalStateException.class, kept::sumNumber);
                assertEquals(30 * 120 * 0.5, next.array().getDouble(0, 0, 0, 0), 0);
            }
        }
    }

    @Test
    void stopWakesAThreadBlockedOnATableRead() throws Exception {
        for (Backend backend : new Backend[] {Backend.THREADS, Backend.PROCESSES}) {
            Hdf5Reader reader = Hdf5Reader.open(TablesFixture.file(), 1, 0, backend);
            Hdf5Table t = reader.table("/table");
            // while the test holds the table's store lock no block can be read: the read cannot
            // end before stop(), which runs on another thread while the lock is still held
            ReentrantLock hold = ReaderTestAccess.monitor(t.carrier());
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread stopper = new Thread(reader::stop);
            hold.lock();
            try {
                Thread blocked = new Thread(() -> {
                    try {
                        t.read(t.all());
                    } catch (Throwable e) {
                        thrown.set(e);
                    }
                });
                blocked.start();
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (blocked.getState() != Thread.State.WAITING && System.nanoTime() < until) {
                    Thread.sleep(5);
                }
                Thread.sleep(50);
                assertTrue(blocked.isAlive(), "the read waits for the lock");
                long t0 = System.nanoTime();
                stopper.start();
                blocked.join(5000);
                assertFalse(blocked.isAlive(), backend + ": the blocked thread woke");
                assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5), backend + ": woken at stop");
                assertTrue(thrown.get() instanceof IteratorClosedException, backend + ": " + thrown.get());
            } finally {
                hold.unlock();
            }
            stopper.join(30_000);
            assertFalse(stopper.isAlive());
            assertThrows(IteratorClosedException.class, () -> t.read(t.rows(0, 1)));
            assertThrows(IteratorClosedException.class, () -> t.where("x > 0").coordinates());
        }
    }

    /**
     * close() with a bounded wait fails the table reads that cannot end within it: their futures
     * fail with an IteratorClosedException once the wait is over, while the reads are still stuck.
     */
    @Test
    void closeWithABoundedWaitFailsTableReadsThatCannotEnd() throws Exception {
        Hdf5Reader reader = Hdf5Reader.open(TablesFixture.file(), 1, 0, Backend.THREADS);
        Hdf5Table t = reader.table("/table");
        ReentrantLock hold = ReaderTestAccess.monitor(t.carrier());
        List<CompletableFuture<RecordBatch>> fs = new ArrayList<>();
        Thread closer = new Thread(() -> reader.close(50, TimeUnit.MILLISECONDS));
        hold.lock();
        try {
            for (int i = 0; i < 5; i++) {
                fs.add(t.request(t.all()));
            }
            long t0 = System.nanoTime();
            closer.start();
            for (CompletableFuture<RecordBatch> f : fs) {
                java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                        () -> f.get(10, TimeUnit.SECONDS));
                Throwable c = e.getCause() instanceof java.util.concurrent.CompletionException ? e.getCause().getCause() : e.getCause();
                assertTrue(c instanceof IteratorClosedException, String.valueOf(c));
                assertTrue(c instanceof MultitablesException);
            }
            long took = System.nanoTime() - t0;
            assertTrue(took >= TimeUnit.MILLISECONDS.toNanos(45), "close waited for the scheduled reads: " + took);
            assertTrue(took < TimeUnit.SECONDS.toNanos(5), "no longer than the wait: " + took);
        } finally {
            hold.unlock();
        }
        closer.join(30_000);
        assertFalse(closer.isAlive());
        assertThrows(IteratorClosedException.class, () -> t.read(t.rows(0, 1)));
    }

    /**
     * close() with a bounded wait returns soon after it even while a read stays stuck: the stuck
     * worker gets 5 s, as after a stop (it had 30 s, so close(50 ms) took 30 s).
     */
    @Test
    void closeWithABoundedWaitReturnsWhileAReadStaysStuck() throws Exception {
        Hdf5Reader reader = Hdf5Reader.open(TablesFixture.file(), 1, 0, Backend.THREADS);
        Hdf5Table t = reader.table("/table");
        ReentrantLock hold = ReaderTestAccess.monitor(t.carrier());
        Thread closer = new Thread(() -> reader.close(50, TimeUnit.MILLISECONDS));
        hold.lock();
        try {
            CompletableFuture<RecordBatch> f = t.request(t.all());
            long t0 = System.nanoTime();
            closer.start();
            closer.join(20_000);
            long took = System.nanoTime() - t0;
            assertFalse(closer.isAlive(), "close(50 ms) still running after 20 s with a stuck read");
            assertTrue(took < TimeUnit.SECONDS.toNanos(15), "close returned " + took / 1e9 + " s after its 50 ms wait");
            assertTrue(f.isCompletedExceptionally());
        } finally {
            hold.unlock();
        }
    }

    /**
     * stop() wakes consumers blocked on requests that cannot end: a {@link CompletionQueue}
     * taker gets the failed request back (its result an {@link IteratorClosedException}), a
     * {@link RequestQueue} taker the {@link IteratorClosedException} itself.
     */
    @Test
    void stopWakesQueueConsumersWaitingForStuckRequests() throws Exception {
        Hdf5Reader reader = Hdf5Reader.open(MultitablesPortTest.file(), 1, 0, Backend.THREADS);
        Hdf5Dataset ds = reader.dataset("/test_byte_array");
        CompletionQueue done = new CompletionQueue(reader, ds.createStagePool(1000, 2));
        RequestQueue ordered = new RequestQueue(reader, ds.createStagePool(1000, 2));
        ReentrantLock hold = ReaderTestAccess.monitor(ds);
        AtomicReference<Object> fromDone = new AtomicReference<>();
        AtomicReference<Object> fromOrdered = new AtomicReference<>();
        Thread stopper = new Thread(reader::stop);
        hold.lock();
        try {
            // more than 64 rows: read on the workers, which wait for the lock
            done.submit(ds.rows(0, 1000));
            ordered.submit(ds.rows(1000, 2000));
            Thread a = new Thread(() -> {
                try {
                    fromDone.set(done.take(1, TimeUnit.MINUTES));
                } catch (Throwable e) {
                    fromDone.set(e);
                }
            });
            Thread b = new Thread(() -> {
                try (StagedArray v = ordered.take(1, TimeUnit.MINUTES)) {
                    fromOrdered.set(v);
                } catch (Throwable e) {
                    fromOrdered.set(e);
                }
            });
            a.start();
            b.start();
            Thread.sleep(200);
            assertTrue(a.isAlive() && b.isAlive(), "both consumers wait");
            long t0 = System.nanoTime();
            stopper.start();
            a.join(5000);
            b.join(5000);
            assertFalse(a.isAlive() || b.isAlive(), "both consumers woke");
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5));
            assertTrue(fromDone.get() instanceof Hdf5Future, String.valueOf(fromDone.get()));
            Hdf5Future f = (Hdf5Future) fromDone.get();
            assertTrue(f.isFailed());
            assertThrows(IteratorClosedException.class, f::get);
            assertTrue(fromOrdered.get() instanceof IteratorClosedException, String.valueOf(fromOrdered.get()));
        } finally {
            hold.unlock();
        }
        stopper.join(30_000);
        assertFalse(stopper.isAlive());
        assertThrows(IteratorClosedException.class, () -> done.take(1, TimeUnit.SECONDS));
    }
}
