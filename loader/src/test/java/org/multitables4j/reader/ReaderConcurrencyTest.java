package org.multitables4j.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.multitables4j.reader.ReaderTest.check;
import static org.multitables4j.reader.ReaderTest.expected;
import static org.multitables4j.reader.ReaderTest.fixtures;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.multitables4j.CorruptDataException;
import org.multitables4j.InvalidConfigurationException;
import org.multitables4j.internal.hdf5.Hdf5Array;
import org.multitables4j.internal.hdf5.Hdf5File;
import org.multitables4j.internal.workers.BlockCache;
import org.multitables4j.internal.workers.BlockIo;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Stage pools and the chunk cache under concurrency: waits for a stage that another thread
 * releases, timeouts, prompt wake-ups, no stage reuse while a view is held, and one decode per
 * chunk when workers miss on it at the same time. Every value is checked against the fixture
 * formula of {@link ReaderTest} (h5py-written fixtures.h5): {@code ((r*31 + k*7) % 200 - 100) / 4}.
 */
class ReaderConcurrencyTest {
    /** float32 [1000, 8], chunks of 100 rows, gzip. */
    private static final String GZIP = "/filters/gzip";

    private static long[] rowsOfChunks(Random rnd, int n, int... chunks) {
        long[] idx = new long[n];
        for (int i = 0; i < n; i++) {
            idx[i] = chunks[rnd.nextInt(chunks.length)] * 100L + rnd.nextInt(100);
        }
        return idx;
    }

    // ---- stage pools: waiting, timing out, waking -------------------------------------------

    @Test
    @Timeout(60)
    void aRequestWaitsForAStageReleasedByAnotherThread() throws Exception {
        try (Hdf5Reader reader = Hdf5Reader.open(fixtures(), 2)) {
            Hdf5Dataset ds = reader.dataset(GZIP);
            StagePool pool = ds.createStagePool(4, 1);
            StagedArray held = reader.request(ds.rows(new long[] {5, 905}), pool).acquire();
            check(held.array(), new long[] {5, 905});
            assertEquals(0, pool.free());
            ExecutorService ex = Executors.newSingleThreadExecutor();
            AtomicLong releasedAt = new AtomicLong();
            try {
                Future<?> releaser = ex.submit(() -> {
                    Thread.sleep(300);
                    check(held.array(), new long[] {5, 905}); // still intact while held
                    releasedAt.set(System.nanoTime());
                    held.close();
                    return null;
                });
                long t0 = System.nanoTime();
                Hdf5Future f = reader.request(ds.rows(new long[] {999, 0, 999}), pool, 20, TimeUnit.SECONDS);
                long t1 = System.nanoTime();
                releaser.get();
                assertTrue(t1 >= releasedAt.get(), "the request went on only after the release");
                assertTrue(t1 - t0 >= TimeUnit.MILLISECONDS.toNanos(250), "waited for the release: " + (t1 - t0) / 1e6 + " ms");
                check(f.get(), new long[] {999, 0, 999});

                // the same through a RequestQueue, with the pool's own timeout
                pool.setTimeout(20, TimeUnit.SECONDS);
                RequestQueue q = new RequestQueue(reader, pool);
                q.submit(ds.rows(10, 14));
                StagedArray first = q.next();
                check(first.array(), ReaderTest.range(10, 14));
                ex.submit(() -> {
                    Thread.sleep(200);
                    first.close();
                    return null;
                });
                q.submit(ds.rows(new long[] {350, 351}));
                try (StagedArray second = q.next()) {
                    check(second.array(), new long[] {350, 351});
                }
            } finally {
                ex.shutdownNow();
            }
            assertEquals(1, pool.free());
        }
    }

    @Test
    @Timeout(60)
    void aRequestTimesOutWhenNoStageIsReleased() {
        try (Hdf5Reader reader = Hdf5Reader.open(fixtures(), 2)) {
            Hdf5Dataset ds = reader.dataset(GZIP);
            StagePool pool = ds.createStagePool(2, 2);
            assertEquals(60, pool.timeout(TimeUnit.SECONDS), "the default wait");
            StagedArray a = reader.request(ds.rows(0, 2), pool).acquire();
            StagedArray b = reader.request(ds.rows(new long[] {777}), pool).acquire();

            long t0 = System.nanoTime();
            StageTimeoutException e = assertThrows(StageTimeoutException.class,
                    () -> reader.request(ds.rows(3, 4), pool, 200, TimeUnit.MILLISECONDS));
            long waited = System.nanoTime() - t0;
            assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(190), "waited the timeout: " + waited / 1e6 + " ms");
            assertTrue(waited < TimeUnit.SECONDS.toNanos(10), "and not much longer: " + waited / 1e6 + " ms");
            assertTrue(e.getMessage().contains("no free stage") && e.getMessage().contains("200 ms")
                    && e.getMessage().contains(GZIP), e.getMessage());

            pool.setTimeout(0, TimeUnit.MILLISECONDS);
            assertEquals(0, pool.timeout(TimeUnit.NANOSECONDS));
            assertThrows(StageTimeoutException.class, () -> reader.request(ds.rows(3, 4), pool));
            RequestQueue q = new RequestQueue(reader, pool);
            assertThrows(StageTimeoutException.class, () -> q.submit(ds.rows(3, 4)));
            assertThrows(StageTimeoutException.class, () -> q.submit(ds.rows(3, 4), 50, TimeUnit.MILLISECONDS));
            assertEquals(0, q.pending(), "a submission that timed out queues nothing");
            assertThrows(InvalidConfigurationException.class, () -> pool.setTimeout(-1, TimeUnit.SECONDS));
            assertThrows(InvalidConfigurationException.class, () -> reader.request(ds.rows(3, 4), pool, -1, TimeUnit.SECONDS));

            // the held views were never touched by the refused requests
            check(a.array(), new long[] {0, 1});
            check(b.array(), new long[] {777});
            assertEquals(0, pool.free());
            b.close();
            check(reader.request(ds.rows(3, 5), pool).get(), new long[] {3, 4}); // a free stage needs no wait
            a.close();
            assertEquals(2, pool.free());
        }
    }

    /**
     * A waiting request wakes as soon as any stage of the pool is released, not only the stage
     * it happened to watch: the median hand-over is far below a polling interval.
     */
    @Test
    @Timeout(120)
    void anyReleaseWakesAWaitingRequestPromptly() throws Exception {
        try (Hdf5Reader reader = Hdf5Reader.open(fixtures(), 2)) {
            Hdf5Dataset ds = reader.dataset(GZIP);
            int n = 3;
            StagePool pool = ds.createStagePool(1, n);
            List<StagedArray> held = new ArrayList<>();
            List<Long> rows = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                held.add(reader.request(ds.rows(new long[] {i}), pool).acquire());
                rows.add((long) i);
            }
            Random rnd = new Random(3);
            ExecutorService ex = Executors.newSingleThreadExecutor();
            long[] latencies = new long[15];
            try {
                for (int round = 0; round < latencies.length; round++) {
                    int victim = rnd.nextInt(n);
                    StagedArray v = held.get(victim);
                    AtomicLong releasedAt = new AtomicLong();
                    Future<?> releaser = ex.submit(() -> {
                        Thread.sleep(60);
                        releasedAt.set(System.nanoTime());
                        v.close();
                        return null;
                    });
                    long row = (67L * round + 7) % 1000;
                    Hdf5Future f = reader.request(ds.rows(new long[] {row}), pool, 20, TimeUnit.SECONDS);
                    long claimed = System.nanoTime();
                    releaser.get();
                    latencies[round] = claimed - releasedAt.get();
                    held.set(victim, f.acquire());
                    rows.set(victim, row);
                    for (int i = 0; i < n; i++) {
                        check(held.get(i).array(), new long[] {rows.get(i)});
                    }
                }
            } finally {
                ex.shutdownNow();
                held.forEach(StagedArray::close);
            }
            long[] sorted = latencies.clone();
            Arrays.sort(sorted);
            assertTrue(sorted[sorted.length / 2] < TimeUnit.MILLISECONDS.toNanos(25),
                    "median wake-up after a release (a 50 ms poll would make it about 40 ms) " + sorted[sorted.length / 2] / 1e6 + " ms; all (ms): "
                            + Arrays.toString(Arrays.stream(latencies).map(l -> l / 1_000_000).toArray()));
            assertEquals(n, pool.free());
        }
    }

    /**
     * Several threads request into one shared pool (more threads than stages, so they wait for
     * each other's releases) and hold their views a while: a held view keeps its rows, checked
     * again and again, until it is closed, and no two threads ever hold the same stage memory.
     */
    @Test
    @Timeout(180)
    void heldViewsOfASharedPoolAreNeverReused() throws Exception {
        try (Hdf5Reader reader = Hdf5Reader.open(fixtures(), 2, 8 << 10)) {
            Hdf5Dataset ds = reader.dataset("/dtypes/f4_be"); // [300, 3, 5], chunks of 64 rows
            StagePool pool = ds.createStagePool(16, 4);
            Set<Long> inUse = ConcurrentHashMap.newKeySet();
            AtomicInteger maxHeld = new AtomicInteger();
            AtomicInteger checks = new AtomicInteger();
            int threads = 7;
            ExecutorService ex = Executors.newFixedThreadPool(threads);
            CyclicBarrier start = new CyclicBarrier(threads);
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int seed = t;
                runs.add(ex.submit(() -> {
                    Random rnd = new Random(seed);
                    start.await();
                    for (int i = 0; i < 40; i++) {
                        long[] idx = rnd.longs(1 + rnd.nextInt(16), 0, 300).toArray();
                        try (StagedArray v = reader.request(ds.rows(idx), pool, 60, TimeUnit.SECONDS).acquire()) {
                            long address = v.array().data().address();
                            assertTrue(inUse.add(address), "a stage held by another thread was handed out");
                            maxHeld.accumulateAndGet(inUse.size(), Math::max);
                            try {
                                for (int k = 0; k < 3; k++) {
                                    check(v.array(), idx);
                                    checks.incrementAndGet();
                                    Thread.sleep(1 + rnd.nextInt(4));
                                }
                                check(v.array(), idx);
                            } finally {
                                inUse.remove(address);
                            }
                        }
                    }
                    return null;
                }));
            }
            try {
                for (Future<?> f : runs) {
                    f.get();
                }
            } finally {
                ex.shutdownNow();
            }
            assertEquals(threads * 40 * 3, checks.get());
            assertTrue(maxHeld.get() <= pool.size(), "at most one holder per stage: " + maxHeld.get());
            assertTrue(maxHeld.get() >= 2, "the threads held views at the same time: " + maxHeld.get());
            assertEquals(pool.size(), pool.free());
        }
    }

    // ---- the chunk cache: one decode per chunk --------------------------------------------

    /**
     * Reads blocks with a decoder per thread, slowly (so that misses overlap), counting the decodes
     * of each block; the first {@code failFirst} decodes of block 0 fail after the delay.
     */
    private static final class SlowIo implements BlockIo {
        final AtomicIntegerArray decodes;
        final AtomicInteger failures = new AtomicInteger();
        final int failFirst;
        final ThreadLocal<BlockIo> local = ThreadLocal.withInitial(BlockIo::local);

        SlowIo(int blocks, int failFirst) {
            this.decodes = new AtomicIntegerArray(blocks);
            this.failFirst = failFirst;
        }

        @Override
        public void readBlock(Hdf5Array array, int block, ByteBuffer dst) {
            int attempt = decodes.incrementAndGet(block);
            try {
                Thread.sleep(40);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (block == 0 && attempt <= failFirst) {
                failures.incrementAndGet();
                throw new CorruptDataException("injected failure " + attempt + " of block 0");
            }
            local.get().readBlock(array, block, dst);
        }

        @Override
        public void readBlock(Hdf5Array array, int block, ByteBuffer dst, int offset) {
            throw new UnsupportedOperationException("the reader's cache reads whole blocks into its own buffers");
        }

        @Override
        public void readRuns(Hdf5Array array, long[] rows, int[] counts, int[] offsets, int runs, ByteBuffer dst) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
        }
    }

    /** Checks that a decoded block of {@link #GZIP} holds rows {@code block*100 ..} by the formula. */
    private static void checkBlock(ByteBuffer b, int block) {
        for (int r = 0; r < 100; r++) {
            for (int k = 0; k < 8; k++) {
                assertEquals(expected(block * 100L + r, k), b.getFloat((r * 8 + k) * 4), "block " + block + " row " + r);
            }
        }
    }

    @Test
    @Timeout(120)
    void concurrentMissesOnABlockWaitForOneDecode() throws Exception {
        try (Hdf5File file = Hdf5File.open(fixtures())) {
            Hdf5Array array = file.array(GZIP);
            BlockCache cache = BlockCache.lru(array, 64L << 20, ByteBuffer::allocate);
            SlowIo io = new SlowIo(array.blockCount(), 0);
            int threads = 16;
            int[] blocks = {0, 3, 7};
            ExecutorService ex = Executors.newFixedThreadPool(threads);
            CyclicBarrier start = new CyclicBarrier(threads);
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int shift = t;
                runs.add(ex.submit(() -> {
                    start.await();
                    for (int i = 0; i < blocks.length; i++) {
                        int blk = blocks[(i + shift) % blocks.length];
                        ByteBuffer e = cache.acquire(blk, io, 0);
                        try {
                            checkBlock(e, blk);
                        } finally {
                            cache.release(blk);
                        }
                    }
                    return null;
                }));
            }
            awaitAll(runs, ex);
            for (int blk = 0; blk < array.blockCount(); blk++) {
                int b = blk;
                int want = Arrays.stream(blocks).anyMatch(x -> x == b) ? 1 : 0;
                assertEquals(want, io.decodes.get(blk), "decodes of block " + blk);
            }
            assertEquals(blocks.length, cache.stats().misses());
            assertEquals((long) threads * blocks.length - blocks.length, cache.stats().hits());
            assertEquals(blocks.length * 100L * 8 * 4, cache.stats().decodedBytes());
        }
    }

    @Test
    @Timeout(120)
    void aFailedDecodeWakesTheWaitersWhoTryAgain() throws Exception {
        try (Hdf5File file = Hdf5File.open(fixtures())) {
            Hdf5Array array = file.array(GZIP);
            for (int failFirst : new int[] {1, Integer.MAX_VALUE}) {
                BlockCache cache = BlockCache.lru(array, 64L << 20, ByteBuffer::allocate);
                SlowIo io = new SlowIo(array.blockCount(), failFirst);
                int threads = 8;
                ExecutorService ex = Executors.newFixedThreadPool(threads);
                CyclicBarrier start = new CyclicBarrier(threads);
                List<Future<Boolean>> runs = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    runs.add(ex.submit(() -> {
                        start.await();
                        try {
                            ByteBuffer e = cache.acquire(0, io, 0);
                            try {
                                checkBlock(e, 0);
                            } finally {
                                cache.release(0);
                            }
                            return true;
                        } catch (CorruptDataException failed) {
                            assertTrue(failed.getMessage().startsWith("injected failure"), failed.getMessage());
                            return false;
                        }
                    }));
                }
                int ok = 0;
                try {
                    for (Future<Boolean> f : runs) {
                        if (f.get(60, TimeUnit.SECONDS)) { // a waiter left hanging fails here
                            ok++;
                        }
                    }
                } finally {
                    ex.shutdownNow();
                }
                if (failFirst == 1) {
                    assertEquals(1, io.failures.get(), "only the first decode failed");
                    assertEquals(threads - 1, ok, "the waiters retried and got the block");
                    assertEquals(2, io.decodes.get(0), "one failed decode, then one that every waiter shared");
                    assertEquals(2, cache.stats().misses(), "two decodes, two misses");
                } else {
                    assertEquals(0, ok, "a persistent fault fails every caller");
                    assertEquals(threads, io.failures.get());
                    assertEquals(threads, io.decodes.get(0), "one attempt per caller, never two at once");
                }
            }
        }
    }

    /**
     * End to end: many threads issue requests for rows of the same three chunks at once through a
     * reader with many workers and a cache that holds everything: each chunk is decoded exactly
     * once per fresh reader, and every row equals the formula.
     */
    @Test
    @Timeout(180)
    void manyThreadsOnTheSameChunksDecodeEachOnce() throws Exception {
        int[] chunks = {2, 5, 7};
        int threads = 12;
        for (int round = 0; round < 15; round++) {
            try (Hdf5Reader reader = Hdf5Reader.open(fixtures(), 8, 64L << 20)) {
                Hdf5Dataset ds = reader.dataset("/filters/gzip_shuffle_fletcher"); // [1000, 8], chunks of 100 rows
                ExecutorService ex = Executors.newFixedThreadPool(threads);
                CyclicBarrier start = new CyclicBarrier(threads);
                List<Future<?>> runs = new ArrayList<>();
                int base = round;
                for (int t = 0; t < threads; t++) {
                    int seed = 100 * base + t;
                    runs.add(ex.submit(() -> {
                        Random rnd = new Random(seed);
                        Stage stage = ds.createStage(24);
                        start.await();
                        for (int i = 0; i < 6; i++) {
                            long[] idx = i % 2 == 0 ? rowsOfChunks(rnd, 1, chunks) : rowsOfChunks(rnd, 24, chunks);
                            INDArray got = reader.request(ds.rows(idx), stage).get();
                            check(got, idx);
                        }
                        return null;
                    }));
                }
                awaitAll(runs, ex);
                org.multitables4j.CacheStats s = reader.cacheStats();
                assertEquals(chunks.length, s.misses(), "round " + round + ": one decode per chunk, " + s);
                assertEquals(chunks.length * 100L * 8 * 4, s.decodedBytes(), "round " + round);
                assertTrue(s.hits() > 0, s.toString());
            }
        }
    }

    /** Waits for every task (a minute each at most), then stops the pool; a task's failure fails the test. */
    private static void awaitAll(List<? extends Future<?>> runs, ExecutorService ex) throws Exception {
        try {
            for (Future<?> f : runs) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            ex.shutdownNow();
        }
    }
}
