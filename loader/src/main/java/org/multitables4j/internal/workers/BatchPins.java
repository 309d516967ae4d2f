package org.multitables4j.internal.workers;

import static org.multitables4j.internal.workers.BlockTable.READY;

import java.nio.ByteBuffer;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Pins and releases a whole batch's blocks of one {@link BlockCache} under one lock round each:
 * a batch of a random order touches hundreds of blocks, and one lock round per block made the
 * workers queue on the store's lock. Used only where the store holds the whole dataset, so
 * that the pins held while a missing block is decoded cost no memory.
 */
final class BatchPins {
    private final ReentrantLock lock;
    private final BlockTable table;
    private final BlockCounters counts;
    private final BooleanSupplier cancelled;

    /**
     * @param lock      the store's lock
     * @param table     the store's blocks
     * @param counts    the store's counters
     * @param cancelled true once the store's epoch is cancelled
     */
    BatchPins(ReentrantLock lock, BlockTable table, BlockCounters counts, BooleanSupplier cancelled) {
        this.lock = lock;
        this.table = table;
        this.counts = counts;
        this.cancelled = cancelled;
    }

    /**
     * Pins every block of {@code blks[0 .. count)} that is decoded, in one pass under the lock
     * (a batch of a random order touches hundreds of blocks: one lock round per block made the
     * workers queue on this lock); the others are left for {@link BlockCache#acquire}.
     *
     * @param blks  distinct blocks
     * @param count how many
     * @param out   receives each block's buffer, or null where it is not decoded
     */
    void pinReady(int[] blks, int count, ByteBuffer[] out) {
        lock.lock();
        try {
            if (cancelled.getAsBoolean()) {
                throw new EpochCancelled();
            }
            for (int i = 0; i < count; i++) {
                int blk = blks[i];
                if (table.state[blk] == READY) {
                    table.pins[blk]++;
                    counts.hit();
                    out[i] = table.buf[blk];
                } else {
                    out[i] = null;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@link BlockCache#release} of every block of {@code blks[0 .. count)} under one lock.
     *
     * @param blks  pinned blocks
     * @param count how many
     */
    void releaseAll(int[] blks, int count) {
        lock.lock();
        try {
            for (int i = 0; i < count; i++) {
                table.unpinUse(blks[i]);
            }
        } finally {
            lock.unlock();
        }
    }
}
