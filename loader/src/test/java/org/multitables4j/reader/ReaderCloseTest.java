package org.multitables4j.reader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.multitables4j.IteratorClosedException;
import org.multitables4j.MultitablesException;

/**
 * close() lets scheduled requests finish, stop() cancels them; both wake every thread waiting
 * for a stage, a submission or a future with an {@link IteratorClosedException}, and a request
 * after either fails at once without taking a stage. Data: multitables.h5's
 * {@code /test_byte_array} (uint8 [1000000], zlib: {@code (r*31) % 200}).
 */
class ReaderCloseTest {

    /** Runs {@code body} on a thread, waits until it blocks, runs {@code close}, returns what the thread threw. */
    private static Throwable blockedThenClosed(Runnable body, Runnable close) throws InterruptedException {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                thrown.set(e);
            }
        });
        t.start();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING
                && t.getState() != Thread.State.TERMINATED && System.nanoTime() < until) {
            Thread.sleep(5);
        }
        Thread.sleep(50);
        long t0 = System.nanoTime();
        close.run();
        t.join(5000);
        assertFalse(t.isAlive(), "the blocked thread woke");
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5), "woken at close, not after a timeout");
        return thrown.get();
    }

    @Test
    void aRequestAfterCloseFailsAtOnceAndTakesNoStage() {
        Hdf5Reader reader = Hdf5Reader.open(MultitablesPortTest.file(), 2);
        Hdf5Dataset ds = reader.dataset("/test_byte_array");
        StagePool pool = ds.createStagePool(10, 2);
        RequestQueue queue = new RequestQueue(reader, pool);
        reader.close();
        long t0 = System.nanoTime();
        assertThrows(IteratorClosedException.class, () -> reader.request(ds.rows(0, 10), pool));
        assertThrows(IteratorClosedException.class, () -> reader.request(ds.rows(0, 10), pool, 1, TimeUnit.MINUTES));
        assertThrows(IteratorClosedException.class, () -> queue.submit(ds.rows(0, 10)));
        assertThrows(IteratorClosedException.class, () -> reader.request(ds.rows(0, 10), ds.createStage(10)));
        assertEquals(2, pool.free(), "no stage was taken");
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(2));
        reader.stop(); // after close: nothing left to cancel
    }

    @Test
    void closeAndStopWakeThreadsWaitingForAStage() throws Exception {
        for (boolean stop : new boolean[] {false, true}) {
            Hdf5Reader reader = Hdf5Reader.open(MultitablesPortTest.file(), 2);
            Hdf5Dataset ds = reader.dataset("/test_byte_array");
            StagePool pool = ds.createStagePool(10, 1);
            StagedArray held = reader.request(ds.rows(0, 10), pool).acquire(); // the only stage
            Throwable e = blockedThenClosed(() -> reader.request(ds.rows(10, 20), pool), stop ? reader::stop : reader::close);
            assertTrue(e instanceof IteratorClosedException, "stop=" + stop + ": " + e);
            held.close();
        }
    }

    @Test
    void closeWakesAConsumerWaitingForASubmission() throws Exception {
        Hdf5Reader reader = Hdf5Reader.open(MultitablesPortTest.file(), 2);
        Hdf5Dataset ds = reader.dataset("/test_byte_array");
        RequestQueue queue = new RequestQueue(reader, ds.createStagePool(10, 2));
        CompletionQueue done = new CompletionQueue(reader, ds.createStagePool(10, 2));
        Throwable e = blockedThenClosed(() -> queue.take(1, TimeUnit.MINUTES), reader::close);
        assertTrue(e instanceof IteratorClosedException, String.valueOf(e));
        assertThrows(IteratorClosedException.class, () -> done.take(1, TimeUnit.MINUTES));
    }

    private static List<Hdf5Future> bigRequests(Hdf5Reader reader, Hdf5Dataset ds, int n) {
        List<Hdf5Future> fs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long a = (i * 200_000L) % 800_000;
            fs.add(reader.request(ds.rows(a, a + 200_000), ds.createStage(200_000)));
        }
        return fs;
    }

    @Test
    void closeLetsScheduledRequestsFinish() {
        Hdf5Reader reader = Hdf5Reader.open(MultitablesPortTest.file(), 1, 0);
        Hdf5Dataset ds = reader.dataset("/test_byte_array");
        List<Hdf5Future> fs = bigRequests(reader, ds, 6);
        reader.close();
        for (int i = 0; i < fs.size(); i++) {
            long a = (i * 200_000L) % 800_000;
            double[] got = TablesFixture.values(fs.get(i).get());
            assertEquals(200_000, got.length);
            for (int k = 0; k < got.length; k += 997) {
                assertEquals(((a + k) * 31) % 200, got[k], 0, "row " + (a + k));
            }
        }
    }

    @Test
    void closeWithAShortWaitFailsWhatIsLeft() {
        Hdf5Reader reader = Hdf5Reader.open(MultitablesPortTest.file(), 1, 0);
        Hdf5Dataset ds = reader.dataset("/test_byte_array");
        // the reads wait while the test holds the store's lock, so none can end before close()
        java.util.concurrent.locks.ReentrantLock hold = ReaderTestAccess.monitor(ds);
        hold.lock();
        List<Hdf5Future> fs;
        try {
            fs = bigRequests(reader, ds, 60);
        } finally {
            hold.unlock();
        }
        long t0 = System.nanoTime();
        reader.close(1, TimeUnit.MILLISECONDS);
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(10));
        int failed = 0;
        for (Hdf5Future f : fs) {
            assertTrue(f.isDone());
            try {
                f.get();
            } catch (IteratorClosedException e) {
                failed++;
            }
        }
        assertTrue(failed > 0, "60 reads of 200 000 compressed rows on one worker do not all end within 1 ms");
    }

    @Test
    void stopCancelsAndWakesAThreadWaitingForAFuture() throws Exception {
        Hdf5Reader reader = Hdf5Reader.open(MultitablesPortTest.file(), 1, 0);
        Hdf5Dataset ds = reader.dataset("/test_byte_array");
        // the reads wait while the test holds the store's lock: the last one cannot have ended
        // before stop(), which comes right after the lock is let go
        java.util.concurrent.locks.ReentrantLock hold = ReaderTestAccess.monitor(ds);
        hold.lock();
        List<Hdf5Future> fs;
        Hdf5Future last;
        Throwable e;
        try {
            fs = bigRequests(reader, ds, 300);
            last = fs.get(fs.size() - 1);
        } catch (RuntimeException x) {
            hold.unlock();
            throw x;
        }
        e = blockedThenClosed(last::get, () -> {
            hold.unlock();
            reader.stop();
        });
        assertTrue(e instanceof IteratorClosedException, String.valueOf(e));
        int failed = 0;
        for (Hdf5Future f : fs.subList(0, fs.size() - 1)) {
            try {
                f.get();
            } catch (IteratorClosedException x) {
                failed++;
            } catch (MultitablesException x) {
                // a read cut off by the stop may fail otherwise; it fails, it does not hang
            }
        }
        assertTrue(failed >= 1, "the reads not yet started were cancelled: " + failed);
    }
}
