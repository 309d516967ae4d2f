package org.multitables4j.reader;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.multitables4j.hdf5.Hdf5Array;
import org.multitables4j.ring.BufferAllocator;
import org.multitables4j.workers.BlockIo;

/**
 * Decoded blocks of one dataset shared by the reader's workers, least recently used first out,
 * within a byte budget. A worker pins the block it copies from; a block evicted while pinned
 * gives its buffer back only when the last pin is released, so recycled memory (the shared
 * memory of worker processes) is never overwritten under a reader.
 */
final class ChunkCache {
    /** A cached block and the workers copying from it. */
    static final class Entry {
        final ByteBuffer buffer;
        private int pins;
        private boolean evicted;

        Entry(ByteBuffer buffer) {
            this.buffer = buffer;
        }
    }

    private final Hdf5Array array;
    private final long budget;
    private final BufferAllocator allocator;
    private final LinkedHashMap<Integer, Entry> blocks = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;
    final AtomicLong hits = new AtomicLong();
    final AtomicLong misses = new AtomicLong();
    final AtomicLong decodedBytes = new AtomicLong();

    ChunkCache(Hdf5Array array, long budget, BufferAllocator allocator) {
        this.array = array;
        this.budget = budget;
        this.allocator = allocator;
    }

    /**
     * @return block {@code blk}, decoded by {@code io} unless cached, pinned until {@link #release}
     */
    Entry block(int blk, BlockIo io) {
        synchronized (this) {
            Entry e = blocks.get(blk);
            if (e != null) {
                hits.incrementAndGet();
                e.pins++;
                return e;
            }
        }
        misses.incrementAndGet();
        ByteBuffer b = allocator.allocate(array.blockBytes()).order(array.elementType().byteOrder());
        try {
            io.readBlock(array, blk, b);
        } catch (RuntimeException ex) {
            allocator.free(b);
            throw ex;
        }
        decodedBytes.addAndGet((long) array.rowsInBlock(blk) * array.rowBytes());
        Entry mine = new Entry(b);
        mine.pins = 1;
        synchronized (this) {
            Entry old = blocks.put(blk, mine);
            if (old == null) {
                bytes += b.capacity();
            } else {
                evict(old);
            }
            var it = blocks.entrySet().iterator();
            while (bytes > budget && it.hasNext()) {
                Map.Entry<Integer, Entry> e = it.next();
                if (e.getKey() != blk) {
                    bytes -= e.getValue().buffer.capacity();
                    it.remove();
                    evict(e.getValue());
                }
            }
        }
        return mine;
    }

    /** Unpins a block returned by {@link #block}. */
    synchronized void release(Entry e) {
        e.pins--;
        if (e.evicted && e.pins == 0) {
            allocator.free(e.buffer);
        }
    }

    private void evict(Entry e) {
        e.evicted = true;
        if (e.pins == 0) {
            allocator.free(e.buffer);
        }
    }
}
