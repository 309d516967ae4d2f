package org.multitables4j.reader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.multitables4j.Backend;
import org.multitables4j.CacheStats;

/**
 * Small requests whose chunks are decoded already are served on the calling thread: the rows
 * equal PyTables' values ({@code /test_byte_array} = (r * 31) % 200, zlib CArray), in every form
 * of taking the result, with threads; with worker processes every request still goes to a child.
 */
class InlineRequestTest {
    private static double expected(long r) {
        return (r * 31) % 200;
    }

    private static void randomSmallRequests(Hdf5Reader reader) {
        Hdf5Dataset ds = reader.dataset("/test_byte_array");
        Random rnd = new Random(5);
        StagePool pool = ds.createStagePool(8, 4);
        for (int i = 0; i < 400; i++) {
            // near rows: most requests find their chunk decoded by an earlier one
            long a = 500_000 + rnd.nextInt(20_000);
            long[] rows = {a, a + rnd.nextInt(7), Math.max(0, a - rnd.nextInt(3))};
            Hdf5Future f = reader.request(ds.rows(rows), pool);
            double[] got = MultitablesPortTest.values(switch (i % 3) {
                case 0 -> f.get();
                case 1 -> {
                    try (StagedArray v = f.acquire()) {
                        yield v.array().dup();
                    }
                }
                default -> {
                    org.nd4j.linalg.api.ndarray.INDArray[] out = new org.nd4j.linalg.api.ndarray.INDArray[1];
                    f.getDirect(x -> out[0] = x.dup());
                    yield out[0];
                }
            });
            double[] want = new double[rows.length];
            for (int k = 0; k < rows.length; k++) {
                want[k] = expected(rows[k]);
            }
            assertArrayEquals(want, got, 0, "request " + i);
        }
    }

    @Test
    void threadsServeDecodedChunksInline() {
        try (Hdf5Reader reader = Hdf5Reader.open(MultitablesPortTest.file(), 2)) {
            randomSmallRequests(reader);
            CacheStats s = reader.cacheStats();
            assertEquals(s.misses(), s.blocksDecoded(), "each chunk decoded once: " + s);
        }
    }

    @Test
    void processesStillReadInTheirChildren() {
        try (Hdf5Reader reader = Hdf5Reader.open(MultitablesPortTest.file(), 2, 64L << 20, Backend.PROCESSES)) {
            randomSmallRequests(reader);
        }
    }
}
