package org.multitables4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.multitables4j.Hdf5DataSetIteratorTest.N;
import static org.multitables4j.Hdf5DataSetIteratorTest.assertExactlyOnce;
import static org.multitables4j.Hdf5DataSetIteratorTest.base;
import static org.multitables4j.Hdf5DataSetIteratorTest.epoch;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A random order whose block store holds the whole dataset decodes it in the first epoch only:
 * later epochs (and an epoch restarted by {@code reset()}) are served from the blocks kept, with
 * every row's values checked against the fixture's formula ({@code iter/make_iter_fixture.py}).
 */
class RandomOrderStoreTest {

    @ParameterizedTest
    @CsvSource({"/x, RANDOM, 2, THREADS", "/x, RANDOM, 1, THREADS", "/x_contig, RANDOM, 2, THREADS",
        "/x, RANDOM_WITH_REPLACEMENT, 2, THREADS", "/x, RANDOM, 2, PROCESSES"})
    void laterEpochsDecodeNothing(String features, Order order, int workers, Backend backend) {
        try (Hdf5DataSetIterator it = base().features(features).order(order).workers(workers).backend(backend)
                .seed(5).build()) {
            int[] first = epoch(it);
            long decoded = it.stats().blocksDecoded();
            assertTrue(decoded > 0, "the first epoch decodes: " + it.stats());
            for (int e = 1; e < 3; e++) {
                it.reset();
                int[] ids = epoch(it);
                if (order == Order.RANDOM) {
                    assertExactlyOnce(ids);
                }
                assertFalse(Arrays.equals(first, ids), "epoch " + e + " has its own order");
                assertEquals(decoded, it.stats().blocksDecoded(), "epoch " + e + " decodes nothing: " + it.stats());
            }
            assertTrue(it.stats().readAmplification() < 0.5, it.stats().toString());
        }
    }

    /** An epoch stopped half way keeps what it decoded; the restarted epoch decodes only the rest. */
    @Test
    void anEpochStoppedHalfWayKeepsItsBlocks() {
        try (Hdf5DataSetIterator it = base().order(Order.RANDOM).workers(2).seed(9).build()) {
            for (int i = 0; i < 5; i++) {
                it.next();
            }
            it.reset();
            assertExactlyOnce(epoch(it));
            int blocks = (N + 255) / 256 + (N + 699) / 700; // /x in 256-row chunks, /y in 700-row chunks
            assertEquals(blocks, it.stats().blocksDecoded(), "each block once over both epochs: " + it.stats());
            long decoded = it.stats().blocksDecoded();
            it.reset();
            assertExactlyOnce(epoch(it));
            assertEquals(decoded, it.stats().blocksDecoded());
        }
    }

    /** Where the budget cannot hold the dataset nothing is kept: every epoch decodes again. */
    @Test
    void aSmallerBudgetDecodesEveryEpoch() {
        try (Hdf5DataSetIterator it = base().order(Order.RANDOM).cacheBytes(8 * 256 * 16).workers(2).build()) {
            assertExactlyOnce(epoch(it));
            long decoded = it.stats().blocksDecoded();
            it.reset();
            assertExactlyOnce(epoch(it));
            // nothing kept: the second epoch decodes every block it needs again (at least once each;
            // how many re-decodes eviction adds depends on the workers' timing)
            int blocks = (N + 255) / 256 + (N + 699) / 700;
            assertTrue(it.stats().blocksDecoded() - decoded >= blocks, it.stats().toString());
        }
    }

    /** SHUFFLED recycles blocks after their last use, so each epoch decodes every chunk once. */
    @Test
    void shuffledDecodesEveryEpoch() {
        try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(Hdf5DataSetIteratorTest.fixture()).features("/x").batchSize(96)
                .order(Order.SHUFFLED).workers(2).prefetch(4).build()) { // a ring too small to scatter: the block store
            for (int e = 1; e <= 2; e++) {
                assertExactlyOnce(epoch(it));
                assertEquals(e * ((N + 255) / 256), it.stats().blocksDecoded());
                it.reset();
            }
        }
    }

    /**
     * Closing the iterator frees its store's blocks at once. Left to the collector they count as
     * direct memory in use, and the next iterator's store, sized from what is left, got a
     * fraction of the dataset: a RANDOM_WITH_REPLACEMENT pass after four RANDOM passes over the
     * 410 MB benchmark file decoded every block 40 times (30 MB/s instead of 700).
     */
    @Test
    void closingFreesTheStoresBlocksAtOnce() {
        long datasetBytes = (long) N * 4 * 4 + (long) N * 8; // /x float32[4] and /y int64, all of it held
        Hdf5DataSetIterator it = base().order(Order.RANDOM).workers(2).seed(3).build();
        assertExactlyOnce(epoch(it));
        long held = org.multitables4j.internal.workers.Defaults.directUsed();
        it.close();
        long freed = held - org.multitables4j.internal.workers.Defaults.directUsed();
        assertTrue(freed >= datasetBytes, "close() freed " + freed + " bytes of direct memory, the store held "
                + datasetBytes);
    }
}
