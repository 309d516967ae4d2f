package org.multitables4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Random minibatches with replacement: counts, determinism, uniformity and weights. */
class SamplingTest {
    static final int N = Hdf5DataSetIteratorTest.N;

    static Hdf5DataSetIterator.Builder base() {
        return Hdf5DataSetIteratorTest.base().order(Order.RANDOM_WITH_REPLACEMENT).batchSize(128).seed(8);
    }

    @Test
    void drawsWithReplacementDeterministically() {
        int[] a;
        try (Hdf5DataSetIterator it = base().samplesPerEpoch(50_000).workers(1).build()) {
            a = Hdf5DataSetIteratorTest.epoch(it); // checks every row's content and one-hot label
            assertEquals((50_000 + 127) / 128, it.batchesPerEpoch());
        }
        assertEquals(50_000, a.length);
        try (Hdf5DataSetIterator it = base().samplesPerEpoch(50_000).workers(4).build()) {
            assertArrayEquals(a, Hdf5DataSetIteratorTest.epoch(it), "same draw for any worker count");
            it.reset();
            assertFalse(Arrays.equals(a, Hdf5DataSetIteratorTest.epoch(it)), "a new draw each epoch");
        }
        int[] counts = new int[N];
        for (int id : a) {
            counts[id]++;
        }
        // 5 draws per row on average: repeats happen, and the spread is Poisson-like
        long repeated = Arrays.stream(counts).filter(c -> c > 1).count();
        assertTrue(repeated > N / 2, "rows drawn more than once: " + repeated);
        long never = Arrays.stream(counts).filter(c -> c == 0).count();
        assertTrue(never > 30 && never < 150, "rows never drawn (expected ~ N e^-5 = 67): " + never);
        int[] halves = new int[2];
        for (int id : a) {
            halves[id < N / 2 ? 0 : 1]++;
        }
        assertTrue(Math.abs(halves[0] - halves[1]) < 1500, Arrays.toString(halves));
    }

    @Test
    void weightsFromADatasetSteerTheDraw() {
        // weights = /y = r % 10: rows with r % 10 == 0 are never drawn, the others in proportion
        int[] a;
        try (Hdf5DataSetIterator it = base().samplesPerEpoch(90_000).sampleWeights("/y").workers(2).build()) {
            a = Hdf5DataSetIteratorTest.epoch(it);
        }
        long[] perClass = new long[10];
        for (int id : a) {
            perClass[id % 10]++;
        }
        assertEquals(0, perClass[0], "zero weight is never drawn");
        for (int c = 1; c < 10; c++) {
            double expected = 90_000.0 * c / 45;
            assertEquals(expected, perClass[c], 0.06 * expected, "class " + c + " of " + Arrays.toString(perClass));
        }
        double[] w = new double[N];
        w[7] = 1;
        w[N - 1] = 3;
        try (Hdf5DataSetIterator it = base().samplesPerEpoch(4000).sampleWeights(w).build()) {
            int[] b = Hdf5DataSetIteratorTest.epoch(it);
            long sevens = Arrays.stream(b).filter(id -> id == 7).count();
            assertEquals(4000, sevens + Arrays.stream(b).filter(id -> id == N - 1).count());
            assertEquals(1000, sevens, 120);
        }
    }

    @Test
    void resumeAndErrors() {
        List<int[]> whole;
        try (Hdf5DataSetIterator it = base().samplesPerEpoch(3000).build()) {
            whole = ShardAndResumeTest.batches(it, Integer.MAX_VALUE);
        }
        IteratorState state;
        try (Hdf5DataSetIterator it = base().samplesPerEpoch(3000).build()) {
            ShardAndResumeTest.batches(it, 7);
            state = it.state();
        }
        try (Hdf5DataSetIterator it = base().samplesPerEpoch(3000).resumeFrom(state).build()) {
            List<int[]> rest = ShardAndResumeTest.batches(it, Integer.MAX_VALUE);
            assertEquals(whole.size() - 7, rest.size());
            for (int i = 0; i < rest.size(); i++) {
                assertArrayEquals(whole.get(7 + i), rest.get(i));
            }
        }
        assertThrows(InvalidConfigurationException.class, () -> base().sampleWeights(new double[3]).build());
        assertThrows(InvalidConfigurationException.class, () -> base().sampleWeights(new double[N]).build());
        double[] neg = new double[N];
        neg[5] = -1;
        assertThrows(InvalidConfigurationException.class, () -> base().sampleWeights(neg).build());
        assertThrows(InvalidConfigurationException.class,
                () -> base().order(Order.SHUFFLED).sampleWeights("/y").build());
        assertThrows(InvalidConfigurationException.class, () -> base().sampleWeights("/x").build());
    }
}
