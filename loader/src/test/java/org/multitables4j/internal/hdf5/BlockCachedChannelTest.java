package org.multitables4j.internal.hdf5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.EOFException;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.multitables4j.ReadStats;

/**
 * The metadata channel of remote files: any read equals the bytes at that position, and it costs
 * one source call per aligned block the first time only.
 */
class BlockCachedChannelTest {
    /** An in-memory source that counts its calls. */
    static final class ArraySource implements ByteSource {
        final byte[] bytes;
        int calls;

        ArraySource(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public String location() {
            return "mem:test";
        }

        @Override
        public long size() {
            return bytes.length;
        }

        @Override
        public long modificationTime() {
            return 0;
        }

        @Override
        public boolean remote() {
            return true;
        }

        @Override
        public void readFully(long position, ByteBuffer dst) throws EOFException {
            calls++;
            if (position + dst.remaining() > bytes.length) {
                throw new EOFException();
            }
            dst.put(bytes, (int) position, dst.remaining());
        }

        @Override
        public void close() {
        }
    }

    @Test
    void readsAreExactAndEachBlockIsFetchedOnce() throws Exception {
        byte[] data = new byte[100_000];
        new SplittableRandom(1).nextBytes(data);
        ArraySource src = new ArraySource(data);
        ReadStats stats = new ReadStats();
        try (BlockCachedChannel ch = new BlockCachedChannel(src, 4096, 1 << 20, stats)) {
            SplittableRandom rnd = new SplittableRandom(2);
            for (int i = 0; i < 2000; i++) {
                int pos = rnd.nextInt(data.length);
                int len = Math.min(rnd.nextInt(1, 9000), data.length - pos);
                ByteBuffer dst = ByteBuffer.allocate(len);
                ch.position(pos);
                assertEquals(len, ch.read(dst));
                assertEquals(pos + len, ch.position());
                byte[] want = new byte[len];
                System.arraycopy(data, pos, want, 0, len);
                assertArrayEquals(want, dst.array(), "read at " + pos);
            }
            ch.position(data.length);
            assertEquals(-1, ch.read(ByteBuffer.allocate(1)));
        }
        int blocks = (data.length + 4095) / 4096;
        assertTrue(src.calls <= blocks, src.calls + " calls for " + blocks + " blocks");
        assertEquals(src.calls, stats.metadataCalls());
        assertEquals(data.length, stats.metadataBytes(), "every block once, the last one short");
    }

    @Test
    void aSmallCacheEvictsTheLeastRecentlyUsedBlock() throws Exception {
        ArraySource src = new ArraySource(new byte[64 * 1024]);
        try (BlockCachedChannel ch = new BlockCachedChannel(src, 4096, 2 * 4096, null)) {
            for (long p : new long[] {0, 5000, 0, 9000, 5000, 0}) {
                ch.position(p);
                ch.read(ByteBuffer.allocate(10));
            }
            // blocks 0,1 fetched; 0 hit; 2 evicts 1; 1 fetched again (evicts 0); 0 fetched again
            assertEquals(5, src.calls);
            assertEquals(2, ch.cachedBlocks());
        }
    }
}
