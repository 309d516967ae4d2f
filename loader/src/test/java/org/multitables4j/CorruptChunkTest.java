package org.multitables4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * One chunk of /x that cannot be decoded (made by {@code corrupt/make_corrupt.py}: h5py writes the
 * file, then a run of the chunk's stored bytes is inverted). With FAIL every batch before the
 * first one that needs the chunk is delivered with the right rows, the exception comes at exactly
 * that {@code next()}, {@code state()} names that batch and a resumed run continues there; with
 * SKIP every other row is delivered exactly once and the skipped ones are counted. The rows of
 * the undamaged file come from the formula row r = (r, 2r, -r, r % 7), label r.
 */
class CorruptChunkTest {
    @TempDir
    static Path dir;
    static Path clean;
    static Path corrupt;
    static int n;
    static int badFrom;
    static int badRows;
    private static final Map<Order, List<long[]>> CLEAN = new HashMap<>();
    private static final Map<Order, Long> SEEDS = new HashMap<>();

    @BeforeAll
    static void makeFiles() throws IOException, InterruptedException {
        String[] f = CorruptFixture.write(dir);
        n = Integer.parseInt(f[0]);
        badFrom = Integer.parseInt(f[1]);
        badRows = Integer.parseInt(f[2]);
        clean = dir.resolve("clean.h5");
        corrupt = dir.resolve("corrupt.h5");
    }

    static Hdf5DataSetIterator.Builder base(Path file, Order order, int workers, Backend backend) {
        return base(file, order, workers, backend, seed(order));
    }

    static Hdf5DataSetIterator.Builder base(Path file, Order order, int workers, Backend backend, long seed) {
        Hdf5DataSetIterator.Builder b = Hdf5DataSetIterator.builder(file).features("/x").labels("/y")
                .batchSize(order.random() ? 8 : 64).shuffleWindow(4).order(order).seed(seed).workers(workers).prefetch(3);
        if (order == Order.RANDOM_WITH_REPLACEMENT) {
            b.samplesPerEpoch(n);
        }
        if (backend == Backend.PROCESSES) {
            b.backend(Backend.PROCESSES).sharedMemoryDir(dir);
        }
        return b;
    }

    /** The row ids of a batch, every row checked against the formula and its label. */
    static long[] ids(DataSet ds) {
        INDArray x = ds.getFeatures();
        INDArray y = ds.getLabels();
        long[] r = new long[(int) x.size(0)];
        for (int i = 0; i < r.length; i++) {
            float id = x.getFloat(i, 0);
            r[i] = (long) id;
            assertTrue(id >= 0 && id < n && id == r[i], "row id " + id);
            assertEquals(2f * id, x.getFloat(i, 1), "column 1 of row " + id);
            assertEquals(-id, x.getFloat(i, 2), 0f, "column 2 of row " + id);
            assertEquals(r[i] % 7, x.getFloat(i, 3), 0f, "column 3 of row " + id);
            assertEquals(id, y.getFloat(i, 0), "the label stays with its row " + id);
        }
        return r;
    }

    /** The batches of epoch 0 over the undamaged file. */
    static synchronized List<long[]> cleanBatches(Order order) {
        return CLEAN.computeIfAbsent(order, o -> cleanBatches(o, seed(o)));
    }

    static List<long[]> cleanBatches(Order o, long seed) {
        List<long[]> out = new ArrayList<>();
        try (Hdf5DataSetIterator it = base(clean, o, 2, Backend.THREADS, seed).build()) {
            while (it.hasNext()) {
                long[] got = ids(it.next());
                assertArrayEquals(it.lastIndices(), got);
                out.add(got);
            }
        }
        return out;
    }

    /** @return the first batch holding a row of the damaged chunk */
    static int firstBad(List<long[]> batches) {
        int b = 0;
        while (b < batches.size() && Arrays.stream(batches.get(b)).noneMatch(CorruptChunkTest::bad)) {
            b++;
        }
        return b;
    }

    /** A seed whose epoch 0 needs the damaged chunk only after a few batches (random orders need it soon). */
    static synchronized long seed(Order order) {
        return SEEDS.computeIfAbsent(order, o -> {
            for (long seed = 1; ; seed++) {
                int fb = firstBad(cleanBatches(o, seed));
                if (fb >= 4 || !o.permuted()) {
                    return seed;
                }
            }
        });
    }

    static boolean bad(long r) {
        return r >= badFrom && r < badFrom + badRows;
    }

    static Stream<Arguments> runs() {
        List<Arguments> a = new ArrayList<>();
        for (Order o : List.of(Order.ORDERED, Order.SHUFFLED, Order.RANDOM, Order.RANDOM_WITH_REPLACEMENT)) {
            a.add(Arguments.of(o, 1, Backend.THREADS));
            a.add(Arguments.of(o, 2, Backend.THREADS));
        }
        a.add(Arguments.of(Order.ORDERED, 2, Backend.PROCESSES));
        a.add(Arguments.of(Order.SHUFFLED, 1, Backend.PROCESSES));
        a.add(Arguments.of(Order.RANDOM, 2, Backend.PROCESSES));
        return a.stream();
    }

    @ParameterizedTest(name = "{0}, {1} workers, {2}")
    @MethodSource("runs")
    void failsAtExactlyTheBatchThatNeedsTheChunkAndResumesThere(Order order, int workers, Backend backend) {
        List<long[]> expected = cleanBatches(order);
        int firstBad = firstBad(expected);
        assertTrue(firstBad > 3 && firstBad < expected.size(), "the chunk is needed only after some batches: " + firstBad);
        IteratorState st;
        try (Hdf5DataSetIterator it = base(corrupt, order, workers, backend).build()) {
            for (int i = 0; i < firstBad; i++) {
                assertTrue(it.hasNext());
                assertArrayEquals(expected.get(i), ids(it.next()), "batch " + i + " before the damaged chunk");
            }
            CorruptDataException e = assertThrows(CorruptDataException.class, it::next, "batch " + firstBad);
            assertTrue(e.getMessage().contains("/x") && e.getMessage().contains("corrupt.h5"), e.getMessage());
            st = it.state();
            assertEquals(0, st.epoch());
            assertEquals(firstBad, st.batch(), "state() is the failing batch");
            assertTrue(it.hasNext());
            assertThrows(CorruptDataException.class, it::next, "the same batch is tried again and fails again");
            assertEquals(firstBad, it.state().batch());
        }
        try (Hdf5DataSetIterator again = base(corrupt, order, 2, Backend.THREADS).resumeFrom(st).build()) {
            assertThrows(CorruptDataException.class, again::next, "resumed on the damaged file: fails at once");
        }
        try (Hdf5DataSetIterator repaired = base(clean, order, 2, Backend.THREADS).resumeFrom(st).build()) {
            for (int i = firstBad; i < expected.size(); i++) {
                assertArrayEquals(expected.get(i), ids(repaired.next()), "resumed batch " + i);
            }
            assertFalse(repaired.hasNext());
        }
    }

    @ParameterizedTest(name = "{0}, {1} workers, {2}")
    @MethodSource("runs")
    void skipDeliversEveryOtherRowExactlyOnceAndCountsTheSkipped(Order order, int workers, Backend backend) {
        List<long[]> expected = cleanBatches(order);
        List<Long> want = new ArrayList<>();
        long skipped = 0;
        int batchesWithRows = 0;
        for (long[] b : expected) {
            int before = want.size();
            for (long r : b) {
                if (bad(r)) {
                    skipped++;
                } else {
                    want.add(r);
                }
            }
            batchesWithRows += want.size() > before ? 1 : 0;
        }
        try (Hdf5DataSetIterator it = base(corrupt, order, workers, backend).onCorruptChunk(CorruptChunkPolicy.SKIP)
                .build()) {
            for (int epoch = 1; epoch <= 2; epoch++) {
                List<Long> got = new ArrayList<>();
                int batches = 0;
                while (it.hasNext()) {
                    long[] ids = ids(it.next());
                    assertTrue(ids.length > 0, "no empty batch");
                    assertArrayEquals(it.lastIndices(), ids, "lastIndices() lists the rows delivered");
                    for (long r : ids) {
                        got.add(r);
                    }
                    batches++;
                }
                if (epoch == 1) {
                    assertEquals(want, got, "every row outside the damaged chunk, exactly once, in the epoch's order");
                    assertEquals(batchesWithRows, batches, "a batch that lost every row is not delivered");
                } else {
                    if (order != Order.RANDOM_WITH_REPLACEMENT) {
                        assertEquals(want.size(), got.size(), "epoch 2");
                    }
                    assertTrue(got.stream().noneMatch(CorruptChunkTest::bad), "epoch 2");
                }
                IteratorStats s = it.stats();
                assertEquals(epoch, s.skippedChunks(), "the chunk counts once per epoch");
                if (order != Order.RANDOM_WITH_REPLACEMENT || epoch == 1) {
                    assertEquals(epoch * skipped, s.skippedRows(), "rows skipped");
                }
                it.reset();
            }
        }
    }

    @Test
    void asAvailableDeliversEveryBatchButTheFailedOnesAndGoesOn() {
        List<Long> got = new ArrayList<>();
        int failures = 0;
        try (Hdf5DataSetIterator it = base(corrupt, Order.AS_AVAILABLE, 2, Backend.THREADS).build()) {
            int guard = 0;
            while (it.hasNext() && guard++ < 1000) {
                try {
                    for (long r : ids(it.next())) {
                        got.add(r);
                    }
                } catch (CorruptDataException e) {
                    failures++;
                }
            }
        }
        // ORDERED batches of 64 rows: 18, 19 and 20 hold rows of the chunk [1200, 1300)
        int firstBad = badFrom / 64;
        int lastBad = (badFrom + badRows - 1) / 64;
        assertEquals(lastBad - firstBad + 1, failures, "one failure per batch that needs the chunk");
        got.sort(null);
        List<Long> want = new ArrayList<>();
        for (long r = 0; r < n; r++) {
            if (r / 64 < firstBad || r / 64 > lastBad) {
                want.add(r);
            }
        }
        assertEquals(want, got, "every other batch exactly once");
    }

    @Test
    void skipDoesNotHideOtherErrors() {
        try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(Hdf5DataSetIteratorTest.fixture()).features("/x")
                .labels("/y_bad").oneHot(10).batchSize(100).order(Order.ORDERED).workers(2)
                .onCorruptChunk(CorruptChunkPolicy.SKIP).build()) {
            CorruptDataException e = assertThrows(CorruptDataException.class, () -> Hdf5DataSetIteratorTest.epoch(it));
            assertTrue(e.getMessage().contains("row 4321"), e.getMessage());
            assertEquals(43, it.state().batch(), "the batch holding row 4321");
            assertEquals(0, it.stats().skippedChunks());
        }
        assertThrows(InvalidConfigurationException.class, () -> Hdf5DataSetIterator.builder(clean).features("/x")
                .onCorruptChunk(null));
    }

    /**
     * With the default ring a SHUFFLED epoch scatters its windows (the other tests keep a ring of
     * three slots, the block store path): a damaged chunk fails every batch of its window, so the
     * first failure is the window's first batch, with every batch before it delivered whole.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void aScatteredWindowFailsFromItsFirstBatch(Backend backend) {
        long seed = seed(Order.SHUFFLED);
        List<long[]> expected = cleanBatches(Order.SHUFFLED);
        int chunk = badRows; // the script prints the chunk rows: the damaged chunk is one chunk
        org.multitables4j.internal.plan.EpochPlan p = org.multitables4j.internal.plan.EpochPlan.build(n, 64,
                Order.SHUFFLED, seed, 0, chunk, 4, false);
        int windowFirstBatch = -1;
        for (int w = 0; w < p.windows(); w++) {
            for (int j = 0; j < p.windowBlockCount(w); j++) {
                if (p.windowBlock(w, j) == badFrom / chunk) {
                    windowFirstBatch = p.windowStart(w) / 64;
                }
            }
        }
        assertTrue(windowFirstBatch > 0 && windowFirstBatch <= firstBad(expected), "window's first batch " + windowFirstBatch);
        Hdf5DataSetIterator.Builder b = Hdf5DataSetIterator.builder(corrupt).features("/x").labels("/y").batchSize(64)
                .shuffleWindow(4).order(Order.SHUFFLED).seed(seed).workers(2);
        if (backend == Backend.PROCESSES) {
            b.backend(Backend.PROCESSES).sharedMemoryDir(dir);
        }
        try (Hdf5DataSetIterator it = b.build()) {
            for (int k = 0; k < windowFirstBatch; k++) {
                assertArrayEquals(expected.get(k), ids(it.next()), "batch " + k);
            }
            assertThrows(CorruptDataException.class, it::next);
            assertEquals(0, it.stats().cache().hits(), "the features and labels were scattered, not gathered");
        }
    }

    static Stream<Backend> backends() {
        return Stream.of(Backend.THREADS, Backend.PROCESSES);
    }
}
