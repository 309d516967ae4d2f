package org.multitables4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * {@code rows(from, to)} and {@code rowFraction}: on iter.h5 (h5py, see make_iter_fixture.py)
 * every feature row carries its own id, so the rows served are checked against the range itself.
 */
class RowRangeTest {
    private static int[] sortedIds(Hdf5DataSetIterator.Builder b) {
        try (Hdf5DataSetIterator it = b.build()) {
            int[] ids = Hdf5DataSetIteratorTest.epoch(it);
            Arrays.sort(ids);
            return ids;
        }
    }

    private static int[] range(int from, int to) {
        int[] r = new int[to - from];
        for (int i = 0; i < r.length; i++) {
            r[i] = from + i;
        }
        return r;
    }

    @ParameterizedTest
    @CsvSource({"ORDERED,/x", "AS_AVAILABLE,/x", "SHUFFLED,/x", "RANDOM,/x", "ORDERED,/x_contig", "RANDOM,/x_contig",
            "SHUFFLED,/x_f8_be"})
    void everyOrderServesExactlyTheRange(Order order, String features) {
        int[] ids = sortedIds(Hdf5DataSetIteratorTest.base().features(features).order(order).seed(3).workers(2)
                .rows(1234, 7777));
        assertArrayEquals(range(1234, 7777), ids);
    }

    @Test
    void orderedRangeIsInFileOrder() {
        try (Hdf5DataSetIterator it = Hdf5DataSetIteratorTest.base().order(Order.ORDERED).rows(500, 1000).build()) {
            assertArrayEquals(range(500, 1000), Hdf5DataSetIteratorTest.epoch(it));
        }
    }

    @Test
    void fractionsSplitDisjointAndCovering() {
        int n = Hdf5DataSetIteratorTest.N;
        int cut = (int) Math.floor(0.8 * n);
        int[] train = sortedIds(Hdf5DataSetIteratorTest.base().order(Order.RANDOM).rowFraction(0, 0.8));
        int[] valid = sortedIds(Hdf5DataSetIteratorTest.base().order(Order.ORDERED).rowFraction(0.8, 1));
        assertArrayEquals(range(0, cut), train);
        assertArrayEquals(range(cut, n), valid);
    }

    @Test
    void shardsCoverTheRange() {
        int[] all = new int[0];
        for (int s = 0; s < 3; s++) {
            int[] ids = sortedIds(Hdf5DataSetIteratorTest.base().order(Order.SHUFFLED).shard(s, 3)
                    .shardMode(ShardMode.UNEVEN).rows(100, 2100));
            int[] merged = Arrays.copyOf(all, all.length + ids.length);
            System.arraycopy(ids, 0, merged, all.length, ids.length);
            all = merged;
        }
        Arrays.sort(all);
        assertArrayEquals(range(100, 2100), all);
    }

    @Test
    void samplingDrawsOnlyFromTheRange() {
        try (Hdf5DataSetIterator it = Hdf5DataSetIteratorTest.base().order(Order.RANDOM_WITH_REPLACEMENT)
                .samplesPerEpoch(3000).rows(9000, 9100).build()) {
            int[] ids = Hdf5DataSetIteratorTest.epoch(it);
            assertEquals(3000, ids.length);
            for (int id : ids) {
                assertTrue(id >= 9000 && id < 9100, "row " + id + " outside the range");
            }
        }
    }

    @Test
    void resumeWithinTheRange() {
        Hdf5DataSetIterator.Builder b = Hdf5DataSetIteratorTest.base().order(Order.RANDOM).seed(9).rows(2000, 3000);
        int[] full;
        try (Hdf5DataSetIterator it = b.build()) {
            full = Hdf5DataSetIteratorTest.epoch(it);
        }
        IteratorState st;
        int[] head;
        try (Hdf5DataSetIterator it = b.build()) {
            head = new int[0];
            for (int i = 0; i < 4; i++) {
                it.next();
                head = Arrays.copyOf(head, head.length + it.lastIndices().length);
            }
            st = it.state();
        }
        try (Hdf5DataSetIterator it = b.resumeFrom(st).build()) {
            int[] rest = Hdf5DataSetIteratorTest.epoch(it);
            assertArrayEquals(Arrays.copyOfRange(full, head.length, full.length), rest);
        }
    }

    @Test
    void rangeOutsideTheDatasetFailsAtBuild() {
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> Hdf5DataSetIteratorTest.base().rows(9000, 10001).build());
        assertTrue(e.getMessage().contains("rows(9000, 10001)"), e.getMessage());
        assertThrows(InvalidConfigurationException.class, () -> Hdf5DataSetIteratorTest.base().rows(5, 5));
        assertThrows(InvalidConfigurationException.class, () -> Hdf5DataSetIteratorTest.base().rowFraction(0.5, 1.5));
    }
}
