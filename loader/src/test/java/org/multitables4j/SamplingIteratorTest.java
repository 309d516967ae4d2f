package org.multitables4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.multitables4j.reader.Hdf5Dataset;
import org.multitables4j.reader.Hdf5Reader;
import org.multitables4j.reader.ReaderTestAccess;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Random minibatches with replacement: {@link Order#RANDOM_WITH_REPLACEMENT} of the streaming
 * iterator. References: iter.h5 (written by h5py, see make_iter_fixture.py) holds row r of /x* =
 * [r, 2r, -r, r % 7] and /y = r % 10; reader.h5 (make_reader_fixtures.py) holds the reader
 * fixture formula and the weights listed there; the multi-file parts come from
 * multifile/make_parts.py (global row g = [g, 2g, -g, g % 7]).
 */
class SamplingIteratorTest {
    static final int N = 10_000;

    static Path iter() {
        return resource("/iter/iter.h5");
    }

    static Path small() {
        return resource("/reader/reader.h5");
    }

    static Path resource(String name) {
        try {
            return Path.of(SamplingIteratorTest.class.getResource(name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A sampling builder: random minibatches with replacement. */
    static Hdf5DataSetIterator.Builder sampler(Path file) {
        return Hdf5DataSetIterator.builder(file).order(Order.RANDOM_WITH_REPLACEMENT);
    }

    static Hdf5DataSetIterator.Builder sampler(Hdf5Reader reader) {
        return Hdf5DataSetIterator.builder(reader).order(Order.RANDOM_WITH_REPLACEMENT);
    }

    /** All indices of the current epoch, batch after batch. */
    static List<long[]> epoch(Hdf5DataSetIterator it) {
        List<long[]> out = new ArrayList<>();
        while (it.hasNext()) {
            it.next();
            out.add(it.lastIndices());
        }
        return out;
    }

    static long[] flat(List<long[]> batches) {
        return batches.stream().flatMapToLong(Arrays::stream).toArray();
    }

    /** Threads of the loader (an iterator's workers, a reader's pool) alive now. */
    static Set<Thread> loaderThreads() {
        Set<Thread> s = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("multitables4j-") && t.isAlive()) {
                s.add(t);
            }
        }
        return s;
    }

    /** Waits (a pool's last thread may still be exiting when close returns) until only the threads of {@code before} remain. */
    static void awaitNoNewLoaderThreads(Set<Thread> before) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        Set<Thread> now = loaderThreads();
        now.removeAll(before);
        while (!now.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
            now = loaderThreads();
            now.removeAll(before);
        }
        assertTrue(now.isEmpty(), "loader threads left running: " + now);
    }

    /** Chi-square statistic of observed counts against expected probabilities (zero-probability cells skipped). */
    static double chiSquare(long[] counts, double[] p) {
        long n = Arrays.stream(counts).sum();
        double x = 0;
        for (int i = 0; i < counts.length; i++) {
            if (p[i] > 0) {
                double e = n * p[i];
                x += (counts[i] - e) * (counts[i] - e) / e;
            }
        }
        return x;
    }

    /** Checks every row of a batch of /x* against the fixture formula for the drawn indices. */
    static void checkRows(DataSet ds, long[] idx, String what) {
        assertEquals(idx.length, ds.getFeatures().size(0));
        for (int i = 0; i < idx.length; i++) {
            long r = idx[i];
            assertArrayEquals(new double[] {r, 2 * r, -r, r % 7}, ds.getFeatures().getRow(i).toDoubleVector(), 0.0,
                    what + " row " + r);
        }
    }

    @Test
    void sameSeedGivesTheSameIndicesAndResetDrawsTheNextEpoch() {
        List<long[]> e0;
        List<long[]> e1;
        try (Hdf5DataSetIterator it = sampler(iter()).features("/x")
                .batchSize(50).batchesPerEpoch(40).seed(5).prefetch(1).workers(1).build()) {
            assertEquals(0, it.epoch());
            assertNull(it.lastIndices());
            it.reset(); // nothing handed out yet: still epoch 0
            assertEquals(0, it.epoch());
            e0 = epoch(it);
            assertEquals(40, e0.size());
            assertThrows(NoSuchElementException.class, it::next);
            it.reset();
            assertEquals(1, it.epoch());
            e1 = epoch(it);
        }
        assertFalse(Arrays.equals(flat(e0), flat(e1)), "a new draw each epoch");
        try (Hdf5DataSetIterator it = sampler(iter()).features("/x_contig").labels("/y")
                .batchSize(50).batchesPerEpoch(40).seed(5).prefetch(7).workers(3).build()) {
            // another dataset of as many rows, another prefetch depth and worker count: the same draw
            for (int b = 0; b < 10; b++) {
                it.next();
                assertArrayEquals(e0.get(b), it.lastIndices(), "batch " + b);
            }
            it.reset(); // mid-epoch: the next epoch starts
            assertArrayEquals(flat(e1), flat(epoch(it)));
        }
        try (Hdf5DataSetIterator it = sampler(iter()).features("/x")
                .batchSize(50).batchesPerEpoch(40).seed(6).build()) {
            assertFalse(Arrays.equals(flat(e0), flat(epoch(it))), "another seed, another draw");
        }
        for (long r : flat(e0)) {
            assertTrue(r >= 0 && r < N);
        }
    }

    @Test
    void deliveredRowsAreTheFixtureRowsOfTheDrawnIndices() {
        for (String x : new String[] {"/x", "/x_contig", "/x_f8_be", "/x_i4"}) {
            for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
                try (Hdf5DataSetIterator it = sampler(iter()).features(x).labels("/y").oneHot(10)
                        .batchSize(37).batchesPerEpoch(12).seed(3).dataType(type).build()) {
                    assertEquals(4, it.inputColumns());
                    assertEquals(10, it.totalOutcomes());
                    while (it.hasNext()) {
                        DataSet ds = it.next();
                        long[] idx = it.lastIndices();
                        assertArrayEquals(new long[] {37, 4}, ds.getFeatures().shape());
                        assertArrayEquals(new long[] {37, 10}, ds.getLabels().shape());
                        assertEquals(type, ds.getFeatures().dataType());
                        assertEquals(type, ds.getLabels().dataType());
                        checkRows(ds, idx, x);
                        for (int i = 0; i < idx.length; i++) {
                            double[] hot = new double[10];
                            hot[(int) (idx[i] % 10)] = 1;
                            assertArrayEquals(hot, ds.getLabels().getRow(i).toDoubleVector(), "label of row " + idx[i]);
                        }
                    }
                }
            }
        }
        // labels as stored (no one-hot), converted to the data type
        try (Hdf5DataSetIterator it = sampler(iter()).features("/x").labels("/y")
                .batchSize(20).batchesPerEpoch(5).seed(9).build()) {
            assertEquals(1, it.totalOutcomes());
            while (it.hasNext()) {
                DataSet ds = it.next();
                long[] idx = it.lastIndices();
                for (int i = 0; i < idx.length; i++) {
                    assertEquals(idx[i] % 10, ds.getLabels().getDouble(i, 0));
                }
            }
        }
    }

    @Test
    void batchesAreSlotViewsOrDetachedCopies() {
        Set<Long> addresses = new HashSet<>();
        try (Hdf5DataSetIterator it = sampler(iter()).features("/x").labels("/y")
                .batchSize(64).batchesPerEpoch(30).prefetch(2).seed(1).build()) {
            while (it.hasNext()) {
                addresses.add(it.next().getFeatures().data().address());
            }
        }
        assertTrue(addresses.size() <= 3, "batches rotate over prefetch + holdBatches slots: " + addresses.size());
        List<DataSet> kept = new ArrayList<>();
        List<long[]> idx = new ArrayList<>();
        try (Hdf5DataSetIterator it = sampler(iter()).features("/x").labels("/y").oneHot(10)
                .batchSize(64).batchesPerEpoch(30).prefetch(2).seed(1).copyBatches(true).build()) {
            while (it.hasNext()) {
                kept.add(it.next());
                idx.add(it.lastIndices());
            }
        }
        // copies stay valid after later batches and after close
        for (int b = 0; b < kept.size(); b++) {
            for (int i = 0; i < 64; i++) {
                long r = idx.get(b)[i];
                assertEquals(2.0 * r, kept.get(b).getFeatures().getDouble(i, 1));
                assertEquals(1.0, kept.get(b).getLabels().getDouble(i, (int) (r % 10)));
            }
        }
    }

    @Test
    void heldBatchesStayValid() {
        List<DataSet> views = new ArrayList<>();
        List<long[]> idx = new ArrayList<>();
        Set<Long> addresses = new HashSet<>();
        try (Hdf5DataSetIterator it = sampler(iter()).features("/x").batchSize(32).batchesPerEpoch(40)
                .holdBatches(3).prefetch(2).workers(2).seed(12).build()) {
            while (it.hasNext()) {
                DataSet ds = it.next();
                views.add(ds);
                idx.add(it.lastIndices());
                addresses.add(ds.getFeatures().data().address());
                // the last three batches are still the rows they were when handed out
                for (int back = 0; back < Math.min(3, views.size()); back++) {
                    int b = views.size() - 1 - back;
                    checkRows(views.get(b), idx.get(b), "batch " + b + " seen " + back + " batches later");
                }
            }
        }
        assertEquals(40, views.size());
        assertTrue(addresses.size() <= 5, "prefetch + holdBatches slots: " + addresses.size());
    }

    @Test
    void uniformDrawIsUniformAndWithReplacement() {
        long[] counts = new long[10];
        try (Hdf5DataSetIterator it = sampler(small()).features("/small").labels("/small_labels")
                .batchSize(100).batchesPerEpoch(300).seed(21).build()) {
            assertEquals(10, it.datasetRows());
            while (it.hasNext()) {
                DataSet ds = it.next();
                long[] idx = it.lastIndices();
                for (int i = 0; i < idx.length; i++) {
                    counts[(int) idx[i]]++;
                    for (int k = 0; k < 3; k++) {
                        assertEquals(ReaderTestAccess.expected(idx[i], k), ds.getFeatures().getDouble(i, k));
                    }
                    assertEquals(idx[i] % 3, ds.getLabels().getDouble(i, 0));
                }
            }
        }
        double[] p = new double[10];
        Arrays.fill(p, 0.1);
        // 9 degrees of freedom: P(chi2 > 27.88) = 0.001
        assertTrue(chiSquare(counts, p) < 27.88, Arrays.toString(counts));
        // with replacement over a large dataset: an epoch of N draws from N rows misses about N/e rows
        long[] hits = new long[N];
        boolean repeatInABatch = false;
        try (Hdf5DataSetIterator it = sampler(iter()).features("/x").batchSize(100).seed(2).build()) {
            assertEquals(N / 100, it.batchesPerEpoch());
            for (long[] b : epoch(it)) {
                repeatInABatch |= Arrays.stream(b).distinct().count() < b.length;
                for (long r : b) {
                    hits[(int) r]++;
                }
            }
        }
        long never = Arrays.stream(hits).filter(c -> c == 0).count();
        assertTrue(never > 3450 && never < 3910, "rows never drawn, expected about N/e = 3679: " + never);
        assertTrue(Arrays.stream(hits).anyMatch(c -> c >= 4), "some rows drawn several times");
        assertTrue(repeatInABatch, "a batch may hold a row twice");
    }

    @Test
    void weightsSteerTheDrawAndRowsOfWeightZeroAreNeverDrawn() {
        double[] w = {0, 1, 2, 3, 4, 0, 6, 7, 8, 9};
        List<long[]> fromArray;
        try (Hdf5DataSetIterator it = sampler(small()).features("/small")
                .batchSize(200).batchesPerEpoch(200).sampleWeights(w).seed(4).build()) {
            fromArray = epoch(it);
        }
        List<long[]> fromDataset;
        try (Hdf5DataSetIterator it = sampler(small()).features("/small")
                .batchSize(200).batchesPerEpoch(200).sampleWeights("/small_weights").seed(4).build()) {
            fromDataset = epoch(it);
        }
        assertArrayEquals(flat(fromArray), flat(fromDataset), "weights from an array or a dataset: the same draw");
        long[] counts = new long[10];
        for (long r : flat(fromArray)) {
            counts[(int) r]++;
        }
        assertEquals(0, counts[0], "weight 0");
        assertEquals(0, counts[5], "weight 0");
        double[] p = new double[10];
        for (int i = 0; i < 10; i++) {
            p[i] = w[i] / 40.0;
        }
        // 7 degrees of freedom (8 cells): P(chi2 > 24.32) = 0.001
        assertTrue(chiSquare(counts, p) < 24.32, Arrays.toString(counts));
        // proportions within 1% of 40 000 draws
        for (int i = 0; i < 10; i++) {
            assertEquals(p[i], counts[i] / 40_000.0, 0.01, "row " + i);
        }
        // a single row of positive weight among many of weight zero, at either end
        for (int only : new int[] {0, N / 2, N - 1}) {
            double[] one = new double[N];
            one[only] = 0.5;
            try (Hdf5DataSetIterator it = sampler(iter()).features("/x")
                    .batchSize(64).batchesPerEpoch(20).sampleWeights(one).seed(only).build()) {
                for (long r : flat(epoch(it))) {
                    assertEquals(only, r);
                }
            }
        }
    }

    @Test
    void innerSelectionsAndFeatureShapes() {
        try (Hdf5DataSetIterator it = sampler(iter()).features("/x").selectFeatures(1, 1, 3)
                .batchSize(16).batchesPerEpoch(4).seed(8).build()) {
            assertEquals(2, it.inputColumns());
            while (it.hasNext()) {
                DataSet ds = it.next();
                long[] idx = it.lastIndices();
                assertArrayEquals(new long[] {16, 2}, ds.getFeatures().shape());
                for (int i = 0; i < 16; i++) {
                    assertArrayEquals(new double[] {2 * idx[i], -idx[i]}, ds.getFeatures().getRow(i).toDoubleVector());
                }
            }
        }
        // x[rows, 2:5, :, 1:3] of [40, 6, 5, 4], delivered flat for an MLP
        try (Hdf5DataSetIterator it = sampler(small()).features("/rank4")
                .selectFeatures(1, 2, 5).selectFeatures(-1, 1, 3).featureShape(30)
                .batchSize(24).batchesPerEpoch(6).seed(8).dataType(DataType.DOUBLE).build()) {
            assertEquals(30, it.inputColumns());
            while (it.hasNext()) {
                DataSet ds = it.next();
                long[] idx = it.lastIndices();
                assertArrayEquals(new long[] {24, 30}, ds.getFeatures().shape());
                for (int i = 0; i < 24; i++) {
                    assertArrayEquals(ReaderTestAccess.expectedRow(idx[i], new long[] {2, 0, 1}, new long[] {5, 5, 3}, false),
                            ds.getFeatures().getRow(i).toDoubleVector(), "row " + idx[i]);
                }
            }
        }
    }

    @Test
    void aSharedReaderServesSeveralIteratorsAndStaysOpen() {
        try (Hdf5Reader reader = Hdf5Reader.open(iter(), 2)) {
            List<long[]> a;
            try (Hdf5DataSetIterator one = sampler(reader).features("/x").batchSize(32)
                    .batchesPerEpoch(10).seed(1).workers(2).build();
                 Hdf5DataSetIterator two = sampler(reader).features("/x").batchSize(32)
                         .batchesPerEpoch(10).seed(1).workers(1).build()) {
                a = new ArrayList<>();
                while (one.hasNext()) {
                    DataSet d1 = one.next();
                    DataSet d2 = two.next();
                    assertArrayEquals(one.lastIndices(), two.lastIndices());
                    assertEquals(d1.getFeatures(), d2.getFeatures());
                    checkRows(d1, one.lastIndices(), "shared reader");
                    a.add(one.lastIndices());
                }
                assertFalse(two.hasNext());
            }
            assertTrue(reader.cacheStats().hits() > 0, "the iterators share the reader's block store: " + reader.cacheStats());
            long[] first = a.get(0);
            Hdf5Dataset x = reader.dataset("/x");
            INDArray rows = reader.request(x.rows(first), x.createStage(32)).get();
            assertEquals(2.0 * first[5], rows.getDouble(5, 1), "the reader is still open");
        }
    }

    @Test
    void badInputFailsWithClearErrors() throws InterruptedException {
        Set<Thread> threads = loaderThreads();
        Supplier<Hdf5DataSetIterator.Builder> b = () -> sampler(small()).features("/small");
        assertMessage("batchSize must be at least 1", () -> b.get().batchSize(0));
        assertMessage("batchesPerEpoch must be at least 1", () -> b.get().batchesPerEpoch(0));
        assertMessage("prefetch must be at least 1", () -> b.get().prefetch(0));
        assertMessage("workers must be at least 1", () -> b.get().workers(0));
        assertMessage("oneHot needs at least 1 class", () -> b.get().oneHot(0));
        assertMessage("which cannot be delivered as INT", () -> b.get().dataType(DataType.INT).build());
        assertMessage("the weight of row 2 is -1.0", () -> b.get().sampleWeights(weights(2, -1)).build());
        assertMessage("the weight of row 1 is NaN", () -> b.get().sampleWeights(weights(1, Double.NaN)).build());
        assertMessage("the weight of row 0 is Infinity",
                () -> b.get().sampleWeights(weights(0, Double.POSITIVE_INFINITY)).build());
        assertMessage("the weights sum to 0", () -> b.get().sampleWeights(new double[10]).build());
        assertMessage("3 sample weights for 10 rows", () -> b.get().sampleWeights(new double[] {1, 2, 3}).build());
        assertMessage("sampleWeights must not be empty", () -> b.get().sampleWeights(new double[0]));
        assertMessage("the weight of row 4 is -1.0", () -> b.get().sampleWeights("/bad_weights").build());
        assertMessage("the weights sum to 0", () -> b.get().sampleWeights("/zero_weights").build());
        assertMessage("must hold one value per row", () -> b.get().sampleWeights("/rank4").build());
        assertMessage("No dataset '/nope'", () -> b.get().sampleWeights("/nope").build());
        assertMessage("No dataset '/nope'", () -> sampler(small()).features("/nope").build());
        assertMessage("No dataset '/nope'", () -> b.get().labels("/nope").build());
        assertMessage("features(path) is required", () -> sampler(small()).build());
        assertMessage("HDF5 file not found", () -> sampler(Path.of("no-such.h5")).features("/x").build());
        assertMessage("oneHot(3) needs labels(path)", () -> b.get().oneHot(3).build());
        assertMessage("have 9999 rows", () -> sampler(iter()).features("/x").labels("/y_short").build());
        assertMessage("oneHot needs one integer class id per row", () -> sampler(small()).features("/small")
                .labels("/small").oneHot(3).build());
        assertMessage("row shape [4] holds 4 elements", () -> b.get().featureShape(4).build());
        assertMessage("selectFeatures: select(2, 0, 1)", () -> b.get().selectFeatures(2, 0, 1).build());
        assertMessage("leaves dimension 1 of size 3", () -> b.get().selectFeatures(1, 2, 4).build());
        assertMessage("has no rows", () -> sampler(iter()).features("/empty").build());
        assertMessage("has no rows", () -> sampler(iter()).features("/empty").batchesPerEpoch(3).build());
        assertMessage("batchesPerEpoch needs order(RANDOM_WITH_REPLACEMENT)",
                () -> b.get().order(Order.RANDOM).batchesPerEpoch(3).build());
        assertMessage("sampleWeights needs order(RANDOM_WITH_REPLACEMENT)",
                () -> b.get().order(Order.SHUFFLED).sampleWeights("/small_weights").build());
        assertMessage("set samplesPerEpoch or batchesPerEpoch, not both",
                () -> b.get().samplesPerEpoch(10).batchesPerEpoch(3).build());
        assertMessage("the reader is null", () -> Hdf5DataSetIterator.builder((Hdf5Reader) null));
        awaitNoNewLoaderThreads(threads); // a failed build leaves no thread behind
        try (Hdf5DataSetIterator it = b.get().batchSize(4).build()) {
            assertThrows(UnsupportedOperationException.class, () -> it.next(3));
            assertFalse(it.asyncSupported());
            assertTrue(it.resetSupported());
            assertNull(it.getLabels());
        }
    }

    /** Ten weights of 1 with {@code value} at {@code row}. */
    static double[] weights(int row, double value) {
        double[] w = new double[10];
        Arrays.fill(w, 1);
        w[row] = value;
        return w;
    }

    static void assertMessage(String part, Runnable r) {
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class, r::run, part);
        assertTrue(e.getMessage().contains(part), "'" + e.getMessage() + "' should say '" + part + "'");
    }

    @Test
    void aClassOutsideOneHotNamesTheRow() {
        double[] w = new double[N];
        w[4321] = 1; // /y_bad holds 12 at row 4321
        w[7] = 1;
        try (Hdf5DataSetIterator it = sampler(iter()).features("/x").labels("/y_bad").oneHot(10)
                .sampleWeights(w).batchSize(8).batchesPerEpoch(50).seed(1).build()) {
            MultitablesException e = assertThrows(MultitablesException.class, () -> {
                while (it.hasNext()) {
                    it.next();
                }
            });
            assertTrue(e instanceof CorruptDataException, e.toString());
            assertTrue(e.getMessage().contains("row 4321") && e.getMessage().contains("class 12")
                    && e.getMessage().contains("/y_bad"), e.getMessage());
        }
    }

    @Test
    void closeFromAnotherThreadNeverHangs() throws Exception {
        Set<Thread> threads = loaderThreads();
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int round = 0; round < 12; round++) {
                // a one-block cache: nearly every block of every batch is decoded again
                Hdf5DataSetIterator it = sampler(iter()).features("/x").labels("/y").oneHot(10)
                        .batchSize(2048).batchesPerEpoch(1000).prefetch(1 + round % 3).cacheBytes(1).workers(1)
                        .seed(round).build();
                AtomicReference<Throwable> ended = new AtomicReference<>();
                Thread consumer = new Thread(() -> {
                    try {
                        while (it.hasNext()) {
                            it.next();
                        }
                        ended.set(new IllegalStateException("hasNext() turned false"));
                    } catch (Throwable t) {
                        ended.set(t);
                    }
                });
                consumer.start();
                Thread.sleep(5 + 7 * round);
                long t0 = System.nanoTime();
                it.close();
                consumer.join(10_000);
                assertFalse(consumer.isAlive(), "the consumer ends after close");
                assertTrue((System.nanoTime() - t0) / 1e9 < 10, "close and the consumer end promptly");
                Throwable t = ended.get();
                assertNotNull(t);
                assertTrue(t instanceof IteratorClosedException || "hasNext() turned false".equals(t.getMessage()), stackOf(t));
                assertFalse(it.hasNext());
                assertThrows(IteratorClosedException.class, it::next);
                assertThrows(IteratorClosedException.class, it::reset);
                it.close(); // idempotent
            }
        });
        awaitNoNewLoaderThreads(threads); // closing ends the workers
    }

    static String stackOf(Throwable t) {
        java.io.StringWriter w = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(w));
        return w.toString();
    }

    @Test
    void closeReleasesAConsumerWaitingForItsBatch() throws Exception {
        Set<Thread> before = loaderThreads();
        try (Hdf5Reader reader = Hdf5Reader.open(iter(), 2)) {
            Hdf5Dataset x = reader.dataset("/x");
            AtomicReference<Throwable> ended = new AtomicReference<>();
            Thread consumer;
            Thread closer;
            // holding the block store's lock stops every worker that reads a block of /x: the
            // iterator's batches cannot be filled until the test lets go
            ReentrantLock monitor = ReaderTestAccess.monitor(x);
            monitor.lock();
            try {
                Hdf5DataSetIterator it = sampler(reader).features("/x").labels("/y").batchSize(16).workers(2).build();
                consumer = new Thread(() -> {
                    try {
                        it.next();
                    } catch (Throwable t) {
                        ended.set(t);
                    }
                });
                consumer.start();
                Thread.sleep(100);
                assertTrue(consumer.isAlive(), "the consumer waits for its batch");
                // close() joins the workers, which wait for the lock this thread holds: close from another thread
                closer = new Thread(it::close);
                closer.start();
                consumer.join(5_000);
                assertFalse(consumer.isAlive(), "the consumer ends after close, while the reads are still held up");
                assertTrue(ended.get() instanceof IteratorClosedException, String.valueOf(ended.get()));
            } finally {
                monitor.unlock();
            }
            closer.join(10_000);
            assertFalse(closer.isAlive(), "close returns once the reads it waited for are let go");
            // the shared reader serves on
            long[] idx = {5, 9999, 0};
            INDArray rows = reader.request(x.rows(idx), x.createStage(3)).get();
            assertArrayEquals(new double[] {2 * 9999, -9999}, rows.getRow(1).get(NDArrayIndex.interval(1, 3)).toDoubleVector());
        }
        awaitNoNewLoaderThreads(before);
    }

    @Test
    void shardsDealTheGlobalDrawRoundRobin() {
        List<long[]> whole;
        try (Hdf5DataSetIterator it = sampler(iter()).features("/x").labels("/y").oneHot(10)
                .batchSize(50).batchesPerEpoch(12).seed(33).build()) {
            whole = epoch(it);
        }
        assertEquals(12, whole.size());
        for (int count : new int[] {1, 3, 5}) {
            for (ShardMode mode : ShardMode.values()) {
                for (int i = 0; i < count; i++) {
                    try (Hdf5DataSetIterator it = sampler(iter()).features("/x").labels("/y").oneHot(10)
                            .batchSize(50).batchesPerEpoch(12).seed(33).shard(i, count).shardMode(mode)
                            .workers(1 + i % 2).build()) {
                        List<long[]> mine = new ArrayList<>();
                        while (it.hasNext()) {
                            DataSet ds = it.next();
                            checkRows(ds, it.lastIndices(), "shard " + i + " of " + count);
                            mine.add(it.lastIndices());
                        }
                        // the global batches are 0..11; PAD deals padding batches that repeat the
                        // draw from its start (12 -> 0, ...), DROP ends at the last round every shard
                        // completes, UNEVEN deals what there is
                        int expected = switch (mode) {
                            case PAD -> (12 + count - 1) / count;
                            case DROP -> 12 / count;
                            case UNEVEN -> (12 - i + count - 1) / count;
                        };
                        assertEquals(expected, mine.size(), mode + " shard " + i + " of " + count);
                        for (int j = 0; j < mine.size(); j++) {
                            int g = i + j * count;
                            assertArrayEquals(whole.get(g % 12), mine.get(j), mode + " shard " + i + " of " + count + ", global batch " + g);
                        }
                    }
                }
            }
        }
    }

    @Test
    void resumeMidEpochYieldsExactlyTheRemainingDraw() {
        List<long[]> e0;
        List<long[]> e1;
        try (Hdf5DataSetIterator it = sampler(iter()).features("/x").labels("/y").oneHot(10)
                .batchSize(40).batchesPerEpoch(15).seed(77).build()) {
            e0 = epoch(it);
            it.reset();
            e1 = epoch(it);
        }
        for (int stop : new int[] {0, 1, 7, 14, 15}) {
            IteratorState state;
            try (Hdf5DataSetIterator it = sampler(iter()).features("/x").labels("/y").oneHot(10)
                    .batchSize(40).batchesPerEpoch(15).seed(77).workers(1).build()) {
                for (int b = 0; b < stop; b++) {
                    it.next();
                }
                state = it.state();
            }
            try (Hdf5DataSetIterator it = sampler(iter()).features("/x").labels("/y").oneHot(10)
                    .batchSize(40).batchesPerEpoch(15).seed(77).workers(3).resumeFrom(state).build()) {
                List<long[]> rest = new ArrayList<>();
                while (it.hasNext()) {
                    DataSet ds = it.next();
                    checkRows(ds, it.lastIndices(), "resumed after " + stop);
                    rest.add(it.lastIndices());
                }
                // a state taken after the last batch continues with the next epoch
                List<long[]> want = stop < 15 ? e0.subList(stop, 15) : e1;
                assertEquals(want.size(), rest.size(), "after " + stop);
                for (int b = 0; b < rest.size(); b++) {
                    assertArrayEquals(want.get(b), rest.get(b), "after " + stop + ", batch " + b);
                }
            }
        }
        // a state of other options is refused
        IteratorState other;
        try (Hdf5DataSetIterator it = sampler(iter()).features("/x").batchSize(40).batchesPerEpoch(15).seed(77).build()) {
            it.next();
            other = it.state();
        }
        assertMessage("the state to resume from was taken from another dataset or other options",
                () -> sampler(iter()).features("/x").batchSize(40).batchesPerEpoch(16).seed(77).resumeFrom(other).build());
    }

    @TempDir
    Path dir;

    @Test
    void severalFilesAreOneDatasetToDrawFrom() throws IOException, InterruptedException {
        Path script = Path.of("src/test/resources/multifile/make_parts.py").toAbsolutePath();
        Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), dir.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "make_parts.py (needs h5py and numpy for /usr/bin/python3): " + out);
        int total = Integer.parseInt(out.trim());
        List<Path> parts = List.of(dir.resolve("part-0.h5"), dir.resolve("part-1.h5"), dir.resolve("part-2.h5"));
        long[] perFile = new long[3];
        try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(parts).order(Order.RANDOM_WITH_REPLACEMENT)
                .features("/x").labels("/y").oneHot(10).batchSize(64).batchesPerEpoch(60).seed(4).workers(2).build()) {
            assertEquals(total, it.datasetRows());
            while (it.hasNext()) {
                DataSet ds = it.next();
                long[] idx = it.lastIndices();
                checkRows(ds, idx, "files");
                for (int i = 0; i < idx.length; i++) {
                    assertEquals(1.0, ds.getLabels().getDouble(i, (int) (idx[i] % 10)), "label of row " + idx[i]);
                    perFile[idx[i] < 1234 ? 0 : idx[i] < 1234 + 777 ? 1 : 2]++;
                }
            }
        }
        // 3840 uniform draws over the summed rows: each file in proportion to its rows (within 5 sigma)
        double[] share = {1234.0 / total, 777.0 / total, 2001.0 / total};
        for (int f = 0; f < 3; f++) {
            double mean = 3840 * share[f];
            assertEquals(mean, perFile[f], 5 * Math.sqrt(mean), "draws from file " + f + ": " + Arrays.toString(perFile));
        }
        // weights read from every file: /w = (g % 3 == 0)
        try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(parts).order(Order.RANDOM_WITH_REPLACEMENT)
                .features("/x").sampleWeights("/w").batchSize(64).batchesPerEpoch(30).seed(5).build()) {
            Set<Integer> files = new HashSet<>();
            for (long r : flat(epoch(it))) {
                assertEquals(0, r % 3, "row " + r + " has weight 0");
                files.add(r < 1234 ? 0 : r < 1234 + 777 ? 1 : 2);
            }
            assertEquals(Set.of(0, 1, 2), files, "every file is drawn from");
        }
    }

    @Test
    void statsCountTheDrawAndItsBlocks() {
        Set<Long> blocks = new HashSet<>();
        IteratorStats stats;
        try (Hdf5DataSetIterator it = sampler(iter()).features("/x").batchSize(50).batchesPerEpoch(10).seed(3).workers(2).build()) {
            for (long[] b : epoch(it)) {
                for (long r : b) {
                    blocks.add(r / 256); // /x is chunked by 256 rows
                }
            }
            stats = it.stats();
        }
        assertEquals(500, stats.rows());
        assertEquals(10, stats.batches());
        assertEquals(500 * 4 * 4, stats.bytes());
        assertEquals(1, stats.epochs());
        // the default cache holds the whole dataset for a random order: every block drawn is decoded once
        assertEquals(blocks.size(), stats.blocksNeeded(), stats.toString());
        assertEquals(blocks.size(), stats.blocksDecoded(), stats.toString());
        assertEquals(1.0, stats.readAmplification(), 1e-9);
    }

    @Test
    void workerProcessesDrawAndDeliverTheSame() {
        List<long[]> threads;
        try (Hdf5DataSetIterator it = sampler(iter()).features("/x").labels("/y").oneHot(10)
                .batchSize(64).batchesPerEpoch(20).seed(19).workers(2).build()) {
            threads = epoch(it);
        }
        try (Hdf5DataSetIterator it = sampler(iter()).features("/x").labels("/y").oneHot(10)
                .batchSize(64).batchesPerEpoch(20).seed(19).workers(2).backend(Backend.PROCESSES).build()) {
            List<long[]> processes = new ArrayList<>();
            while (it.hasNext()) {
                DataSet ds = it.next();
                checkRows(ds, it.lastIndices(), "processes");
                for (int i = 0; i < 64; i++) {
                    assertEquals(1.0, ds.getLabels().getDouble(i, (int) (it.lastIndices()[i] % 10)));
                }
                processes.add(it.lastIndices());
            }
            assertEquals(2, it.workerPids().size(), "one child per worker");
            assertArrayEquals(flat(threads), flat(processes), "the same draw with threads and processes");
        }
    }

    static MultiLayerNetwork mlp() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(1).updater(new Adam(0.01)).list()
                .layer(new DenseLayer.Builder().nIn(16).nOut(32).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(32).nOut(4)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    @Test
    void anMlpTrainsOnSampledMinibatches() {
        MultiLayerNetwork net = mlp();
        DataSet all;
        try (Hdf5Reader reader = Hdf5Reader.open(iter(), 2)) {
            Hdf5Dataset x = reader.dataset("/cls/x");
            Hdf5Dataset y = reader.dataset("/cls/y");
            INDArray features = reader.request(x.rows(0, 2048), x.createStage(2048)).get();
            INDArray ids = reader.request(y.rows(0, 2048), y.createStage(2048, DataType.DOUBLE)).get();
            INDArray labels = Nd4j.zeros(DataType.FLOAT, 2048, 4);
            for (int i = 0; i < 2048; i++) {
                labels.putScalar(i, ids.getInt(i, 0), 1);
            }
            all = new DataSet(features, labels);
        }
        double before = net.score(all);
        try (Hdf5DataSetIterator it = sampler(iter()).features("/cls/x").labels("/cls/y").oneHot(4)
                .batchSize(64).batchesPerEpoch(32).seed(1).prefetch(3).build()) {
            net.fit(it, 3);
            assertEquals(2, it.epoch(), "three epochs: two resets");
        }
        double after = net.score(all);
        assertTrue(after < 0.5 * before, "loss " + before + " -> " + after);
        Evaluation ev = new Evaluation(4);
        ev.eval(all.getLabels(), net.output(all.getFeatures()));
        assertTrue(ev.accuracy() > 0.9, ev.stats());
    }
}
