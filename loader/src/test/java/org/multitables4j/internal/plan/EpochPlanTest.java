package org.multitables4j.internal.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.multitables4j.Order;
import org.multitables4j.ShardMode;

/** The epoch plan on its own: which rows each batch holds, checked against the order's definition. */
class EpochPlanTest {
    /** The plan's row sequence, batch after batch. */
    static long[] sequence(EpochPlan p) {
        List<Long> out = new ArrayList<>();
        for (int b = 0; b < p.batches(); b++) {
            for (int k = 0; k < p.batchRows(b); k++) {
                out.add(p.row(b, k));
            }
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    @Test
    void everyOrderIsAPermutationOfTheRows() {
        long rows = 1003;
        for (Order o : new Order[] {Order.ORDERED, Order.AS_AVAILABLE, Order.SHUFFLED, Order.RANDOM}) {
            EpochPlan p = EpochPlan.build(rows, 64, o, 9, 0, 50, 4, false);
            assertEquals((rows + 63) / 64, p.batches(), o.toString());
            assertEquals(rows % 64, p.batchRows(p.batches() - 1), o.toString());
            long[] seq = sequence(p);
            long[] sorted = seq.clone();
            Arrays.sort(sorted);
            for (int i = 0; i < rows; i++) {
                assertEquals(i, sorted[i], o + ": every row once");
            }
            if (!o.permuted()) {
                for (int i = 0; i < rows; i++) {
                    assertEquals(i, seq[i], o + ": on-disk order");
                }
                assertTrue(p.sequential());
            } else {
                assertFalse(p.sequential());
            }
        }
        EpochPlan drop = EpochPlan.build(rows, 64, Order.RANDOM, 9, 0, 50, 4, true);
        assertEquals(rows / 64, drop.batches(), "dropLast");
        assertEquals(64, drop.batchRows(drop.batches() - 1));
    }

    @Test
    void shuffledWindowsHoldExactlyTheRowsOfTheirBlocks() {
        int blockRows = 50;
        int window = 4;
        long rows = 1003; // 21 blocks, the last of 3 rows: windows of 4, 4, 4, 4, 4, 1 blocks
        EpochPlan p = EpochPlan.build(rows, 64, Order.SHUFFLED, 3, 2, blockRows, window, false);
        long[] seq = sequence(p);
        int at = 0;
        List<Long> seenBlocks = new ArrayList<>();
        while (at < seq.length) {
            // the window's blocks are those its first rows belong to; they are whole
            java.util.Set<Long> blocks = new java.util.TreeSet<>();
            int size = 0;
            int j = at;
            while (blocks.size() < window && j < seq.length) {
                long blk = seq[j] / blockRows;
                if (!blocks.contains(blk)) {
                    blocks.add(blk);
                    size += (int) (Math.min(rows, (blk + 1) * blockRows) - blk * blockRows);
                }
                j++;
                // keep scanning within the rows that must belong to the window
                if (j - at >= size && blocks.size() == window) {
                    break;
                }
            }
            size = 0;
            for (long blk : blocks) {
                size += (int) (Math.min(rows, (blk + 1) * blockRows) - blk * blockRows);
            }
            long[] got = Arrays.copyOfRange(seq, at, at + size);
            Arrays.sort(got);
            List<Long> want = new ArrayList<>();
            for (long blk : blocks) {
                for (long r = blk * blockRows; r < Math.min(rows, (blk + 1) * blockRows); r++) {
                    want.add(r);
                }
            }
            assertEquals(want.size(), got.length);
            for (int i = 0; i < got.length; i++) {
                assertEquals(want.get(i), got[i], "window at " + at + " holds exactly the rows of blocks " + blocks);
            }
            seenBlocks.addAll(blocks);
            at += size;
        }
        assertEquals(21, seenBlocks.size(), "every block in exactly one window");
        assertEquals(21, seenBlocks.stream().distinct().count());
    }

    @Test
    void sameSeedSamePlanOtherEpochOtherPlan() {
        for (Order o : new Order[] {Order.SHUFFLED, Order.RANDOM, Order.RANDOM_WITH_REPLACEMENT}) {
            long[] a = sequence(EpochPlan.build(5000, 100, o, 42, 3, 128, 4, false));
            long[] b = sequence(EpochPlan.build(5000, 100, o, 42, 3, 128, 4, false));
            long[] c = sequence(EpochPlan.build(5000, 100, o, 42, 4, 128, 4, false));
            long[] d = sequence(EpochPlan.build(5000, 100, o, 43, 3, 128, 4, false));
            assertTrue(Arrays.equals(a, b), o + ": same seed and epoch, same plan");
            assertFalse(Arrays.equals(a, c), o + ": another epoch, another plan");
            assertFalse(Arrays.equals(a, d), o + ": another seed, another plan");
        }
    }

    @Test
    void shardsDealGlobalBatchesRoundRobin() {
        long rows = 1000;
        int bs = 64; // 16 global batches, the last of 40 rows
        for (Order o : new Order[] {Order.ORDERED, Order.SHUFFLED, Order.RANDOM, Order.RANDOM_WITH_REPLACEMENT}) {
            EpochPlan whole = EpochPlan.build(rows, bs, o, 5, 1, 100, 3, false);
            long[] global = sequence(whole);
            for (int n = 1; n <= 5; n++) {
                for (ShardMode mode : ShardMode.values()) {
                    int total = 0;
                    for (int i = 0; i < n; i++) {
                        EpochPlan s = EpochPlan.build(rows, bs, o, 5, 1, 100, 3, false, i, n, mode);
                        long span = (long) n * bs;
                        long padded = n == 1 || mode == ShardMode.UNEVEN ? rows
                                : mode == ShardMode.DROP ? rows / span * span : (rows + span - 1) / span * span;
                        long globalBatches = (padded + bs - 1) / bs;
                        long want = globalBatches > i ? (globalBatches - i + n - 1) / n : 0;
                        assertEquals(want, s.batches(), o + " " + mode + " shard " + i + " of " + n);
                        if (n > 1 && mode != ShardMode.UNEVEN) {
                            assertEquals(globalBatches / n, s.batches(), "equal shares with " + mode);
                        }
                        for (int j = 0; j < s.batches(); j++) {
                            long g = i + (long) j * n;
                            long start = g * bs;
                            assertEquals(Math.min(bs, padded - start), s.batchRows(j));
                            for (int k = 0; k < s.batchRows(j); k++) {
                                // positions past the sequence (PAD) repeat its beginning
                                assertEquals(global[(int) ((start + k) % rows)], s.row(j, k),
                                        o + " " + mode + " shard " + i + "/" + n + " batch " + j + " pos " + k);
                            }
                        }
                        total += s.batches();
                    }
                    long span = (long) n * bs;
                    if (mode == ShardMode.UNEVEN || n == 1) {
                        assertEquals(16, total, "UNEVEN deals every global batch");
                    } else if (mode == ShardMode.DROP) {
                        assertEquals(rows / span * n, total);
                    } else {
                        assertEquals((rows + span - 1) / span * n, total);
                    }
                }
            }
        }
    }

    @Test
    void weightedDrawsNeverPickRowsOfWeightZero() {
        int rows = 50;
        double[] w = new double[rows];
        for (int i = 0; i < rows; i++) {
            w[i] = i % 4 == 0 ? 0 : i; // zero weights in the middle, at the start and at row 48
        }
        w[rows - 1] = 0; // and a zero last row
        double[] c = new double[rows];
        double sum = 0;
        for (int i = 0; i < rows; i++) {
            sum += w[i];
            c[i] = sum;
        }
        long[] counts = new long[rows];
        for (long seed = 0; seed < 20; seed++) {
            EpochPlan p = EpochPlan.build(rows, 100, Order.RANDOM_WITH_REPLACEMENT, seed, seed, 10, 1, false, 0, 1,
                    ShardMode.PAD, 5000, c);
            assertEquals(50, p.batches());
            for (long r : sequence(p)) {
                assertTrue(w[(int) r] > 0, "row " + r + " of weight 0 drawn");
                counts[(int) r]++;
            }
        }
        // proportions within 10% for the heavier rows (100 000 draws)
        for (int i = 0; i < rows; i++) {
            if (w[i] > 20) {
                double want = 100_000 * w[i] / sum;
                assertEquals(want, counts[i], 0.1 * want, "row " + i);
            }
        }
        // a draw at the very top of the range lands on the last positive row, not a zero tail
        double[] tail = {1, 1, 0, 0};
        double[] ct = {1, 2, 2, 2};
        for (long seed = 0; seed < 50; seed++) {
            for (long r : sequence(EpochPlan.build(4, 8, Order.RANDOM_WITH_REPLACEMENT, seed, 0, 4, 1, false, 0, 1,
                    ShardMode.PAD, 64, ct))) {
                assertTrue(tail[(int) r] > 0, "row " + r);
            }
        }
    }
}
