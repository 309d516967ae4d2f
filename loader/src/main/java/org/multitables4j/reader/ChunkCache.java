package org.multitables4j.reader;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.multitables4j.hdf5.BlockDecoder;
import org.multitables4j.hdf5.Hdf5Array;

/**
 * Decoded blocks of one dataset shared by the reader's workers, least recently used first out,
 * within a byte budget. Buffers are never reused while cached, so a worker copying rows out of
 * a block that gets evicted meanwhile still reads valid bytes.
 */
final class ChunkCache {
    private final Hdf5Array array;
    private final long budget;
    private final LinkedHashMap<Integer, ByteBuffer> blocks = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;
    final AtomicLong hits = new AtomicLong();
    final AtomicLong misses = new AtomicLong();
    final AtomicLong decodedBytes = new AtomicLong();

    ChunkCache(Hdf5Array array, long budget) {
        this.array = array;
        this.budget = budget;
    }

    ByteBuffer block(int blk, BlockDecoder dec) {
        synchronized (this) {
            ByteBuffer b = blocks.get(blk);
            if (b != null) {
                hits.incrementAndGet();
                return b;
            }
        }
        misses.incrementAndGet();
        ByteBuffer b = ByteBuffer.allocate(array.blockBytes()).order(array.elementType().byteOrder());
        array.readBlock(blk, dec, b);
        decodedBytes.addAndGet((long) array.rowsInBlock(blk) * array.rowBytes());
        synchronized (this) {
            if (blocks.put(blk, b) == null) {
                bytes += b.capacity();
            }
            var it = blocks.entrySet().iterator();
            while (bytes > budget && it.hasNext()) {
                Map.Entry<Integer, ByteBuffer> e = it.next();
                if (e.getKey() != blk) {
                    bytes -= e.getValue().capacity();
                    it.remove();
                }
            }
        }
        return b;
    }
}
