package org.multitables4j.internal.workers;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import org.multitables4j.internal.ring.BufferAllocator;

/**
 * The memory of one {@link BlockCache}: a byte budget for decoded blocks, the bytes held against
 * it, and the buffers of recycled blocks kept for reuse (never more than the budget). Not
 * thread-safe: the cache calls it under its lock, except {@link #allocate()}, which only asks the
 * allocator (a fresh buffer is zeroed page by page, so the cache allocates outside its lock).
 */
final class BlockBuffers {
    private final BufferAllocator allocator;
    private final int blockBytes;
    private final long budget;
    private final ByteOrder order;
    private final ArrayDeque<ByteBuffer> pool = new ArrayDeque<>();
    /** The JVM's direct buffers behind the 64-byte aligned blocks handed out, to free them at once. */
    private final java.util.IdentityHashMap<ByteBuffer, ByteBuffer> owners = new java.util.IdentityHashMap<>();
    private long heldBytes;

    /**
     * @param allocator  where block buffers come from
     * @param blockBytes bytes of one decoded block
     * @param budget     bytes of decoded blocks to keep (at least one block)
     * @param order      byte order of the decoded elements
     */
    BlockBuffers(BufferAllocator allocator, int blockBytes, long budget, ByteOrder order) {
        this.allocator = allocator;
        this.blockBytes = blockBytes;
        this.budget = Math.max(budget, blockBytes);
        this.order = order;
    }

    /** @return true when the budget holds {@code blocks} blocks at once */
    boolean holds(int blocks) {
        return budget >= (long) blocks * blockBytes;
    }

    /** @return true when one more block would exceed the budget */
    boolean full() {
        return heldBytes + blockBytes > budget;
    }

    /** @return true when more than the budget is held (pins kept blocks beyond it) */
    boolean over() {
        return heldBytes > budget;
    }

    /**
     * Counts one more block as held and hands out a recycled buffer for it.
     *
     * @return a recycled buffer, or null when the caller must {@link #allocate()} one
     */
    ByteBuffer reserve() {
        heldBytes += blockBytes;
        ByteBuffer b = pool.poll();
        return b != null ? b.order(order) : null;
    }

    /**
     * @return a fresh 64-byte aligned buffer of one block (outside the cache's lock); with the
     *     JVM's direct memory, the buffer behind it is recorded so that {@link #release} can free
     *     it at once
     */
    ByteBuffer allocate() {
        if (allocator == BufferAllocator.DIRECT && Unmapper.available()) {
            ByteBuffer raw = ByteBuffer.allocateDirect(((blockBytes + 63) & ~63) + 64); // alignedSlice trims both ends
            ByteBuffer b = raw.alignedSlice(64).limit(blockBytes).slice().order(order);
            synchronized (owners) {
                owners.put(b, raw);
            }
            return b;
        }
        return allocator.allocate(blockBytes).order(order);
    }

    /**
     * Frees a buffer from {@link #allocate()} now. The JVM's direct memory is otherwise freed only
     * when the collector runs, and until then counts as used: a store sized afterwards from the
     * direct memory left (a random order's, holding the whole dataset) would get a fraction of
     * it and decode every block over and over.
     *
     * @param b the buffer; nothing may use it afterwards
     */
    void release(ByteBuffer b) {
        if (allocator == BufferAllocator.DIRECT && Unmapper.available()) {
            ByteBuffer raw;
            synchronized (owners) {
                raw = owners.remove(b);
            }
            if (raw != null) {
                Unmapper.release(raw);
            }
        } else {
            allocator.free(b);
        }
    }

    /** Frees every buffer kept for reuse (the store is closed). */
    void releasePool() {
        while (!pool.isEmpty()) {
            release(pool.poll());
        }
    }

    /**
     * Gives back a reservation whose decode failed.
     *
     * @param b the buffer, or null when none was allocated
     */
    void unreserve(ByteBuffer b) {
        if (b != null) {
            pool.push(b);
        }
        heldBytes -= blockBytes;
    }

    /**
     * Takes back the buffer of an evicted or used-up block, keeping at most the budget's worth
     * of buffers for reuse.
     *
     * @param b the block's buffer
     */
    void recycle(ByteBuffer b) {
        pool.push(b);
        heldBytes -= blockBytes;
        while (!pool.isEmpty() && (long) pool.size() * blockBytes > budget) {
            release(pool.poll());
        }
    }
}
