package org.multitables4j.reader;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.multitables4j.MultitablesException;
import org.multitables4j.hdf5.Hdf5Array;
import org.multitables4j.ring.BufferAllocator;
import org.multitables4j.workers.BlockIo;

/**
 * Decoded blocks of one dataset shared by the reader's workers, least recently used first out,
 * within a byte budget. A worker pins the block it copies from; a block evicted while pinned
 * gives its buffer back only when the last pin is released, so recycled memory (the shared
 * memory of worker processes) is never overwritten under a reader. Each block is decoded by one
 * worker at a time: concurrent misses on a block wait for the decode under way.
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
    /** Blocks being decoded now, each with the latch its decoder opens when done (or failed). */
    private final HashMap<Integer, CountDownLatch> loading = new HashMap<>();
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
     * Returns block {@code blk}, pinned until {@link #release}. A cached block is a hit; otherwise
     * the first caller decodes it (a miss) outside the lock, and callers that ask for the same
     * block meanwhile wait for that decode instead of decoding it again. If the decode fails,
     * its caller gets the exception and the waiters wake and try again themselves (one of them
     * decodes, the others wait for it), so nobody waits on a decode that will not finish.
     *
     * @param blk the block index
     * @param io  the calling worker's reads and decodes
     * @return the pinned entry
     * @throws RuntimeException what the decode threw
     */
    Entry block(int blk, BlockIo io) {
        CountDownLatch mine;
        while (true) {
            CountDownLatch other;
            synchronized (this) {
                Entry e = blocks.get(blk);
                if (e != null) {
                    hits.incrementAndGet();
                    e.pins++;
                    return e;
                }
                other = loading.get(blk);
                if (other == null) {
                    mine = new CountDownLatch(1);
                    loading.put(blk, mine);
                    break;
                }
            }
            try {
                other.await();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new MultitablesException("Interrupted while waiting for block " + blk + " of '" + array.path()
                        + "' to be decoded by another worker", ex);
            }
        }
        misses.incrementAndGet();
        ByteBuffer b = null;
        Entry decoded;
        try {
            b = allocator.allocate(array.blockBytes()).order(array.elementType().byteOrder());
            io.readBlock(array, blk, b);
            decodedBytes.addAndGet((long) array.rowsInBlock(blk) * array.rowBytes());
            decoded = new Entry(b);
            decoded.pins = 1;
        } catch (RuntimeException | Error ex) {
            if (b != null) {
                allocator.free(b);
            }
            synchronized (this) {
                loading.remove(blk);
            }
            mine.countDown();
            throw ex;
        }
        synchronized (this) {
            loading.remove(blk);
            Entry old = blocks.put(blk, decoded);
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
        mine.countDown();
        return decoded;
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
