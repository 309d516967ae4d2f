package org.multitables4j.internal.workers;

import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.function.IntUnaryOperator;

/**
 * The per-block state of one {@link BlockCache}: each block's decoded buffer, its state, its
 * pins (batches copying from it now), its planned uses left and in all, and the memory behind
 * the buffers. Not thread-safe: every method runs under the cache's lock.
 */
final class BlockTable {
    /** Not decoded, nobody decodes it. */
    static final byte ABSENT = 0;
    /** Being decoded into the cache. */
    static final byte LOADING = 1;
    /** Decoded and cached. */
    static final byte READY = 2;
    /** Being decoded by its only remaining user straight into that batch's slot. */
    static final byte DIRECT = 3;

    final ByteBuffer[] buf;
    final byte[] state;
    final int[] pins;
    /** uses left in the epoch (planned policy) */
    final int[] remaining;
    /** uses in the epoch from its first batch (planned), or 1 once requested (LRU) */
    final int[] total;
    final BlockBuffers buffers;
    /**
     * true: decoded blocks stay after their last use and across epochs (a random order whose
     * store holds the whole dataset: the next epoch needs them all again)
     */
    boolean keep;

    /**
     * @param blocks  the dataset's blocks
     * @param buffers the memory of the decoded blocks
     */
    BlockTable(int blocks, BlockBuffers buffers) {
        this.buf = new ByteBuffer[blocks];
        this.state = new byte[blocks];
        this.pins = new int[blocks];
        this.remaining = new int[blocks];
        this.total = new int[blocks];
        this.buffers = buffers;
    }

    /** @return the number of blocks */
    int blocks() {
        return buf.length;
    }

    /** @return true when a block is still to be used and nobody has it or decodes it */
    boolean awaited(int blk) {
        return state[blk] == ABSENT && remaining[blk] > 0;
    }

    private boolean evictable(int blk) {
        return state[blk] == READY && pins[blk] == 0;
    }

    /** Recycles a block's buffer and marks it absent. */
    void drop(int blk) {
        buffers.recycle(buf[blk]);
        buf[blk] = null;
        state[blk] = ABSENT;
    }

    /** Frees the memory of every decoded block and of the buffers kept for reuse (the store is closed). */
    void release() {
        for (int i = 0; i < buf.length; i++) {
            if (buf[i] != null && state[i] == READY) {
                buffers.release(buf[i]);
                buf[i] = null;
                state[i] = ABSENT;
            }
        }
        buffers.releasePool();
    }

    /** One batch is done with a pinned block: the block goes after its last use. */
    void unpinUse(int blk) {
        pins[blk]--;
        remaining[blk]--;
        if (remaining[blk] <= 0 && pins[blk] == 0 && state[blk] == READY && !keep) {
            drop(blk);
        }
    }

    /**
     * Forgets pins and uses and drops every block, or every block but the decoded ones while
     * {@link #keep} is set (between epochs, no worker running).
     */
    void clear() {
        for (int i = 0; i < buf.length; i++) {
            if (!(keep && state[i] == READY)) {
                if (buf[i] != null) {
                    drop(i);
                }
                state[i] = ABSENT;
            }
            pins[i] = 0;
            remaining[i] = 0;
        }
    }

    /**
     * Evicts the unpinned cached block whose next use is farthest (Belady).
     *
     * @param nextUse the next batch using a block
     * @return the block evicted, or -1 when every cached block is pinned
     */
    int evictFarthest(IntUnaryOperator nextUse) {
        int victim = -1;
        int far = -1;
        for (int i = 0; i < buf.length; i++) {
            if (evictable(i)) {
                int nu = nextUse.applyAsInt(i);
                if (nu > far) {
                    far = nu;
                    victim = i;
                }
            }
        }
        if (victim >= 0) {
            drop(victim);
        }
        return victim;
    }

    /**
     * Evicts the first unpinned cached block of an order (least recently used first) and removes
     * it from that order.
     *
     * @param order the cached blocks, least recently used first
     * @return true when a block was evicted
     */
    boolean evictFirst(Iterable<Integer> order) {
        for (Iterator<Integer> it = order.iterator(); it.hasNext(); ) {
            int victim = it.next();
            if (evictable(victim)) {
                it.remove();
                drop(victim);
                return true;
            }
        }
        return false;
    }
}
