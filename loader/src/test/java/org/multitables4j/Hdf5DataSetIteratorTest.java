package org.multitables4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Iterator behaviour on iter.h5 (written by h5py, see make_iter_fixture.py): row r of every
 * /x* dataset is [r, 2r, -r, r % 7] and /y is r % 10, so every delivered row can be checked
 * against its own id.
 */
class Hdf5DataSetIteratorTest {
    static final int N = 10000;

    static Path fixture() {
        try {
            return Path.of(Hdf5DataSetIteratorTest.class.getResource("/iter/iter.h5").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Hdf5DataSetIterator.Builder base() {
        return Hdf5DataSetIterator.builder(fixture()).features("/x").labels("/y").oneHot(10).batchSize(96);
    }

    /** Reads one epoch, checks every row against its id, returns the ids in delivery order. */
    static int[] epoch(Hdf5DataSetIterator it) {
        int[] ids = new int[N];
        int n = 0;
        while (it.hasNext()) {
            DataSet ds = it.next();
            INDArray f = ds.getFeatures();
            INDArray l = ds.getLabels();
            assertEquals(4, f.size(1));
            for (int i = 0; i < f.size(0); i++) {
                float r = f.getFloat(i, 0);
                int id = (int) r;
                assertEquals(id, r, "row id is integral");
                assertEquals(2f * id, f.getFloat(i, 1), "column 1 of row " + id);
                assertEquals(-id, f.getFloat(i, 2), 0f, "column 2 of row " + id);
                assertEquals(id % 7, f.getFloat(i, 3), "column 3 of row " + id);
                if (l != null) {
                    for (int c = 0; c < 10; c++) {
                        assertEquals(c == id % 10 ? 1f : 0f, l.getFloat(i, c), "one-hot of row " + id);
                    }
                }
                if (n == ids.length) {
                    ids = Arrays.copyOf(ids, 2 * n);
                }
                ids[n++] = id;
            }
        }
        return Arrays.copyOf(ids, n);
    }

    static void assertExactlyOnce(int[] ids) {
        assertEquals(N, ids.length, "rows delivered");
        boolean[] seen = new boolean[N];
        for (int id : ids) {
            assertFalse(seen[id], "row " + id + " delivered twice");
            seen[id] = true;
        }
    }

    @ParameterizedTest
    @CsvSource({
        "/x, ORDERED, 1", "/x, ORDERED, 2", "/x, AS_AVAILABLE, 4", "/x, SHUFFLED, 1", "/x, SHUFFLED, 4", "/x, RANDOM, 2",
        "/x_contig, ORDERED, 2", "/x_contig, SHUFFLED, 2", "/x_contig, RANDOM, 4", "/x_contig, AS_AVAILABLE, 2",
        "/x_f8_be, SHUFFLED, 2", "/x_f8_be, ORDERED, 1", "/x_i4, RANDOM, 2", "/x_i4, AS_AVAILABLE, 4"})
    void everyRowExactlyOnce(String features, Order order, int workers) {
        try (Hdf5DataSetIterator it = base().features(features).order(order).workers(workers).seed(3).build()) {
            int[] ids = epoch(it);
            assertExactlyOnce(ids);
            if (order == Order.ORDERED) {
                for (int i = 0; i < N; i++) {
                    assertEquals(i, ids[i]);
                }
            }
            it.reset();
            assertExactlyOnce(epoch(it));
        }
    }

    @ParameterizedTest
    @CsvSource({"SHUFFLED", "RANDOM"})
    void orderIsAPureFunctionOfSeedAndEpoch(Order order) {
        int[][] first = new int[3][];
        int[][] second = new int[3][];
        int[] workers = {1, 2, 4};
        for (int w = 0; w < 3; w++) {
            try (Hdf5DataSetIterator it = base().order(order).workers(workers[w]).seed(11).prefetch(3 + w).build()) {
                first[w] = epoch(it);
                it.reset();
                second[w] = epoch(it);
            }
        }
        for (int w = 1; w < 3; w++) {
            assertArrayEquals(first[0], first[w], "epoch 0 with " + workers[w] + " workers");
            assertArrayEquals(second[0], second[w], "epoch 1 with " + workers[w] + " workers");
        }
        assertFalse(Arrays.equals(first[0], second[0]), "a new epoch reshuffles");
        int[] sorted = first[0].clone();
        Arrays.sort(sorted);
        assertFalse(Arrays.equals(sorted, first[0]), "the order is shuffled");
        try (Hdf5DataSetIterator it = base().order(order).workers(2).seed(12).build()) {
            assertFalse(Arrays.equals(first[0], epoch(it)), "another seed gives another order");
        }
        try (Hdf5DataSetIterator it = base().order(order).workers(2).seed(11).firstEpoch(1).build()) {
            assertArrayEquals(second[0], epoch(it), "firstEpoch(1) continues with epoch 1's order");
        }
    }

    @Test
    void shuffledWindowsMixChunksButStayLocal() {
        try (Hdf5DataSetIterator it = base().order(Order.SHUFFLED).shuffleWindow(2).batchSize(512).workers(2).build()) {
            int[] ids = epoch(it);
            // a window of 2 chunks of 256 rows: the first 512 rows come from exactly 2 chunks
            long chunks = Arrays.stream(ids, 0, 512).map(id -> id / 256).distinct().count();
            assertEquals(2, chunks);
        }
    }

    @Test
    void partialLastBatchAndDropLast() {
        try (Hdf5DataSetIterator it = base().order(Order.ORDERED).batchSize(3000).build()) {
            List<Long> sizes = new ArrayList<>();
            while (it.hasNext()) {
                DataSet ds = it.next();
                sizes.add(ds.getFeatures().size(0));
                assertEquals(ds.getFeatures().size(0), ds.getLabels().size(0));
            }
            assertEquals(List.of(3000L, 3000L, 3000L, 1000L), sizes);
            assertEquals(4, it.batchesPerEpoch());
        }
        try (Hdf5DataSetIterator it = base().order(Order.SHUFFLED).batchSize(3000).dropLast(true).build()) {
            assertEquals(9000, epoch(it).length);
        }
    }

    @Test
    void resetAnytime() {
        try (Hdf5DataSetIterator it = base().order(Order.SHUFFLED).seed(5).workers(2).build()) {
            it.reset();
            it.reset();
            assertEquals(0, it.epoch(), "reset before any batch keeps epoch 0");
            int first = (int) it.next().getFeatures().getFloat(0, 0);
            it.next();
            it.reset();
            it.reset();
            assertEquals(1, it.epoch());
            assertExactlyOnce(epoch(it));
            it.reset();
            assertEquals(2, it.epoch());
            assertExactlyOnce(epoch(it));
            try (Hdf5DataSetIterator again = base().order(Order.SHUFFLED).seed(5).workers(1).build()) {
                assertEquals(first, (int) again.next().getFeatures().getFloat(0, 0));
            }
        }
    }

    @Test
    void cyclicRunsIntoTheNextEpoch() {
        try (Hdf5DataSetIterator it = base().order(Order.ORDERED).batchSize(4000).cyclic(true).build()) {
            int[] firsts = new int[7];
            for (int i = 0; i < 7; i++) {
                assertTrue(it.hasNext());
                firsts[i] = (int) it.next().getFeatures().getFloat(0, 0);
            }
            assertArrayEquals(new int[] {0, 4000, 8000, 0, 4000, 8000, 0}, firsts);
            assertEquals(2, it.epoch());
        }
    }

    @Test
    void stridedAndShapedFeatures() {
        try (Hdf5DataSetIterator it = base().featureShape(2, 2).order(Order.ORDERED).dataType(DataType.DOUBLE).build()) {
            DataSet ds = it.next();
            assertArrayEquals(new long[] {96, 2, 2}, ds.getFeatures().shape());
            assertEquals(DataType.DOUBLE, ds.getFeatures().dataType());
            assertEquals(DataType.DOUBLE, ds.getLabels().dataType());
            assertEquals(-5.0, ds.getFeatures().getDouble(5, 1, 0));
        }
        try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(fixture()).features("/x_i4").labels("/y")
                .storedDataType().order(Order.ORDERED).batchSize(10).build()) {
            DataSet ds = it.next();
            assertEquals(DataType.INT32, ds.getFeatures().dataType());
            assertEquals(DataType.INT64, ds.getLabels().dataType());
            assertArrayEquals(new long[] {10, 1}, ds.getLabels().shape());
            assertEquals(7, ds.getLabels().getLong(7, 0));
            assertEquals(14, ds.getFeatures().getInt(7, 1));
        }
    }

    @Test
    void featuresOnly() {
        try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(fixture()).features("/x").batchSize(1000)
                .order(Order.RANDOM).build()) {
            int[] ids = epoch(it);
            assertExactlyOnce(ids);
            assertEquals(0, it.totalOutcomes());
            assertEquals(4, it.inputColumns());
        }
    }

    @Test
    void emptyDataset() {
        try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(fixture()).features("/empty").build()) {
            assertFalse(it.hasNext());
            assertThrows(java.util.NoSuchElementException.class, it::next);
        }
    }

    @Test
    void buildValidatesItsInput() {
        Path f = fixture();
        String m = assertThrows(InvalidConfigurationException.class,
                () -> Hdf5DataSetIterator.builder(f).features("/nope").build()).getMessage();
        assertTrue(m.contains("/nope") && m.contains("iter.h5"), m);
        m = assertThrows(InvalidConfigurationException.class,
                () -> Hdf5DataSetIterator.builder(f).features("/x").labels("/y_short").build()).getMessage();
        assertTrue(m.contains("10000") && m.contains("9999"), m);
        m = assertThrows(InvalidConfigurationException.class,
                () -> Hdf5DataSetIterator.builder(f).features("/x").labels("/x").oneHot(3).build()).getMessage();
        assertTrue(m.contains("oneHot"), m);
        assertThrows(InvalidConfigurationException.class,
                () -> Hdf5DataSetIterator.builder(f).features("/x").oneHot(3).build());
        assertThrows(InvalidConfigurationException.class,
                () -> Hdf5DataSetIterator.builder(f).features("/x").featureShape(3).build());
        m = assertThrows(InvalidConfigurationException.class,
                () -> Hdf5DataSetIterator.builder(f).features("/x").dataType(DataType.INT16).build()).getMessage();
        assertTrue(m.contains("cannot be delivered as") && m.contains("/x"), m);
        m = assertThrows(InvalidConfigurationException.class,
                () -> Hdf5DataSetIterator.builder(f).features("/cls").build()).getMessage();
        assertTrue(m.contains("group"), m);
        assertThrows(InvalidConfigurationException.class, () -> Hdf5DataSetIterator.builder(f).build());
        assertThrows(MultitablesException.class,
                () -> Hdf5DataSetIterator.builder(Path.of("/no/such/file.h5")).features("/x").build());
        assertThrows(InvalidConfigurationException.class, () -> base().batchSize(0));
        assertThrows(InvalidConfigurationException.class, () -> base().workers(0));
    }

    /** DL4J's convention: a setter changes the builder and returns it; build() freezes a copy. */
    @Test
    void builderSettersTakeEffectInPlaceAndBuildFreezesACopy() {
        Hdf5DataSetIterator.Builder b = base().order(Order.ORDERED);
        assertSame(b, b.batchSize(7), "a setter returns the builder itself");
        b.order(Order.SHUFFLED);
        try (Hdf5DataSetIterator it = b.build()) {
            b.batchSize(11).order(Order.ORDERED);
            assertEquals(7, it.batch(), "the setter without reassignment took effect");
            assertEquals(N / 7 + 1, it.batchesPerEpoch());
            INDArray f = it.next().getFeatures();
            boolean inOrder = true;
            for (int i = 0; i < 7; i++) {
                inOrder &= f.getFloat(i, 0) == i; // column 0 holds the row id
            }
            assertFalse(inOrder, "SHUFFLED, as set before build()");
        }
        try (Hdf5DataSetIterator it = b.build()) {
            assertEquals(11, it.batch(), "a second build() sees the later changes");
        }
    }

    @Test
    void classOutOfRangeFailsWithTheRow() {
        try (Hdf5DataSetIterator it = base().labels("/y_bad").order(Order.ORDERED).workers(2).build()) {
            CorruptDataException e = assertThrows(CorruptDataException.class, () -> epoch(it));
            assertTrue(e.getMessage().contains("row 4321") && e.getMessage().contains("/y_bad"), e.getMessage());
        }
    }

    @Test
    void zeroCopySlotViewsAndHoldDepth() {
        try (Hdf5DataSetIterator it = base().order(Order.ORDERED).holdBatches(3).prefetch(2).workers(2).build()) {
            List<DataSet> kept = new ArrayList<>();
            List<Long> addresses = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                DataSet ds = it.next();
                addresses.add(ds.getFeatures().data().address());
                kept.add(ds);
                for (int back = 0; back < Math.min(3, kept.size()); back++) {
                    DataSet old = kept.get(kept.size() - 1 - back);
                    assertEquals((i - back) * 96f, old.getFeatures().getFloat(0, 0), "batch " + (i - back) + " still valid");
                }
            }
            assertTrue(addresses.stream().distinct().count() <= 5, "slot memory is reused: " + addresses.stream().distinct().count());
        }
    }

    @Test
    void copyModeHandsOutDetachedBatches() {
        try (Hdf5DataSetIterator it = base().order(Order.ORDERED).copyBatches(true).prefetch(1).workers(1).build()) {
            List<DataSet> all = new ArrayList<>();
            while (it.hasNext()) {
                all.add(it.next());
            }
            for (int i = 0; i < all.size(); i++) {
                assertEquals(i * 96f, all.get(i).getFeatures().getFloat(0, 0));
            }
        }
    }

    @Test
    void copyModeWithoutLabels() {
        // DL4J's DataSet.copy() fails on a DataSet without labels; features-only iterators
        // (autoencoders, normaliser fits) copy too
        try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(fixture()).features("/x").batchSize(96)
                .order(Order.ORDERED).copyBatches(true).workers(2).build()) {
            List<DataSet> all = new ArrayList<>();
            while (it.hasNext()) {
                all.add(it.next());
            }
            assertEquals((N + 95) / 96, all.size());
            for (int i = 0; i < all.size(); i++) {
                INDArray f = all.get(i).getFeatures();
                assertEquals(null, all.get(i).getLabels());
                for (int r = 0; r < f.size(0); r++) {
                    int id = i * 96 + r;
                    assertEquals(id, f.getFloat(r, 0));
                    assertEquals(2f * id, f.getFloat(r, 1));
                    assertEquals(id % 7, f.getFloat(r, 3));
                }
            }
        }
    }

    @Test
    void preprocessorRunsOnTheWorker() {
        List<String> threads = java.util.Collections.synchronizedList(new ArrayList<>());
        try (Hdf5DataSetIterator it = base().order(Order.ORDERED).workers(2).build()) {
            it.setPreProcessor(ds -> {
                threads.add(Thread.currentThread().getName());
                ds.getFeatures().muli(2);
            });
            DataSet ds = it.next();
            assertEquals(2 * 2f * 5, ds.getFeatures().getFloat(5, 1));
        }
        assertTrue(threads.stream().allMatch(t -> t.contains("multitables4j")), threads.toString());
    }

    /**
     * Batches of whole chunks (512 rows = 2 chunks of 256) are decoded straight into the slots;
     * batches of 384 rows mix such chunks with chunks shared by two batches (through the cache).
     * Either way every row arrives once with its values, and every chunk is decoded once.
     */
    @ParameterizedTest
    @CsvSource({"512, ORDERED, 1, THREADS", "512, ORDERED, 2, THREADS", "512, AS_AVAILABLE, 3, THREADS",
        "384, ORDERED, 2, THREADS", "384, AS_AVAILABLE, 2, THREADS", "512, ORDERED, 2, PROCESSES",
        "384, ORDERED, 2, PROCESSES"})
    void wholeChunksGoStraightIntoSlots(int batch, Order order, int workers, Backend backend) {
        try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(fixture()).features("/x").batchSize(batch)
                .order(order).workers(workers).backend(backend).build()) {
            for (int epoch = 0; epoch < 2; epoch++) {
                int[] ids = epoch(it);
                assertExactlyOnce(ids);
                if (order == Order.ORDERED) {
                    for (int i = 0; i < N; i++) {
                        assertEquals(i, ids[i]);
                    }
                }
                assertEquals((epoch + 1) * ((N + 255) / 256), it.stats().blocksDecoded(), "every chunk decoded once");
                it.reset();
            }
        }
    }

    @Test
    void statsCountWhatWasDelivered() {
        try (Hdf5DataSetIterator it = base().order(Order.SHUFFLED).build()) {
            epoch(it);
            IteratorStats s = it.stats();
            assertEquals(N, s.rows());
            assertEquals((N + 95) / 96, s.batches());
            assertEquals((long) N * (4 * 4 + 10 * 4), s.bytes());
            long chunks = (N + 255) / 256 + (N + 699) / 700;
            assertEquals(chunks, s.blocksDecoded());
            assertEquals(1.0, s.readAmplification(), 1e-9);
            assertEquals(1, s.epochs());
        }
    }

    @Test
    void randomOrderWithASmallCacheReDecodes() {
        try (Hdf5DataSetIterator it = base().order(Order.RANDOM).cacheBytes(8 * 256 * 16).workers(2).build()) {
            assertExactlyOnce(epoch(it));
            assertTrue(it.stats().readAmplification() > 1.0, it.stats().toString());
        }
    }

    static long workerThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("multitables4j-")).count();
    }

    @Test
    void closeMidEpochLeavesNoThreads() {
        Hdf5DataSetIterator it = base().workers(4).order(Order.SHUFFLED).build();
        it.next();
        it.next();
        assertTrue(workerThreads() > 0);
        it.close();
        assertEquals(0, workerThreads());
        assertThrows(IteratorClosedException.class, it::next);
        assertFalse(it.hasNext());
        it.close();
    }

    @Test
    void closeFromAnotherThreadWakesTheConsumer() throws Exception {
        CountDownLatch inPreprocessor = new CountDownLatch(1);
        Hdf5DataSetIterator it = base().workers(1).prefetch(1).order(Order.ORDERED).build();
        it.setPreProcessor(ds -> {
            inPreprocessor.countDown();
            try {
                Thread.sleep(400);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread consumer = new Thread(() -> {
            try {
                it.next();
                it.next();
                it.next();
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        consumer.start();
        assertTrue(inPreprocessor.await(20, java.util.concurrent.TimeUnit.SECONDS), () -> "no batch: " + thrown.get());
        Thread.sleep(50);
        it.close();
        consumer.join(5000);
        assertFalse(consumer.isAlive());
        assertTrue(thrown.get() instanceof IteratorClosedException, String.valueOf(thrown.get()));
        assertEquals(0, workerThreads());
    }

    @Test
    void asyncIsNotSupported() {
        try (Hdf5DataSetIterator it = base().build()) {
            assertFalse(it.asyncSupported());
            assertTrue(it.resetSupported());
            assertNotEquals(0, it.inputColumns());
            assertEquals(10, it.totalOutcomes());
        }
    }
}
