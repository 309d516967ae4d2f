package org.multitables4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.multitables4j.internal.plan.EpochPlan;
import org.nd4j.linalg.dataset.DataSet;

/**
 * SHUFFLED epochs whose windows are scattered straight into the slots (the default ring), on
 * iter.h5 (written by h5py: row r of /x is [r, 2r, -r, r % 7], /y is r % 10, so every delivered
 * row is checked against its id by {@link Hdf5DataSetIteratorTest#epoch}). The delivered order
 * must be the epoch plan's, batch for batch, and the same as the block store path's (a ring of
 * four slots, too small to scatter into); each window must hold whole chunks.
 */
class ShuffledScatterTest {
    private static final int N = Hdf5DataSetIteratorTest.N;

    private static int[] planIds(int rows, int batch, long seed, long epoch, int blockRows, int window, boolean dropLast,
                                 long first) {
        EpochPlan p = EpochPlan.build(rows, batch, Order.SHUFFLED, seed, epoch, blockRows, window, dropLast).startingAt(first);
        int[] ids = new int[rows];
        int n = 0;
        for (int b = 0; b < p.batches(); b++) {
            for (int k = 0; k < p.batchRows(b); k++) {
                ids[n++] = (int) p.row(b, k);
            }
        }
        return Arrays.copyOf(ids, n);
    }

    private static int[] epoch(Hdf5DataSetIterator it) {
        int[] ids = new int[N];
        int n = 0;
        while (it.hasNext()) {
            DataSet ds = it.next();
            for (int i = 0; i < ds.getFeatures().size(0); i++) {
                float r = ds.getFeatures().getFloat(i, 0);
                assertEquals(2f * r, ds.getFeatures().getFloat(i, 1), "column 1 of row " + r);
                assertEquals((int) r % 7, ds.getFeatures().getFloat(i, 3), "column 3 of row " + r);
                if (ds.getLabels() != null) {
                    assertEquals(1f, ds.getLabels().getFloat(i, (int) r % 10), "one-hot of row " + r);
                    assertEquals(1f, ds.getLabels().getRow(i).sumNumber().floatValue(), "one 1 in the one-hot of row " + r);
                }
                ids[n++] = (int) r;
            }
        }
        return Arrays.copyOf(ids, n);
    }

    @ParameterizedTest
    @CsvSource({
        // features, chunk rows, batch, window blocks, workers, backend, dropLast
        "/x, 256, 96, 16, 2, THREADS, false",      // batches straddle windows
        "/x, 256, 256, 4, 1, THREADS, false",      // batches on window bounds
        "/x, 256, 1000, 2, 3, THREADS, false",     // a batch spans several windows
        "/x, 256, 96, 16, 2, THREADS, true",       // the last partial batch dropped
        "/x, 256, 100, 8, 2, PROCESSES, false",    // decoded in child processes
        "/x_f8_be, 100, 64, 16, 2, THREADS, false", // converted rows (big-endian float64 to float32)
        "/x_i4, 1000, 128, 4, 2, THREADS, false"})  // converted rows (int32 to float32)
    void everyBatchHoldsThePlansRows(String features, int chunkRows, int batch, int window, int workers, Backend backend,
                                     boolean dropLast) {
        Hdf5DataSetIterator.Builder b = Hdf5DataSetIteratorTest.base().features(features).batchSize(batch)
                .order(Order.SHUFFLED).shuffleWindow(window).workers(workers).backend(backend).seed(21).dropLast(dropLast);
        int[][] scattered = new int[2][];
        try (Hdf5DataSetIterator it = b.build()) {
            scattered[0] = epoch(it);
            it.reset();
            scattered[1] = epoch(it);
        }
        for (int e = 0; e < 2; e++) {
            assertArrayEquals(planIds(N, batch, 21, e, chunkRows, window, dropLast, 0), scattered[e], "epoch " + e);
        }
        try (Hdf5DataSetIterator it = b.prefetch(4).build()) {
            assertArrayEquals(scattered[0], epoch(it), "the block store path's order");
        }
    }

    @Test
    void eachWindowHoldsWholeChunks() {
        int[] ids;
        try (Hdf5DataSetIterator it = Hdf5DataSetIteratorTest.base().batchSize(96).order(Order.SHUFFLED).shuffleWindow(4)
                .seed(2).workers(2).build()) {
            ids = epoch(it);
        }
        assertEquals(N, ids.length);
        // 256-row chunks, 4 per window: positions [1024 w, 1024 (w + 1)) come from four whole
        // chunks (the one short chunk, rows 9984..9999, shifts the windows after it)
        int at = 0;
        while (at < N) {
            Set<Integer> chunks = new HashSet<>();
            for (int i = at; chunks.size() < 4 && i < N; i++) {
                chunks.add(ids[i] / 256);
            }
            int rows = 0;
            for (int c : chunks) {
                rows += Math.min(256, N - 256 * c);
            }
            assertTrue(at + rows <= N, "the window at position " + at + " fits the epoch");
            Set<Integer> seen = new HashSet<>();
            for (int i = at; i < at + rows; i++) {
                assertTrue(chunks.contains(ids[i] / 256), "position " + i + " (row " + ids[i] + ") is in its window's chunks");
                seen.add(ids[i]);
            }
            assertEquals(rows, seen.size(), "every row of the window's chunks once");
            at += rows;
        }
    }

    @Test
    void scatteringSkipsTheBlockStore() {
        Hdf5DataSetIterator.Builder b = Hdf5DataSetIterator.builder(Hdf5DataSetIteratorTest.fixture()).features("/x")
                .batchSize(96).order(Order.SHUFFLED).seed(4).workers(2);
        try (Hdf5DataSetIterator it = b.build()) {
            assertEquals(N, epoch(it).length);
            IteratorStats s = it.stats();
            assertEquals(0, s.cache().hits(), "no row is taken from the block store");
            assertEquals(40, s.blocksDecoded(), "each of the 40 chunks decoded once");
            assertEquals(1.0, s.readAmplification(), 1e-9);
        }
        try (Hdf5DataSetIterator it = b.prefetch(4).build()) {
            assertEquals(N, epoch(it).length);
            assertTrue(it.stats().cache().hits() > 0, "a ring of four slots gathers from the block store");
        }
    }

    @ParameterizedTest
    @CsvSource({"512, 9000", "100, 9000", "0, 10000"})
    void rowRangesKeepThePlansOrder(long from, long to) {
        try (Hdf5DataSetIterator it = Hdf5DataSetIteratorTest.base().batchSize(80).order(Order.SHUFFLED).seed(8).workers(2)
                .rows(from, to).build()) {
            int[] ids = epoch(it);
            assertArrayEquals(planIds((int) (to - from), 80, 8, 0, 256, 16, false, from), ids);
        }
    }

    @Test
    void aResumedEpochContinuesMidWindow() {
        Hdf5DataSetIterator.Builder b = Hdf5DataSetIteratorTest.base().batchSize(96).order(Order.SHUFFLED).seed(6).workers(2);
        int[] expected = planIds(N, 96, 6, 0, 256, 16, false, 0);
        IteratorState state;
        try (Hdf5DataSetIterator it = b.build()) {
            for (int i = 0; i < 50; i++) { // past the first window (4096 rows = 42.7 batches), in the second
                it.next();
            }
            state = it.state();
        }
        try (Hdf5DataSetIterator it = b.resumeFrom(state).build()) {
            assertArrayEquals(Arrays.copyOfRange(expected, 50 * 96, N), epoch(it));
        }
    }

    @Test
    void aBadClassFailsItsWindowsBatchesInOrder() {
        // /y_bad (contiguous, so filled through its store when a batch is published) holds class
        // 12 at row 4321: every batch before the one holding that row is delivered, then the
        // iterator throws the typed error (a damaged scattered chunk: CorruptChunkTest)
        Hdf5DataSetIterator.Builder b = Hdf5DataSetIterator.builder(Hdf5DataSetIteratorTest.fixture()).features("/x")
                .labels("/y_bad").oneHot(10).batchSize(128).order(Order.SHUFFLED).seed(3).workers(2);
        int[] expected = planIds(N, 128, 3, 0, 256, 16, false, 0);
        int failedBatch = -1;
        for (int i = 0; i < N; i++) {
            if (expected[i] == 4321) {
                failedBatch = i / 128;
            }
        }
        try (Hdf5DataSetIterator it = b.build()) {
            int delivered = 0;
            for (; delivered < failedBatch; delivered++) {
                it.next();
            }
            assertThrows(CorruptDataException.class, it::next);
        }
    }
}
