package org.multitables4j.internal.workers;

import java.util.Arrays;
import org.multitables4j.internal.plan.EpochPlan;

/**
 * Which batches of an epoch use each block of one dataset part: the known future that the
 * planned block store evicts and decodes ahead by. Pure: computed from the plan alone.
 *
 * @param total      batches (from the first one executed) using each block
 * @param usesStart  CSR offsets into {@code uses} per block, or null for sequential plans
 * @param uses       the batches using each block, ascending, or null for sequential plans
 *                   (their uses are consecutive batches from the first)
 * @param aheadOrder blocks in first-use order, or null for sequential plans (block order)
 * @param first      the first batch (from the first one executed) using each block; for
 *                   sequential plans where the block's rows fall, for permuted plans
 *                   {@code Integer.MAX_VALUE} for blocks no batch uses
 */
public record BlockUses(int[] total, int[] usesStart, int[] uses, int[] aheadOrder, int[] first) {
    /**
     * @param p          the epoch plan (logical rows)
     * @param firstBatch the first batch executed (a resumed epoch skips the ones before)
     * @param partRows   rows of the part
     * @param blockRows  rows per block of the part
     * @param rowOffset  logical row of the part's first row
     * @return the uses
     */
    public static BlockUses of(EpochPlan p, int firstBatch, long partRows, int blockRows, long rowOffset) {
        int blocks = (int) ((partRows + blockRows - 1) / blockRows);
        int[] total = new int[blocks];
        if (p.sequential()) {
            long covered = Math.min(p.datasetRows(), (long) p.batches() * p.batchSize());
            long partEnd = rowOffset + partRows;
            for (int blk = 0; blk < blocks; blk++) {
                long first = rowOffset + (long) blk * blockRows;
                long last = Math.min(Math.min(covered, partEnd), first + blockRows) - 1;
                long from = Math.max(firstBatch, first / p.batchSize());
                total[blk] = last < first ? 0 : (int) Math.max(0, last / p.batchSize() - from + 1);
            }
            int[] first = new int[blocks];
            for (int blk = 0; blk < blocks; blk++) {
                first[blk] = (int) Math.max(firstBatch, (rowOffset + (long) blk * blockRows) / p.batchSize());
            }
            return new BlockUses(total, null, null, null, first);
        }
        int[] lastSeen = new int[blocks];
        Arrays.fill(lastSeen, -1);
        int[] order = new int[blocks];
        int nOrder = 0;
        for (int b = firstBatch; b < p.batches(); b++) {
            int n = p.batchRows(b);
            for (int k = 0; k < n; k++) {
                long r = p.row(b, k) - rowOffset;
                if (r < 0 || r >= partRows) {
                    continue;
                }
                int blk = (int) (r / blockRows);
                if (lastSeen[blk] != b) {
                    if (lastSeen[blk] < 0) {
                        order[nOrder++] = blk;
                    }
                    lastSeen[blk] = b;
                    total[blk]++;
                }
            }
        }
        int[] usesStart = new int[blocks + 1];
        for (int blk = 0; blk < blocks; blk++) {
            usesStart[blk + 1] = usesStart[blk] + total[blk];
        }
        int[] uses = new int[usesStart[blocks]];
        int[] fillPos = usesStart.clone();
        Arrays.fill(lastSeen, -1);
        for (int b = firstBatch; b < p.batches(); b++) {
            int n = p.batchRows(b);
            for (int k = 0; k < n; k++) {
                long r = p.row(b, k) - rowOffset;
                if (r < 0 || r >= partRows) {
                    continue;
                }
                int blk = (int) (r / blockRows);
                if (lastSeen[blk] != b) {
                    lastSeen[blk] = b;
                    uses[fillPos[blk]++] = b;
                }
            }
        }
        int[] first = new int[blocks];
        for (int blk = 0; blk < blocks; blk++) {
            first[blk] = total[blk] > 0 ? uses[usesStart[blk]] : Integer.MAX_VALUE;
        }
        return new BlockUses(total, usesStart, uses, Arrays.copyOf(order, nOrder), first);
    }

    /**
     * @param blk  a block
     * @param done uses of it done so far
     * @return the next batch using it, {@code Integer.MAX_VALUE} after its last use
     */
    public int nextUse(int blk, int done) {
        if (uses == null) {
            return first[blk] + done;
        }
        return done < total[blk] ? uses[usesStart[blk] + done] : Integer.MAX_VALUE;
    }

    /** @return how many blocks the first-use order lists (every block for sequential plans) */
    public int aheadEnd() {
        return aheadOrder == null ? total.length : aheadOrder.length;
    }

    /**
     * @param i a position in the first-use order
     * @return the block at that position (block order for sequential plans)
     */
    public int inFirstUseOrder(int i) {
        return aheadOrder == null ? i : aheadOrder[i];
    }
}
