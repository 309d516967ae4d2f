package org.multitables4j.internal.workers;

import java.util.function.IntConsumer;

/**
 * Where decode-ahead stands in an epoch's first-use order of blocks: the next block nobody has
 * decoded or decodes yet. Not thread-safe: every method runs under the cache's lock.
 */
final class AheadCursor {
    private BlockUses uses;
    private int pos;

    /**
     * Starts over for an epoch.
     *
     * @param u the epoch's uses, or null between epochs
     */
    void reset(BlockUses u) {
        uses = u;
        pos = 0;
    }

    /** Starts over in the same epoch (the store was cleared). */
    void rewind() {
        pos = 0;
    }

    /**
     * Moves past the next awaited block when it is needed before batch {@code horizon}.
     *
     * @param table   the store's blocks
     * @param horizon the last batch decode-ahead may work for
     * @return the block, or -1 when none is awaited or the next one is needed later
     */
    int next(BlockTable table, int horizon) {
        if (uses == null) {
            return -1;
        }
        int n = uses.aheadEnd();
        while (pos < n && !table.awaited(uses.inFirstUseOrder(pos))) {
            pos++;
        }
        if (pos >= n) {
            return -1;
        }
        int blk = uses.inFirstUseOrder(pos);
        if (uses.first()[blk] > horizon) {
            return -1;
        }
        pos++;
        return blk;
    }

    /**
     * @param table the store's blocks
     * @param max   at most this many
     * @param each  receives the next awaited blocks in first-use order, without moving past them
     */
    void peek(BlockTable table, int max, IntConsumer each) {
        if (uses == null) {
            return;
        }
        int k = 0;
        for (int i = pos, n = uses.aheadEnd(); i < n && k < max; i++) {
            int c = uses.inFirstUseOrder(i);
            if (table.awaited(c)) {
                each.accept(c);
                k++;
            }
        }
    }

    /**
     * Goes back to an evicted block that is still to be used, so that decode-ahead may bring it
     * back in order (only where the first-use order is the block order).
     *
     * @param victim the evicted block
     */
    void back(int victim) {
        if (uses != null && uses.aheadOrder() == null) {
            pos = Math.min(pos, victim);
        }
    }
}
