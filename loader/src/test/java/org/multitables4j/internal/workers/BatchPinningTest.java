package org.multitables4j.internal.workers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.multitables4j.Order;
import org.multitables4j.internal.hdf5.Hdf5Array;
import org.multitables4j.internal.hdf5.Hdf5File;
import org.multitables4j.internal.plan.EpochPlan;
import org.multitables4j.internal.ring.BufferAllocator;

/**
 * The random orders' gather: block keys grouped without a comparison sort, and a batch's decoded
 * blocks pinned and released in one pass. /x of iter.h5: 10 000 rows in 40 blocks of 256 rows.
 */
class BatchPinningTest {
    static Hdf5File file;
    static Hdf5Array x;

    @BeforeAll
    static void open() throws URISyntaxException {
        file = Hdf5File.open(Path.of(BatchPinningTest.class.getResource("/iter/iter.h5").toURI()));
        x = file.array("/x");
    }

    @AfterAll
    static void close() {
        file.close();
    }

    /** The keys equal (block << bits | position) sorted numerically, for one part and for three. */
    @Test
    void blockKeysAreTheSortedKeys() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int parts = 1; parts <= 3; parts++) {
            Source.Part[] ps = new Source.Part[parts];
            for (int i = 0; i < parts; i++) {
                ps[i] = new Source.Part(x, null, (long) i * x.rows());
            }
            long rows = (long) parts * x.rows();
            for (int n : new int[] {1, 65, 100, 1000, 4096}) {
                long[] rowOf = new long[n];
                for (int k = 0; k < n; k++) {
                    rowOf[k] = rnd.nextLong(rows);
                }
                long[] keys = BlockKeys.of(ps, k -> rowOf[k], n, null);
                int bits = BlockKeys.positionBits(n);
                long[] expected = new long[n];
                for (int k = 0; k < n; k++) {
                    long part = rowOf[k] / x.rows();
                    long blk = part * x.blockCount() + (rowOf[k] % x.rows()) / x.blockRows();
                    expected[k] = blk << bits | k;
                }
                Arrays.sort(expected);
                assertArrayEquals(expected, Arrays.copyOf(keys, n), parts + " parts, " + n + " positions");
            }
        }
    }

    /** pinReady pins only decoded blocks; releaseAll counts one use per block, as release does. */
    @Test
    void pinReadyAndReleaseAllCountUsesLikeTheBlockByBlockPath() {
        EpochPlan p = EpochPlan.build(x.rows(), 1000, Order.RANDOM, 5, 0, x.blockRows(), 16, false);
        // a budget one block short of the dataset, so that a block goes after its last use
        BlockCache c = new BlockCache(x, (x.blockCount() - 1L) * x.blockBytes(), BufferAllocator.DIRECT);
        c.startEpoch(p, 0);
        BlockCacheTest.CountingIo io = new BlockCacheTest.CountingIo();
        ByteBuffer b3 = c.acquire(3, io, 0); // decoded and pinned
        c.release(3);
        int[] blks = {3, 7};
        ByteBuffer[] out = new ByteBuffer[2];
        c.batchPins().pinReady(blks, 2, out);
        assertSame(b3, out[0]);
        assertNull(out[1]);
        out[1] = c.acquire(7, io, 0);
        assertEquals(7, out[1].getInt(0));
        c.batchPins().releaseAll(blks, 2);
        assertEquals(1, io.decodes[3]);
        assertEquals(1, io.decodes[7]);
        // block 3 has been used by two batches now; the plan's further uses still find it decoded
        BlockUses u = BlockUses.of(p, 0, x.rows(), x.blockRows(), 0);
        for (int use = 2; use < u.total()[3]; use++) {
            c.batchPins().pinReady(new int[] {3}, 1, out);
            assertSame(b3, out[0]);
            c.batchPins().releaseAll(new int[] {3}, 1);
        }
        // its last use recycles it: absent afterwards
        c.batchPins().pinReady(new int[] {3}, 1, out);
        assertNull(out[0]);
        assertEquals(1, io.decodes[3]);
        BlockStats s = c.stats();
        assertEquals(2, s.misses());
    }
}
