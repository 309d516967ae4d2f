package org.multitables4j.internal.hdf5;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;
import java.util.LinkedHashMap;
import java.util.Map;
import org.multitables4j.ReadStats;

/**
 * The channel jhdf parses metadata through when the file is remote: reads are served from a
 * least-recently-used cache of aligned blocks ({@code blockBytes}, a power of two), each fetched
 * with one read of the {@link ByteSource}. jhdf reads headers, heaps and B-tree nodes a few bytes
 * to a few KiB at a time; with blocks of 128 KiB the superblock, the root group and a dataset's
 * header usually come in one remote call. Not a {@code FileChannel}, so jhdf never maps it.
 *
 * <p>Synchronized: jhdf moves one position for every thread.
 */
final class BlockCachedChannel implements SeekableByteChannel {
    private final ByteSource source;
    private final int blockBytes;
    private final int shift;
    private final long size;
    private final ReadStats stats;
    private final Map<Long, ByteBuffer> blocks;
    private long position;
    private boolean open = true;

    /**
     * @param source     the file
     * @param blockBytes bytes per block, a power of two
     * @param cacheBytes bytes of blocks kept
     * @param stats      counters of metadata reads, or null
     */
    BlockCachedChannel(ByteSource source, int blockBytes, long cacheBytes, ReadStats stats) {
        this.source = source;
        this.blockBytes = blockBytes;
        this.shift = Integer.numberOfTrailingZeros(blockBytes);
        this.size = source.size();
        this.stats = stats;
        long maxBlocks = Math.max(1, cacheBytes / blockBytes);
        this.blocks = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, ByteBuffer> eldest) {
                return size() > maxBlocks;
            }
        };
    }

    @Override
    public synchronized int read(ByteBuffer dst) throws IOException {
        if (!open) {
            throw new ClosedChannelException();
        }
        if (position >= size) {
            return dst.hasRemaining() ? -1 : 0;
        }
        int n = 0;
        while (dst.hasRemaining() && position < size) {
            long index = position >>> shift;
            ByteBuffer block = block(index);
            int off = (int) (position - (index << shift));
            int len = Math.min(dst.remaining(), block.limit() - off);
            dst.put(block.slice(off, len));
            position += len;
            n += len;
        }
        return n;
    }

    private ByteBuffer block(long index) throws IOException {
        ByteBuffer b = blocks.get(index);
        if (b == null) {
            long start = index << shift;
            int len = (int) Math.min(blockBytes, size - start);
            b = ByteBuffer.allocate(len);
            source.readFully(start, b);
            b.flip();
            if (stats != null) {
                stats.addMetadataRead(len);
            }
            blocks.put(index, b);
        }
        return b;
    }

    /** @return blocks held now */
    synchronized int cachedBlocks() {
        return blocks.size();
    }

    @Override
    public int write(ByteBuffer src) {
        throw new NonWritableChannelException();
    }

    @Override
    public synchronized long position() {
        return position;
    }

    @Override
    public synchronized SeekableByteChannel position(long newPosition) {
        if (newPosition < 0) {
            throw new IllegalArgumentException("negative position " + newPosition);
        }
        position = newPosition;
        return this;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public SeekableByteChannel truncate(long newSize) {
        throw new NonWritableChannelException();
    }

    @Override
    public synchronized boolean isOpen() {
        return open;
    }

    /** Drops the blocks; the source is closed by its owner. */
    @Override
    public synchronized void close() {
        open = false;
        blocks.clear();
    }
}
