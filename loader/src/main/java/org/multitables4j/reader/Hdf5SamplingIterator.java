package org.multitables4j.reader;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.multitables4j.InvalidConfigurationException;
import org.multitables4j.IteratorClosedException;
import org.multitables4j.MultitablesException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Random minibatches for SGD, served through an {@link Hdf5Reader}: each batch is
 * {@code batchSize} row indices drawn with replacement, uniformly or in proportion to per-row
 * weights, read as an index request into a stage of a {@link StagePool} and handed out as a DL4J
 * {@link DataSet}.
 *
 * <pre>{@code
 * try (Hdf5SamplingIterator it = Hdf5SamplingIterator.builder(Path.of("train.h5"))
 *         .features("/x").labels("/y").oneHot(10)
 *         .batchSize(64).batchesPerEpoch(500).sampleWeights("/w").seed(7)
 *         .prefetch(4).workers(2)
 *         .build()) {
 *     network.fit(it, 3);
 * }
 * }</pre>
 *
 * <h2>The draw</h2>
 * The indices of an epoch are a pure function of (seed, epoch): batch by batch, each index is
 * drawn from a generator seeded with both, independently of the prefetch depth, the number of
 * workers and the timing of the reads. Rows whose weight is zero are never drawn.
 * {@link #lastIndices()} tells which rows the last batch holds, in order.
 *
 * <h2>Epochs</h2>
 * An epoch is {@code batchesPerEpoch} batches (default: enough batches to draw as many rows as
 * the dataset holds). {@link #reset()} starts the next epoch, with a new draw; a reset before
 * the current epoch has handed out a batch does not advance the epoch, so DL4J's habit of
 * resetting before the first epoch costs nothing.
 *
 * <h2>Prefetch and validity of returned batches</h2>
 * The iterator keeps {@code prefetch} batches submitted to the reader's workers (one
 * {@link RequestQueue} per dataset), so the rows of the next batches are decoded while the network
 * trains on the current one. By default a returned {@link DataSet} is a view of stage memory (no
 * copy): it stays valid until the next call of {@link #next()}, {@link #reset()} or
 * {@link #close()}, after which its memory receives another batch; {@code DataSet.detach()} does
 * not copy these arrays. Build with {@link Builder#copyBatches(boolean) copyBatches(true)} to get
 * detached copies instead. One-hot labels are built on the consuming thread (into one reused
 * array, with the same validity, unless batches are copied).
 *
 * <p>{@link #asyncSupported()} is false: the iterator prefetches itself, and DL4J's
 * {@code AsyncDataSetIterator} would hold batches whose stages are being refilled. One thread
 * consumes the iterator; {@link #close()} may be called from any thread, and a consumer waiting
 * in {@link #next()} then fails promptly with an {@link IteratorClosedException}.
 */
public final class Hdf5SamplingIterator implements DataSetIterator, AutoCloseable {
    private static final long serialVersionUID = 1L;
    private static final long POLL_MS = 20;

    private final transient Hdf5Reader reader;
    private final boolean ownsReader;
    private final transient Hdf5Dataset features;
    private final transient Hdf5Dataset labels;
    private final transient List<long[]> selections;
    private final long[] featureShape;
    private final int classes;
    private final int batchSize;
    private final int batchesPerEpoch;
    private final long seed;
    private final int prefetch;
    private final boolean copyBatches;
    private final DataType dataType;
    private final long rows;
    /** Cumulative weights, or null for a uniform draw. */
    private final double[] cdf;
    private final int lastPositive;
    private final int inputColumns;
    private final int totalOutcomes;

    private final transient ReentrantLock lock = new ReentrantLock();
    private final transient RequestQueue featureQueue;
    private final transient RequestQueue labelQueue;
    /** Indices of the submitted batches, oldest first. */
    private final transient ArrayDeque<long[]> inFlight = new ArrayDeque<>();
    /** Drawn batches whose reads were given up after a failure, submitted again first. */
    private final transient ArrayDeque<long[]> retry = new ArrayDeque<>();
    private transient SplittableRandom rng;
    private int epoch;
    private int drawn;
    private volatile int delivered;
    private long[] last;
    private transient StagedArray heldFeatures;
    private transient StagedArray heldLabels;
    private transient INDArray oneHotBuffer;
    private transient volatile DataSetPreProcessor preProcessor;
    private volatile boolean closed;

    /**
     * Starts a builder that opens {@code file} with a reader of its own (closed with the iterator).
     *
     * @param file the HDF5 file
     * @return a builder with default options
     */
    public static Builder builder(Path file) {
        return new Builder(file, null);
    }

    /**
     * Starts a builder over an open reader, shared with other users: the iterator reads through
     * its workers and chunk caches and does not close it. {@link Builder#workers(int)} and
     * {@link Builder#cacheBytes(long)} do not apply.
     *
     * @param reader an open reader
     * @return a builder with default options
     */
    public static Builder builder(Hdf5Reader reader) {
        if (reader == null) {
            throw new InvalidConfigurationException("the reader is null");
        }
        return new Builder(null, reader);
    }

    /**
     * The default chunk cache: the features' decoded bytes when they fit in half the heap (draws
     * with replacement revisit every chunk, and a cache smaller than the data re-decodes chunks
     * for most batches: 348x the delivered bytes with 256 MiB over the 410 MB benchmark dataset),
     * else 256 MiB.
     */
    private static long defaultCache(Builder b) {
        long floor = 256L << 20;
        try (org.multitables4j.hdf5.Hdf5File f = org.multitables4j.hdf5.Hdf5File.open(b.file)) {
            org.multitables4j.hdf5.Hdf5Array a = b.featuresColumn == null ? f.array(b.features) : f.column(b.features, b.featuresColumn);
            long bytes = a.rows() * (long) a.rowBytes();
            return Math.max(floor, Math.min(bytes + (1 << 20), Runtime.getRuntime().maxMemory() / 2));
        } catch (RuntimeException e) {
            return floor; // the reader reports what is wrong with the file or dataset
        }
    }

    private Hdf5SamplingIterator(Builder b) {
        if (b.features == null) {
            throw new InvalidConfigurationException("features(path) is required" + b.where());
        }
        if (b.classes > 0 && b.labels == null) {
            throw new InvalidConfigurationException("oneHot(" + b.classes + ") needs labels(path)" + b.where());
        }
        this.ownsReader = b.reader == null;
        this.reader = ownsReader ? Hdf5Reader.open(b.file, b.workers, b.cacheBytes >= 0 ? b.cacheBytes : defaultCache(b),
                b.backend) : b.reader;
        try {
            this.features = b.featuresColumn == null ? reader.dataset(b.features) : reader.column(b.features, b.featuresColumn);
            this.rows = features.rows();
            if (rows < 1) {
                throw new InvalidConfigurationException("'" + features.path() + "' has no rows to draw from" + b.where());
            }
            this.selections = List.copyOf(b.selections);
            Request probe;
            try {
                probe = narrow(features.rows(0, 0));
            } catch (IndexOutOfRangeException e) {
                throw new InvalidConfigurationException("selectFeatures: " + e.getMessage(), e);
            }
            long[] rowShape = Arrays.copyOfRange(probe.shape(), 1, probe.shape().length);
            long elements = 1;
            for (long d : rowShape) {
                elements *= d;
            }
            if (b.featureShape != null) {
                long n = 1;
                for (long d : b.featureShape) {
                    if (d < 1) {
                        throw new InvalidConfigurationException("featureShape" + Arrays.toString(b.featureShape)
                                + " has a dimension below 1");
                    }
                    n *= d;
                }
                if (n != elements) {
                    throw new InvalidConfigurationException("featureShape" + Arrays.toString(b.featureShape) + " holds " + n
                            + " elements, a delivered row of '" + features.path() + "' " + Arrays.toString(rowShape)
                            + " holds " + elements);
                }
            }
            this.featureShape = b.featureShape;
            this.inputColumns = (int) Math.min(Integer.MAX_VALUE, elements);
            if (b.labels != null) {
                this.labels = b.labelsColumn == null ? reader.dataset(b.labels) : reader.column(b.labels, b.labelsColumn);
                if (labels.rows() != rows) {
                    throw new InvalidConfigurationException("'" + labels.path() + "' has " + labels.rows() + " rows, '"
                            + features.path() + "' " + rows + b.where());
                }
                long labelElements = labels.array().rowElements();
                if (b.classes > 0 && labelElements != 1) {
                    throw new InvalidConfigurationException("oneHot(" + b.classes + ") needs one class id per row; '"
                            + labels.path() + "' holds " + labelElements + " values per row");
                }
                this.totalOutcomes = b.classes > 0 ? b.classes : (int) Math.min(Integer.MAX_VALUE, labelElements);
            } else {
                this.labels = null;
                this.totalOutcomes = 0;
            }
            this.classes = b.classes;
            this.batchSize = b.batchSize;
            this.batchesPerEpoch = b.batchesPerEpoch > 0 ? b.batchesPerEpoch
                    : (int) Math.min(Integer.MAX_VALUE, (rows + b.batchSize - 1) / b.batchSize);
            this.seed = b.seed;
            this.prefetch = b.prefetch;
            this.copyBatches = b.copyBatches;
            this.dataType = b.dataType;

            double[] w = b.weights;
            if (b.weightsPath != null) {
                w = readWeights(b.weightsPath);
            }
            if (w != null) {
                if (w.length != rows) {
                    throw new InvalidConfigurationException(w.length + " sample weights for '" + features.path() + "' with "
                            + rows + " rows");
                }
                this.cdf = cumulative(w, b.weightsPath == null ? "sampleWeights" : "'" + b.weightsPath + "'");
                int lp = w.length - 1;
                while (w[lp] == 0) {
                    lp--;
                }
                this.lastPositive = lp;
            } else {
                this.cdf = null;
                this.lastPositive = -1;
            }

            // a stage holds a batch of delivered rows; narrowed rows need fewer stored rows of room
            long fullRow = features.array().rowElements();
            int stageRows = (int) Math.max(1, Math.min(batchSize, (batchSize * elements + fullRow - 1) / fullRow));
            this.featureQueue = new RequestQueue(reader, features.createStagePool(stageRows, prefetch + 1, dataType));
            this.labelQueue = labels == null ? null
                    : new RequestQueue(reader, labels.createStagePool(batchSize, prefetch + 1, classes > 0 ? DataType.DOUBLE : dataType));
            this.rng = generator(seed, 0);
            lock.lock();
            try {
                fill();
            } finally {
                lock.unlock();
            }
        } catch (RuntimeException e) {
            if (ownsReader) {
                reader.close();
            }
            throw e;
        }
    }

    private Request narrow(Request r) {
        for (long[] s : selections) {
            r = r.select((int) s[0], s[1], s[2]);
        }
        return r;
    }

    private double[] readWeights(String path) {
        Hdf5Dataset w = reader.dataset(path);
        if (w.rows() != rows || w.array().rowElements() != 1) {
            throw new InvalidConfigurationException("sampleWeights('" + path + "') " + Arrays.toString(w.shape())
                    + " must hold one weight per row of '" + features.path() + "' (" + rows + " rows)");
        }
        if (rows > Integer.MAX_VALUE - 8) {
            throw new InvalidConfigurationException("sampleWeights('" + path + "'): " + rows + " rows are too many for a weight table");
        }
        double[] out = new double[(int) rows];
        int step = (int) Math.min(rows, 1 << 16);
        Stage stage = w.createStage(step, DataType.DOUBLE);
        for (long s = 0; s < rows; s += step) {
            long e = Math.min(rows, s + step);
            int at = (int) s;
            reader.request(w.rows(s, e), stage).getDirect(v -> {
                for (int i = 0; i < v.size(0); i++) {
                    out[at + i] = v.getDouble(i);
                }
            });
        }
        return out;
    }

    private static double[] cumulative(double[] w, String what) {
        double[] c = new double[w.length];
        double sum = 0;
        for (int i = 0; i < w.length; i++) {
            double x = w[i];
            if (!(x >= 0) || Double.isInfinite(x)) {
                throw new InvalidConfigurationException(what + ": the weight of row " + i + " is " + x
                        + "; weights must be finite and not negative");
            }
            sum += x;
            c[i] = sum;
        }
        if (!(sum > 0) || Double.isInfinite(sum)) {
            throw new InvalidConfigurationException(what + ": the weights sum to " + sum + "; at least one row needs a positive weight");
        }
        return c;
    }

    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The generator of one epoch's draw. */
    private static SplittableRandom generator(long seed, int epoch) {
        return new SplittableRandom(mix64(mix64(seed) + 0xD1B54A32D192ED03L * (epoch + 1L)));
    }

    private long drawRow() {
        if (cdf == null) {
            return rng.nextLong(rows);
        }
        double u = rng.nextDouble() * cdf[cdf.length - 1];
        int lo = 0;
        int hi = cdf.length - 1;
        // the first row whose cumulative weight exceeds u: a row of weight zero never is
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cdf[mid] > u) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return cdf[lo] > u ? lo : lastPositive;
    }

    /** Keeps {@code prefetch} batches submitted (fewer at the end of the epoch). Under the lock. */
    private void fill() {
        while (inFlight.size() < prefetch && (!retry.isEmpty() || drawn < batchesPerEpoch)) {
            long[] idx = retry.poll();
            if (idx == null) {
                idx = new long[batchSize];
                for (int i = 0; i < batchSize; i++) {
                    idx[i] = drawRow();
                }
                drawn++;
            }
            inFlight.add(idx);
            featureQueue.submit(narrow(features.rows(idx)));
            if (labelQueue != null) {
                labelQueue.submit(labels.rows(idx));
            }
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IteratorClosedException("the sampling iterator over '" + features.path() + "' is closed");
        }
    }

    private void releaseHeld() {
        if (heldFeatures != null) {
            heldFeatures.close();
            heldFeatures = null;
        }
        if (heldLabels != null) {
            heldLabels.close();
            heldLabels = null;
        }
    }

    private void await(RequestQueue q) {
        while (!q.awaitNext(POLL_MS, TimeUnit.MILLISECONDS)) {
            checkOpen();
            if (Thread.currentThread().isInterrupted()) {
                throw new MultitablesException("Interrupted while waiting for a batch of '" + features.path() + "'");
            }
        }
    }

    /** Gives up the submitted batches after a failed read; they are submitted again by the next call. */
    private void abandonInFlight() {
        featureQueue.clear();
        if (labelQueue != null) {
            labelQueue.clear();
        }
        List<long[]> again = new ArrayList<>(inFlight);
        again.addAll(retry);
        retry.clear();
        retry.addAll(again);
        inFlight.clear();
    }

    @Override
    public boolean hasNext() {
        return !closed && delivered < batchesPerEpoch;
    }

    /**
     * @return the next batch: features {@code [batchSize, row shape...]} (narrowed and reshaped as
     *     built) and labels (one-hot with {@code oneHot}), a view of stage memory valid until the
     *     next call unless batches are copied
     * @throws NoSuchElementException when the epoch is over ({@link #reset()} starts the next)
     * @throws IteratorClosedException when the iterator is (or gets) closed
     */
    @Override
    public DataSet next() {
        lock.lock();
        try {
            checkOpen();
            if (delivered >= batchesPerEpoch) {
                throw new NoSuchElementException("epoch " + epoch + " is over after " + batchesPerEpoch
                        + " batches; reset() starts the next");
            }
            releaseHeld();
            fill();
            StagedArray f;
            StagedArray l = null;
            try {
                await(featureQueue);
                if (labelQueue != null) {
                    await(labelQueue);
                }
                f = featureQueue.next();
                try {
                    if (labelQueue != null) {
                        l = labelQueue.next();
                    }
                } catch (RuntimeException e) {
                    f.close();
                    throw e;
                }
            } catch (IteratorClosedException e) {
                throw e;
            } catch (RuntimeException e) {
                // the failed batch's other request and the later ones are given up, and read again next time
                abandonInFlight();
                throw e;
            }
            long[] idx = inFlight.poll();
            last = idx;
            delivered++;
            DataSet ds;
            try {
                ds = new DataSet(shapeFeatures(f), labels(l, idx));
            } catch (RuntimeException e) {
                f.close();
                if (l != null) {
                    l.close();
                }
                throw e;
            }
            if (copyBatches) {
                f.close();
            } else {
                heldFeatures = f;
            }
            if (l != null) {
                if (copyBatches || classes > 0) {
                    l.close();
                } else {
                    heldLabels = l;
                }
            }
            fill();
            DataSetPreProcessor pp = preProcessor;
            if (pp != null) {
                pp.preProcess(ds);
            }
            return ds;
        } finally {
            lock.unlock();
        }
    }

    private INDArray shapeFeatures(StagedArray f) {
        INDArray a = f.array();
        if (featureShape != null) {
            long[] shape = new long[featureShape.length + 1];
            shape[0] = a.size(0);
            System.arraycopy(featureShape, 0, shape, 1, featureShape.length);
            a = a.reshape('c', shape);
        }
        return copyBatches ? a.dup() : a;
    }

    private INDArray labels(StagedArray l, long[] idx) {
        if (l == null) {
            return null;
        }
        INDArray ids = l.array();
        if (classes == 0) {
            return copyBatches ? ids.dup() : ids;
        }
        INDArray out;
        if (copyBatches || oneHotBuffer == null) {
            out = Nd4j.zeros(dataType, batchSize, classes);
            if (!copyBatches) {
                oneHotBuffer = out;
            }
        } else {
            out = oneHotBuffer.assign(0);
        }
        for (int i = 0; i < batchSize; i++) {
            double c = ids.getDouble(i);
            if (!(c >= 0 && c < classes) || c != Math.rint(c)) {
                throw new MultitablesException("row " + idx[i] + " of '" + labels.path() + "' holds class " + c
                        + ", outside oneHot(" + classes + ") = [0, " + classes + ")");
            }
            out.putScalar(i, (int) c, 1.0);
        }
        return out;
    }

    /** Not supported: the batch size is fixed at build time. */
    @Override
    public DataSet next(int num) {
        throw new UnsupportedOperationException("the batch size is fixed at build time (" + batchSize + ")");
    }

    /** @return elements of one delivered feature row */
    @Override
    public int inputColumns() {
        return inputColumns;
    }

    /** @return the number of classes with one-hot labels, values per label row otherwise, 0 without labels */
    @Override
    public int totalOutcomes() {
        return totalOutcomes;
    }

    /** @return true */
    @Override
    public boolean resetSupported() {
        return true;
    }

    /** @return false: this iterator prefetches by itself (see the class documentation) */
    @Override
    public boolean asyncSupported() {
        return false;
    }

    /**
     * Starts the next epoch, with a new draw; batches submitted for the current epoch are given
     * up and the last returned batch becomes invalid. Does nothing before the current epoch has
     * handed out a batch.
     *
     * @throws IteratorClosedException when the iterator is closed
     */
    @Override
    public void reset() {
        lock.lock();
        try {
            checkOpen();
            if (delivered == 0) {
                return;
            }
            releaseHeld();
            featureQueue.clear();
            if (labelQueue != null) {
                labelQueue.clear();
            }
            inFlight.clear();
            retry.clear();
            epoch++;
            rng = generator(seed, epoch);
            drawn = 0;
            delivered = 0;
            fill();
        } finally {
            lock.unlock();
        }
    }

    /** @return rows per batch */
    @Override
    public int batch() {
        return batchSize;
    }

    /**
     * @param preProcessor applied to each batch on the consuming thread before it is returned (on
     *                     stage memory, unless batches are copied); null for none
     */
    @Override
    public void setPreProcessor(DataSetPreProcessor preProcessor) {
        this.preProcessor = preProcessor;
    }

    @Override
    public DataSetPreProcessor getPreProcessor() {
        return preProcessor;
    }

    /** @return null: class names are not read from the file */
    @Override
    public List<String> getLabels() {
        return null;
    }

    /** @return the epoch that the next batch belongs to (or the running one), from 0 */
    public int epoch() {
        return epoch;
    }

    /** @return batches per epoch */
    public int batchesPerEpoch() {
        return batchesPerEpoch;
    }

    /** @return rows of the features dataset, the range indices are drawn from */
    public long datasetRows() {
        return rows;
    }

    /**
     * @return the dataset rows of the batch last returned by {@link #next()}, in the batch's
     *     order (a copy), or null before the first batch
     */
    public long[] lastIndices() {
        lock.lock();
        try {
            return last == null ? null : last.clone();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Gives up the submitted batches, frees the stages and closes the reader if the iterator
     * opened it. Idempotent; safe from any thread (a consumer waiting in {@link #next()} fails
     * with an {@link IteratorClosedException} within a few tens of milliseconds).
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        lock.lock();
        try {
            releaseHeld();
            featureQueue.clear();
            if (labelQueue != null) {
                labelQueue.clear();
            }
            inFlight.clear();
            retry.clear();
            oneHotBuffer = null;
        } finally {
            lock.unlock();
            if (ownsReader) {
                reader.close();
            }
        }
    }

    /**
     * Options of an {@link Hdf5SamplingIterator}. Setters check their argument at once and
     * return this builder; {@link #build()} checks the options against the file.
     */
    public static final class Builder {
        private final Path file;
        private final Hdf5Reader reader;
        private String features;
        private String featuresColumn;
        private String labels;
        private String labelsColumn;
        private int classes;
        private long[] featureShape;
        private final List<long[]> selections = new ArrayList<>();
        private int batchSize = 32;
        private int batchesPerEpoch;
        private long seed;
        private double[] weights;
        private String weightsPath;
        private int prefetch = 4;
        private int workers = 2;
        private long cacheBytes = -1;
        private org.multitables4j.Backend backend = org.multitables4j.Backend.THREADS;
        private DataType dataType = DataType.FLOAT;
        private boolean copyBatches;

        private Builder(Path file, Hdf5Reader reader) {
            this.file = file;
            this.reader = reader;
        }

        private String where() {
            return file != null ? " (" + file + ")" : "";
        }

        /**
         * Required.
         *
         * @param path the dataset rows are drawn from; its outermost dimension indexes rows, any
         *             trailing shape
         * @return this builder
         */
        public Builder features(String path) {
            this.features = require(path, "features");
            this.featuresColumn = null;
            return this;
        }

        /**
         * @param table  a compound dataset (a PyTables table, a numpy structured array)
         * @param column the column whose values (a number or a fixed-size array per row) are the features
         * @return this builder
         */
        public Builder features(String table, String column) {
            features(table);
            this.featuresColumn = require(column, "features column");
            return this;
        }

        /**
         * @param path labels dataset with as many rows as the features; the label rows of the
         *             drawn indices are delivered as stored (converted to the data type) unless
         *             {@link #oneHot(int)} is set
         * @return this builder
         */
        public Builder labels(String path) {
            this.labels = require(path, "labels");
            this.labelsColumn = null;
            return this;
        }

        /**
         * @param table  a compound dataset
         * @param column the column holding the labels (class ids with {@link #oneHot(int)})
         * @return this builder
         */
        public Builder labels(String table, String column) {
            labels(table);
            this.labelsColumn = require(column, "labels column");
            return this;
        }

        /**
         * @param classes turn integer class ids in {@code [0, classes)} (one per label row) into
         *                one-hot rows; a class outside that range fails {@code next()} with an error
         *                naming the row
         * @return this builder
         */
        public Builder oneHot(int classes) {
            if (classes < 1) {
                throw new InvalidConfigurationException("oneHot needs at least 1 class, got " + classes);
            }
            this.classes = classes;
            return this;
        }

        /**
         * Narrows the features to indices {@code [from, to)} of one inner dimension, as
         * {@link Request#select(int, long, long)} (dimension 1 is the first inner dimension,
         * negative dimensions count from the end); may be given for several dimensions. Checked
         * against the dataset by {@link #build()}.
         *
         * @param dim  the dimension, as a numpy axis
         * @param from first index kept
         * @param to   end index (exclusive)
         * @return this builder
         */
        public Builder selectFeatures(int dim, long from, long to) {
            selections.add(new long[] {dim, from, to});
            return this;
        }

        /**
         * @param rowShape shape of one feature row in the delivered array, e.g. {@code (784)} for an
         *                 MLP over {@code [n, 28, 28]} images; must hold as many elements as a
         *                 delivered (narrowed) row. Default: the delivered row shape.
         * @return this builder
         */
        public Builder featureShape(long... rowShape) {
            this.featureShape = rowShape == null ? null : rowShape.clone();
            return this;
        }

        /**
         * @param batchSize rows per batch (default 32); a stage of each dataset holds one batch
         * @return this builder
         */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new InvalidConfigurationException("batchSize must be at least 1, got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /**
         * @param batches batches per epoch; default: {@code ceil(rows / batchSize)}, about as many
         *                draws as the dataset has rows
         * @return this builder
         */
        public Builder batchesPerEpoch(int batches) {
            if (batches < 1) {
                throw new InvalidConfigurationException("batchesPerEpoch must be at least 1, got " + batches);
            }
            this.batchesPerEpoch = batches;
            return this;
        }

        /**
         * @param seed seed of the draw (default 0); the same seed gives the same indices in every
         *             epoch of every run
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Draws row {@code i} with probability {@code weights[i] / sum(weights)} (default: uniform).
         *
         * @param weights one finite, non-negative weight per features row, with a positive sum;
         *                rows of weight zero are never drawn. Copied.
         * @return this builder
         * @throws InvalidConfigurationException for a negative, infinite or NaN weight or a sum that
         *     is not positive (the length is checked by {@link #build()})
         */
        public Builder sampleWeights(double[] weights) {
            if (weights == null) {
                this.weights = null;
                return this;
            }
            cumulative(weights, "sampleWeights");
            this.weights = weights.clone();
            this.weightsPath = null;
            return this;
        }

        /**
         * Draws rows in proportion to the weights stored in a dataset of the same file (read once,
         * by {@link #build()}, into a {@code double} per row).
         *
         * @param path a dataset of one number per features row ({@code [rows]} or {@code [rows, 1]}),
         *             finite and non-negative, with a positive sum
         * @return this builder
         */
        public Builder sampleWeights(String path) {
            this.weightsPath = require(path, "sampleWeights");
            this.weights = null;
            return this;
        }

        /**
         * @param batches batches kept submitted to the reader's workers ahead of the consumer
         *                (default 4); each dataset gets {@code batches + 1} stages of one batch
         * @return this builder
         */
        public Builder prefetch(int batches) {
            if (batches < 1) {
                throw new InvalidConfigurationException("prefetch must be at least 1, got " + batches);
            }
            this.prefetch = batches;
            return this;
        }

        /**
         * @param backend where the reader the builder opens reads and decodes (default
         *                {@link org.multitables4j.Backend#THREADS}; {@code PROCESSES}: a child JVM
         *                per worker, see {@link Hdf5Reader#open(Path, int, long, org.multitables4j.Backend)});
         *                ignored with {@link Hdf5SamplingIterator#builder(Hdf5Reader)}
         * @return this builder
         */
        public Builder backend(org.multitables4j.Backend backend) {
            if (backend == null) {
                throw new InvalidConfigurationException("backend must not be null");
            }
            this.backend = backend;
            return this;
        }

        /**
         * @param workers worker threads of the reader the builder opens (default 2); ignored with
         *                {@link Hdf5SamplingIterator#builder(Hdf5Reader)}
         * @return this builder
         */
        public Builder workers(int workers) {
            if (workers < 1) {
                throw new InvalidConfigurationException("workers must be at least 1, got " + workers);
            }
            this.workers = workers;
            return this;
        }

        /**
         * @param bytes decoded chunk bytes cached per dataset by the reader the builder opens
         *              (default: the features' decoded size when it fits in half the heap, else
         *              256 MiB); random draws from chunked data revisit chunks, so a cache that
         *              holds the working set avoids decoding them again. Ignored with a shared reader.
         * @return this builder
         */
        public Builder cacheBytes(long bytes) {
            if (bytes < 0) {
                throw new InvalidConfigurationException("cacheBytes must not be negative, got " + bytes);
            }
            this.cacheBytes = bytes;
            return this;
        }

        /**
         * @param type element type of the delivered features and (not one-hot) labels: FLOAT
         *             (default) or DOUBLE; one-hot labels have this type too
         * @return this builder
         */
        public Builder dataType(DataType type) {
            if (type != DataType.FLOAT && type != DataType.DOUBLE) {
                throw new InvalidConfigurationException("dataType must be FLOAT or DOUBLE, got " + type);
            }
            this.dataType = type;
            return this;
        }

        /**
         * @param copy true to hand out detached copies that stay valid for good; false (default) to
         *             hand out views of stage memory, valid until the next {@code next()},
         *             {@code reset()} or {@code close()}
         * @return this builder
         */
        public Builder copyBatches(boolean copy) {
            this.copyBatches = copy;
            return this;
        }

        private static String require(String s, String what) {
            if (s == null || s.isEmpty()) {
                throw new InvalidConfigurationException(what + " needs a non-empty path or name");
            }
            return s;
        }

        /**
         * Opens the reader (unless one was given), checks the options against the file and starts
         * prefetching the first epoch.
         *
         * @return the iterator
         * @throws InvalidConfigurationException for a missing file, dataset or column, row counts
         *     that differ, weights of the wrong length or with a bad value, a selection or feature
         *     shape that does not fit the dataset
         */
        public Hdf5SamplingIterator build() {
            return new Hdf5SamplingIterator(this);
        }
    }
}
