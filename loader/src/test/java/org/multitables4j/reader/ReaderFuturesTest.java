package org.multitables4j.reader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Futures as multitables has them: completion callbacks, a {@code CompletableFuture} view, a
 * queue that hands results back in completion order, and revocable views. Values are checked
 * against multitables.h5's formulas ({@code /test_array[r, i, j] = r*100 + i*10 + j}).
 */
class ReaderFuturesTest {

    private static double[] arrayRows(long a, long b) {
        double[] v = new double[(int) (b - a) * 100];
        for (int k = 0; k < v.length; k++) {
            v[k] = a * 100 + k;
        }
        return v;
    }

    @Test
    void whenCompleteAndCompletionSeeTheRows() throws Exception {
        try (Hdf5Reader reader = Hdf5Reader.open(MultitablesPortTest.file(), 2)) {
            Hdf5Dataset ds = reader.dataset("/test_array");
            CountDownLatch called = new CountDownLatch(1);
            List<double[]> seen = new ArrayList<>();
            Hdf5Future f = reader.request(ds.rows(30, 35), ds.createStage(5));
            assertSame(f, f.whenComplete(done -> {
                seen.add(TablesFixture.values(done.get()));
                called.countDown();
            }));
            assertTrue(called.await(10, TimeUnit.SECONDS));
            assertArrayEquals(arrayRows(30, 35), seen.get(0), 0);

            // a callback added after completion runs at once, on this thread
            Thread[] ran = new Thread[1];
            f.whenComplete(done -> ran[0] = Thread.currentThread());
            assertSame(Thread.currentThread(), ran[0]);

            Hdf5Future g = reader.request(ds.rows(new long[] {999, 0}), ds.createStage(2));
            CompletableFuture<double[]> composed = g.completion().thenApply(done -> TablesFixture.values(done.get()));
            double[] want = new double[200];
            System.arraycopy(arrayRows(999, 1000), 0, want, 0, 100);
            System.arraycopy(arrayRows(0, 1), 0, want, 100, 100);
            assertArrayEquals(want, composed.get(10, TimeUnit.SECONDS), 0);
            // completing the view does not touch the request
            Hdf5Future h = reader.request(ds.rows(1, 2), ds.createStage(1));
            h.completion().complete(null);
            assertArrayEquals(arrayRows(1, 2), TablesFixture.values(h.get()), 0);
        }
    }

    @Test
    void completionQueueHandsBackInCompletionOrder() {
        try (Hdf5Reader reader = Hdf5Reader.open(MultitablesPortTest.file(), 1)) {
            Hdf5Dataset ds = reader.dataset("/test_array");
            CompletionQueue q = new CompletionQueue(reader, null);
            // futures whose completion this test controls (the reader's own futures complete in
            // an order the test cannot force)
            List<CompletableFuture<Void>> gates = new ArrayList<>();
            List<Hdf5Future> futures = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                CompletableFuture<Void> gate = new CompletableFuture<>();
                Stage s = ds.createStage(1);
                s.tryClaim();
                gates.add(gate);
                futures.add(q.add(new Hdf5Future(gate, s, ds.rows(i, i + 1))));
            }
            assertEquals(4, q.pending());
            assertEquals(null, q.poll());
            int[] order = {2, 0, 3, 1};
            for (int i : order) {
                gates.get(i).complete(null);
            }
            for (int i : order) {
                assertSame(futures.get(i), q.take(1, TimeUnit.SECONDS));
            }
            assertEquals(0, q.pending());
            assertThrows(org.multitables4j.MultitablesException.class, () -> q.take(10, TimeUnit.MILLISECONDS));
        }
    }

    @Test
    void completionQueueOverAPoolDeliversEveryRequest() throws Exception {
        try (Hdf5Reader reader = Hdf5Reader.open(MultitablesPortTest.file(), 3)) {
            Hdf5Dataset ds = reader.dataset("/test_array");
            CompletionQueue q = new CompletionQueue(reader, ds.createStagePool(5, 3));
            List<Long> firstRows = new ArrayList<>();
            Thread loader = new Thread(() -> {
                for (long r = 0; r < 200; r += 5) {
                    q.submit(ds.rows(r, r + 5));
                }
            });
            loader.start();
            boolean[] got = new boolean[40];
            for (int i = 0; i < 40; i++) {
                Hdf5Future f = q.take(30, TimeUnit.SECONDS);
                assertTrue(f.isDone());
                try (StagedArray v = f.acquire()) {
                    double first = v.array().getDouble(0, 0, 0);
                    long r = (long) first / 100;
                    assertArrayEquals(arrayRows(r, r + 5), TablesFixture.values(v.array()), 0);
                    got[(int) r / 5] = true;
                    firstRows.add(r);
                }
            }
            loader.join(10_000);
            for (boolean b : got) {
                assertTrue(b, "every request came back once: " + firstRows);
            }
        }
    }

    @Test
    void aViewFailsLoudlyOnceReleased() {
        try (Hdf5Reader reader = Hdf5Reader.open(MultitablesPortTest.file(), 2)) {
            Hdf5Dataset ds = reader.dataset("/test_array");
            StagePool pool = ds.createStagePool(5, 1);
            StagedArray held = reader.request(ds.rows(10, 15), pool).acquire();
            INDArray kept = held.array();
            INDArray derived = kept.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 3));
            assertArrayEquals(arrayRows(10, 15), TablesFixture.values(kept), 0);
            held.close();
            // the stage now holds other rows; the old view must not show them
            try (StagedArray next = reader.request(ds.rows(500, 505), pool).acquire()) {
                assertArrayEquals(arrayRows(500, 505), TablesFixture.values(next.array()), 0);
                assertThrows(ViewReleasedException.class, held::array);
                assertThrows(IllegalStateException.class, () -> kept.getDouble(0));
                assertThrows(IllegalStateException.class, () -> kept.sumNumber());
                assertThrows(IllegalStateException.class, () -> kept.dup());
                assertThrows(IllegalStateException.class, () -> derived.sumNumber());
            }
            // a view that escapes getDirect is revoked too
            INDArray[] escaped = new INDArray[1];
            Stage own = ds.createStage(2, DataType.DOUBLE);
            reader.request(ds.rows(3, 5), own).getDirect(a -> escaped[0] = a);
            assertThrows(IllegalStateException.class, () -> escaped[0].sumNumber());
            // a copy from get() outlives the stage
            INDArray copy = reader.request(ds.rows(3, 5), own).get();
            reader.request(ds.rows(7, 9), own).get();
            assertArrayEquals(arrayRows(3, 5), TablesFixture.values(copy), 0);
        }
    }

    @Test
    void everyViewOfARepeatedShapeIsRevokedAndEveryCopyStays() {
        try (Hdf5Reader reader = Hdf5Reader.open(MultitablesPortTest.file(), 2)) {
            Hdf5Dataset ds = reader.dataset("/test_array");
            Stage stage = ds.createStage(1);
            List<INDArray> kept = new ArrayList<>();
            List<INDArray> copies = new ArrayList<>();
            long[] rows = {5, 17, 5, 900, 42, 43};
            for (int i = 0; i < rows.length; i++) {
                long r = rows[i];
                // x[r:r+1] and x[r] alternate: the shape changes, then repeats
                Request req = i % 3 == 2 ? ds.row(r) : ds.rows(new long[] {r});
                long[] shape = i % 3 == 2 ? new long[] {10, 10} : new long[] {1, 10, 10};
                try (StagedArray v = reader.request(req, stage).acquire()) {
                    assertArrayEquals(shape, v.array().shape());
                    assertArrayEquals(arrayRows(r, r + 1), TablesFixture.values(v.array()), 0);
                    assertSame(v.array(), v.array(), "one view per result");
                    kept.add(v.array());
                }
                INDArray copy = reader.request(req, stage).get();
                assertArrayEquals(shape, copy.shape());
                copies.add(copy);
            }
            for (int i = 0; i < rows.length; i++) {
                INDArray k = kept.get(i);
                assertThrows(IllegalStateException.class, () -> k.getDouble(0), "view " + i + " is revoked");
                assertThrows(IllegalStateException.class, () -> k.sumNumber(), "view " + i + " is revoked");
                assertArrayEquals(arrayRows(rows[i], rows[i] + 1), TablesFixture.values(copies.get(i)), 0);
            }
            // a result only closed, never looked at, frees the stage too
            reader.request(ds.rows(new long[] {3}), stage).acquire().close();
            assertArrayEquals(arrayRows(4, 5), TablesFixture.values(reader.request(ds.row(4), stage).get()), 0);
        }
    }

    @Test
    void aCopyIsDetachedEvenInsideAWorkspace() {
        org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration cfg = org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration
                .builder().initialSize(1 << 20).build();
        try (Hdf5Reader reader = Hdf5Reader.open(MultitablesPortTest.file(), 2)) {
            Hdf5Dataset ds = reader.dataset("/test_array");
            Stage stage = ds.createStage(3);
            INDArray copy;
            try (org.nd4j.linalg.api.memory.MemoryWorkspace ws = org.nd4j.linalg.factory.Nd4j.getWorkspaceManager()
                    .getAndActivateWorkspace(cfg, "READER_COPY_TEST")) {
                copy = reader.request(ds.rows(20, 23), stage).get();
                assertTrue(!copy.isAttached(), "get() hands out a detached copy, not one in the caller's workspace");
            }
            assertArrayEquals(arrayRows(20, 23), TablesFixture.values(copy), 0);
        }
    }
}
