package org.multitables4j.internal.plan;

import java.util.SplittableRandom;
import org.multitables4j.Order;
import org.multitables4j.ShardMode;

/**
 * The batches of one epoch: which rows, in which order. A pure function of (rows, batch size,
 * order, seed, epoch, block size, shuffle window, dropLast) — independent of the number of
 * workers and of the backend, so every configuration delivers the same batches.
 *
 * <p>ORDERED and AS_AVAILABLE use consecutive rows; SHUFFLED visits blocks (chunks) in a random
 * order, {@code windowBlocks} at a time, and permutes all rows of a window; RANDOM permutes all
 * rows uniformly. Batch {@code i} holds positions {@code [i*batchSize, min((i+1)*batchSize, rows))}
 * of the epoch's row sequence.
 */
public final class EpochPlan {
    private final long rows;
    private final int batchSize;
    private final int batches;
    private final int[] perm; // null: identity (ordered)
    private final Order order;
    private final long globalRows;
    private final int shardIndex;
    private final int shardCount;
    private long firstRow;
    /** SHUFFLED: the blocks in visiting order, window after window; else null. */
    private int[] windowOrder;
    /** SHUFFLED: the position of each window's first row, and the end of the sequence. */
    private int[] windowStarts;
    private int blockRows;
    private int windowBlocks;

    private EpochPlan(long rows, int batchSize, int batches, int[] perm, Order order, long globalRows,
                      int shardIndex, int shardCount) {
        this.order = order;
        this.rows = rows;
        this.batchSize = batchSize;
        this.batches = batches;
        this.perm = perm;
        this.globalRows = globalRows;
        this.shardIndex = shardIndex;
        this.shardCount = shardCount;
    }

    /**
     * Builds the plan of a whole (unsharded) epoch.
     *
     * @param rows         rows in the dataset
     * @param batchSize    rows per batch
     * @param order        delivery order
     * @param seed         user seed
     * @param epoch        epoch number (0 for the first)
     * @param blockRows    rows per block (the features' chunk rows) for window shuffling
     * @param windowBlocks blocks per shuffle window
     * @param dropLast     drop the final partial batch
     * @return the plan
     */
    public static EpochPlan build(long rows, int batchSize, Order order, long seed, long epoch,
                                  int blockRows, int windowBlocks, boolean dropLast) {
        return build(rows, batchSize, order, seed, epoch, blockRows, windowBlocks, dropLast, 0, 1, ShardMode.PAD);
    }

    /**
     * Builds the plan of one shard. The epoch's global row sequence is a function of (seed,
     * epoch) alone; it is cut into global batches, and shard {@code i} of {@code n} takes global
     * batches {@code i, i + n, i + 2n, ...}. Shards are disjoint and (except DROP) cover the
     * dataset.
     *
     * @param rows         rows in the dataset
     * @param batchSize    rows per batch
     * @param order        delivery order
     * @param seed         user seed
     * @param epoch        epoch number (0 for the first)
     * @param blockRows    rows per block (the features' chunk rows) for window shuffling
     * @param windowBlocks blocks per shuffle window
     * @param dropLast     drop the final partial batch
     * @param shardIndex   this shard, in {@code [0, shardCount)}
     * @param shardCount   number of shards
     * @param mode         how unequal shares are evened out (ignored for one shard)
     * @return the plan
     */
    public static EpochPlan build(long rows, int batchSize, Order order, long seed, long epoch,
                                  int blockRows, int windowBlocks, boolean dropLast,
                                  int shardIndex, int shardCount, ShardMode mode) {
        return build(rows, batchSize, order, seed, epoch, blockRows, windowBlocks, dropLast, shardIndex, shardCount, mode,
                0, null);
    }

    /**
     * As {@link #build(long, int, Order, long, long, int, int, boolean, int, int, ShardMode)}, with
     * the draw of {@link Order#RANDOM_WITH_REPLACEMENT}.
     *
     * @param samples    rows drawn per epoch with replacement (0: as many as the dataset has)
     * @param cumulative cumulative sampling weights, one per row, ending in the total weight; null
     *                   for uniform draws
     * @return the plan
     */
    public static EpochPlan build(long rows, int batchSize, Order order, long seed, long epoch,
                                  int blockRows, int windowBlocks, boolean dropLast,
                                  int shardIndex, int shardCount, ShardMode mode, long samples, double[] cumulative) {
        long seqLen = order.withReplacement() && rows > 0 && samples > 0 ? samples : rows;
        if (seqLen > Integer.MAX_VALUE - 8 && order.withReplacement()) {
            throw new IllegalArgumentException("at most 2^31 - 9 samples per epoch");
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1");
        }
        if (shardCount < 1 || shardIndex < 0 || shardIndex >= shardCount) {
            throw new IllegalArgumentException("shard " + shardIndex + " of " + shardCount);
        }
        long global;
        long span = (long) shardCount * batchSize;
        if (shardCount == 1 || mode == ShardMode.UNEVEN) {
            global = dropLast ? seqLen / batchSize * batchSize : seqLen;
        } else if (mode == ShardMode.DROP || dropLast) {
            global = seqLen / span * span;
        } else {
            global = seqLen == 0 ? 0 : (seqLen + span - 1) / span * span;
        }
        long globalBatches = (global + batchSize - 1) / batchSize;
        long nb = globalBatches > shardIndex ? (globalBatches - shardIndex + shardCount - 1) / shardCount : 0;
        if (nb > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("too many batches: " + nb);
        }
        int[] perm = null;
        int[] blocks = null;
        int[] starts = null;
        boolean windowed = false;
        if (order.withReplacement() && rows > 0) {
            if (rows > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException(order + " supports at most 2^31 - 9 rows; use ORDERED or shard the data");
            }
            SplittableRandom rnd = new SplittableRandom(mix(seed, epoch));
            perm = new int[(int) seqLen];
            double total = cumulative == null ? 0 : cumulative[cumulative.length - 1];
            int lastPositive = (int) rows - 1;
            while (cumulative != null && lastPositive > 0 && cumulative[lastPositive] == cumulative[lastPositive - 1]) {
                lastPositive--; // a draw rounded up to the total must not land on a row of weight zero
            }
            for (int i = 0; i < perm.length; i++) {
                if (cumulative == null) {
                    perm[i] = rnd.nextInt((int) rows);
                } else {
                    double u = rnd.nextDouble() * total;
                    int at = 0;
                    int hi = (int) rows - 1;
                    while (at < hi) { // the first row whose cumulative weight exceeds the draw
                        int mid = (at + hi) >>> 1;
                        if (cumulative[mid] > u) {
                            hi = mid;
                        } else {
                            at = mid + 1;
                        }
                    }
                    perm[i] = cumulative[at] > u ? at : lastPositive;
                }
            }
        } else if (order.permuted()) {
            if (rows > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException(order + " supports at most 2^31 - 9 rows; use ORDERED or shard the data");
            }
            SplittableRandom rnd = new SplittableRandom(mix(seed, epoch));
            int n = (int) rows;
            perm = new int[n];
            if (!order.windowed()) {
                for (int i = 0; i < n; i++) {
                    perm[i] = i;
                }
                shuffle(perm, 0, n, rnd);
            } else {
                windowed = true;
                int nBlocks = (int) ((rows + blockRows - 1) / blockRows);
                blocks = new int[nBlocks];
                starts = new int[(nBlocks + windowBlocks - 1) / windowBlocks + 1];
                for (int i = 0; i < nBlocks; i++) {
                    blocks[i] = i;
                }
                shuffle(blocks, 0, nBlocks, rnd);
                int p = 0;
                for (int w = 0; w < nBlocks; w += windowBlocks) {
                    int start = p;
                    starts[w / windowBlocks] = p;
                    for (int k = w; k < Math.min(nBlocks, w + windowBlocks); k++) {
                        long first = (long) blocks[k] * blockRows;
                        long last = Math.min(rows, first + blockRows);
                        for (long r = first; r < last; r++) {
                            perm[p++] = (int) r;
                        }
                    }
                    shuffle(perm, start, p, rnd);
                }
                starts[starts.length - 1] = p;
            }
        }
        EpochPlan plan = new EpochPlan(rows, batchSize, (int) nb, perm, order, global, shardIndex, shardCount);
        if (windowed) {
            plan.windowOrder = blocks;
            plan.windowStarts = starts;
            plan.blockRows = blockRows;
            plan.windowBlocks = windowBlocks;
        }
        return plan;
    }

    /** Mixes seed and epoch into one well-spread 64-bit seed (SplitMix64 finaliser). */
    static long mix(long seed, long epoch) {
        long z = seed * 0x9E3779B97F4A7C15L + epoch * 0xBF58476D1CE4E5B9L + 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static void shuffle(int[] a, int from, int to, SplittableRandom rnd) {
        for (int i = to - 1; i > from; i--) {
            int j = from + rnd.nextInt(i - from + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** @return the number of batches */
    public int batches() {
        return batches;
    }

    /** @return rows in the dataset */
    public long datasetRows() {
        return rows;
    }

    /** @return the batch size */
    public int batchSize() {
        return batchSize;
    }

    /**
     * @param batch a batch index
     * @return rows in that batch
     */
    public int batchRows(int batch) {
        long start = ((long) batch * shardCount + shardIndex) * batchSize;
        return (int) Math.min(batchSize, globalRows - start);
    }

    /**
     * @param batch a batch index
     * @param k     position within the batch
     * @return the dataset row at that position
     */
    public long row(int batch, int k) {
        long pos = ((long) batch * shardCount + shardIndex) * batchSize + k;
        long seqLen = perm == null ? rows : perm.length;
        if (pos >= seqLen) {
            pos %= seqLen; // PAD: the sequence repeats its beginning
        }
        return firstRow + (perm == null ? pos : perm[(int) pos]);
    }

    /**
     * Moves the plan onto a row range: a plan built over {@code rows} rows then reads dataset rows
     * {@code [firstRow, firstRow + rows)}, in the same order and batches as it would read
     * {@code [0, rows)}.
     *
     * @param firstRow the dataset row that plan row 0 reads
     * @return this plan
     */
    public EpochPlan startingAt(long firstRow) {
        if (firstRow < 0) {
            throw new IllegalArgumentException("first row " + firstRow);
        }
        this.firstRow = firstRow;
        return this;
    }

    /** @return the number of shuffle windows of a SHUFFLED plan; 0 for every other order */
    public int windows() {
        return windowStarts == null ? 0 : windowStarts.length - 1;
    }

    /**
     * @param w a window of a SHUFFLED plan
     * @return the position (in the epoch's row sequence) of its first row
     */
    public int windowStart(int w) {
        return windowStarts[w];
    }

    /**
     * @param w a window of a SHUFFLED plan
     * @return the position past its last row
     */
    public int windowEnd(int w) {
        return windowStarts[w + 1];
    }

    /**
     * @param w a window of a SHUFFLED plan
     * @return how many blocks it permutes
     */
    public int windowBlockCount(int w) {
        return Math.min(windowBlocks, windowOrder.length - w * windowBlocks);
    }

    /**
     * @param w a window of a SHUFFLED plan
     * @param j a block of the window, in {@code [0, windowBlockCount(w))}
     * @return the plan block (rows {@code [block * blockRows(), ...)} of the plan's rows)
     */
    public int windowBlock(int w, int j) {
        return windowOrder[w * windowBlocks + j];
    }

    /** @return the rows of a block of a SHUFFLED plan's windows */
    public int blockRows() {
        return blockRows;
    }


    /** @return the dataset row that plan row 0 reads ({@link #startingAt}) */
    public long firstRow() {
        return firstRow;
    }

    /** @return true when this plan is one shard of several */
    public boolean sharded() {
        return shardCount > 1;
    }

    /**
     * @param pos a position of the epoch's row sequence
     * @return the plan row at that position (without {@link #firstRow()})
     */
    public int permuted(int pos) {
        return perm == null ? pos : perm[pos];
    }

    /** @return the order this plan was made for */
    public Order order() {
        return order;
    }

    /**
     * @return true when batch {@code b} holds rows {@code [b * batchSize, ...)} in on-disk order
     *     (a plan moved onto a row range is not: its batches go through the general path)
     */
    public boolean sequential() {
        return perm == null && shardCount == 1 && firstRow == 0;
    }
}
