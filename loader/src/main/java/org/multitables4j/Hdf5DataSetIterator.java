package org.multitables4j;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.multitables4j.hdf5.ElementConverter;
import org.multitables4j.hdf5.ElementType;
import org.multitables4j.hdf5.Hdf5Array;
import org.multitables4j.hdf5.Hdf5File;
import org.multitables4j.plan.EpochPlan;
import org.multitables4j.ring.SlotRing;
import org.multitables4j.ring.SlotRing.Slot;
import org.multitables4j.workers.ThreadWorkers;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;

/**
 * A DL4J {@link DataSetIterator} that streams an HDF5 dataset (and optionally a labels dataset
 * with the same number of rows) through parallel workers into off-heap ring slots.
 *
 * <pre>{@code
 * try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(Path.of("train.h5"))
 *         .features("/x").labels("/y").oneHot(10)
 *         .batchSize(128).order(Order.SHUFFLED).seed(42).workers(2).prefetch(8)
 *         .build()) {
 *     network.fit(it, 5);
 * }
 * }</pre>
 *
 * <h2>Validity of returned batches</h2>
 * A {@link DataSet} returned by {@link #next()} is a view of slot memory. It stays valid until
 * the next call of {@code next()} (more precisely: the last {@link Builder#holdBatches(int)}
 * batches stay valid, default 1), {@link #reset()} or {@link #close()}; after that its memory is
 * reused for another batch. {@code DataSet.detach()} does <em>not</em> copy these arrays. To keep
 * a batch longer, {@code dup()} its arrays or build the iterator with
 * {@link Builder#copyBatches(boolean) copyBatches(true)}, which hands out detached copies.
 *
 * <h2>Epochs and order</h2>
 * Every row is delivered exactly once per epoch (the final partial batch included unless
 * {@link Builder#dropLast(boolean) dropLast}). The order is a pure function of (seed, epoch): the
 * same for any number of workers. {@link #reset()} may be called at any time; it stops the
 * workers and the next batch starts the next epoch, with a new shuffle. A reset before the
 * current epoch has delivered any batch does not advance the epoch.
 *
 * <p>{@link #asyncSupported()} is false: the iterator prefetches itself, and DL4J's
 * {@code AsyncDataSetIterator} would hold batches whose slots are being refilled.
 * One thread consumes the iterator; {@link #close()} may be called from any thread.
 */
public final class Hdf5DataSetIterator implements DataSetIterator, AutoCloseable {
    private static final long serialVersionUID = 1L;

    private final Builder cfg;
    private final transient Hdf5File file;
    private final transient Hdf5Array featuresArray;
    private final transient Hdf5Array labelsArray;
    private final transient SlotRing ring;
    private final transient ThreadWorkers workers;
    private final long featureRowBytes;
    private final long labelRowBytes;
    private final int inputColumns;
    private final int totalOutcomes;
    private final ArrayDeque<Slot> held = new ArrayDeque<>();
    private volatile DataSetPreProcessor preProcessor;
    private volatile boolean closed;

    private long epoch;
    private EpochPlan plan;
    private boolean running;
    private int cursor;
    private long startNanos = -1;
    private long rows;
    private long batches;
    private long bytes;
    private long waitNanos;
    private long epochsStarted;

    /**
     * Starts a builder.
     *
     * @param file the HDF5 file
     * @return a builder with default options
     */
    public static Builder builder(Path file) {
        return new Builder(file);
    }

    private Hdf5DataSetIterator(Builder b) {
        this.cfg = b;
        this.epoch = b.firstEpoch;
        Hdf5File f = Hdf5File.open(b.file);
        try {
            if (b.features == null) {
                throw new InvalidConfigurationException("features(path) is required (" + b.file + ")");
            }
            this.featuresArray = f.array(b.features);
            this.labelsArray = b.labels == null ? null : f.array(b.labels);
            validate(b, f);
            long[] featureShape = b.featureShape != null ? b.featureShape : atLeastOne(featuresArray.rowShape());
            DataType labelType = b.dataType(labelsArray);
            long[] labelShape = labelsArray == null ? null
                    : b.oneHot > 0 ? new long[] {b.oneHot} : atLeastOne(labelsArray.rowShape());
            SlotRing.ArraySpec fs = new SlotRing.ArraySpec(b.dataType(featuresArray), featureShape);
            SlotRing.ArraySpec ls = labelsArray == null ? null : new SlotRing.ArraySpec(labelType, labelShape);
            this.featureRowBytes = fs.rowBytes();
            this.labelRowBytes = ls == null ? 0 : ls.rowBytes();
            this.inputColumns = (int) Math.min(Integer.MAX_VALUE, fs.rowElements());
            this.totalOutcomes = ls == null ? 0 : (int) Math.min(Integer.MAX_VALUE, ls.rowElements());
            int slots = b.prefetch + b.holdBatches;
            int slotRows = (int) Math.max(1, Math.min(b.batchSize, featuresArray.rows()));
            this.ring = new SlotRing(slots, slotRows, fs, ls);
            List<Object> sources = new ArrayList<>();
            long budget = b.cacheBytes;
            sources.add(ThreadWorkers.source(featuresArray, fs.type(), 0, budget));
            if (labelsArray != null) {
                sources.add(ThreadWorkers.source(labelsArray, ls.type(), b.oneHot,
                        Math.max(4L << 20, budget / 8)));
            }
            this.workers = new ThreadWorkers(ring, b.workers, sources, this::publish);
            this.workers.orderedDelivery(b.order != Order.AS_AVAILABLE);
            this.file = f;
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
    }

    private static long[] atLeastOne(long[] rowShape) {
        return rowShape.length == 0 ? new long[] {1} : rowShape;
    }

    private void validate(Builder b, Hdf5File f) {
        String where = " (" + b.file + ")";
        if (labelsArray != null && labelsArray.rows() != featuresArray.rows()) {
            throw new InvalidConfigurationException("features '" + b.features + "' have " + featuresArray.rows()
                    + " rows but labels '" + b.labels + "' have " + labelsArray.rows() + where);
        }
        if (b.oneHot > 0) {
            if (labelsArray == null) {
                throw new InvalidConfigurationException("oneHot(" + b.oneHot + ") needs labels(path)" + where);
            }
            ElementType t = labelsArray.elementType();
            if (t.kind() == ElementType.Kind.FLOAT || labelsArray.rowElements() != 1) {
                throw new InvalidConfigurationException("oneHot needs one integer class id per row, but labels '"
                        + b.labels + "' are " + t + " with row shape " + java.util.Arrays.toString(labelsArray.rowShape()) + where);
            }
        }
        checkType(b, featuresArray, b.features, where);
        if (labelsArray != null && b.oneHot == 0) {
            checkType(b, labelsArray, b.labels, where);
        }
        if (b.featureShape != null) {
            long n = 1;
            for (long d : b.featureShape) {
                if (d < 1) {
                    throw new InvalidConfigurationException("featureShape dimensions must be positive: "
                            + java.util.Arrays.toString(b.featureShape));
                }
                n = Math.multiplyExact(n, d);
            }
            if (n != featuresArray.rowElements()) {
                throw new InvalidConfigurationException("featureShape " + java.util.Arrays.toString(b.featureShape) + " holds "
                        + n + " elements but a row of '" + b.features + "' holds " + featuresArray.rowElements() + where);
            }
        }
        if ((b.order == Order.SHUFFLED || b.order == Order.RANDOM) && featuresArray.rows() > Integer.MAX_VALUE - 8) {
            throw new InvalidConfigurationException(b.order + " supports at most 2^31 - 9 rows; '" + b.features
                    + "' has " + featuresArray.rows() + where);
        }
    }

    private static void checkType(Builder b, Hdf5Array a, String path, String where) {
        DataType out = b.dataType(a);
        if (!ElementConverter.supports(a.elementType(), out)) {
            throw new InvalidConfigurationException("'" + path + "' stores " + a.elementType() + ", which cannot be delivered as "
                    + out + "; use FLOAT, DOUBLE or storedDataType()" + where);
        }
    }

    /** Runs on the worker that filled the slot: wraps the slot's views and applies the preprocessor. */
    private void publish(Slot s) {
        INDArray f = s.features().array(s.rows);
        INDArray l = s.labels() == null ? null : s.labels().array(s.rows);
        DataSet ds = new DataSet(f, l);
        DataSetPreProcessor pp = preProcessor;
        if (pp != null) {
            pp.preProcess(ds);
        }
        s.payload = ds;
    }

    private void ensurePlan() {
        if (plan == null) {
            plan = EpochPlan.build(featuresArray.rows(), cfg.batchSize, cfg.order, cfg.seed, epoch,
                    featuresArray.blockRows(), cfg.shuffleWindow, cfg.dropLast);
            cursor = 0;
        }
    }

    private void ensureRunning() {
        ensurePlan();
        if (!running) {
            workers.start(plan);
            running = true;
            epochsStarted++;
            if (startNanos < 0) {
                startNanos = System.nanoTime();
            }
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IteratorClosedException("the iterator over " + cfg.file + " is closed");
        }
    }

    private void releaseHeld(int keep) {
        while (held.size() > keep) {
            workers.release(held.poll());
        }
    }

    private void stopEpoch() {
        releaseHeld(0);
        if (running) {
            workers.stop();
            running = false;
        }
    }

    private void advanceEpoch() {
        stopEpoch();
        if (plan != null && cursor > 0) {
            epoch++;
        }
        plan = null;
    }

    @Override
    public boolean hasNext() {
        if (closed) {
            return false;
        }
        ensurePlan();
        if (cursor < plan.batches()) {
            return true;
        }
        return cfg.cyclic && plan.batches() > 0;
    }

    @Override
    public DataSet next() {
        checkOpen();
        if (!hasNext()) {
            throw new NoSuchElementException("epoch " + epoch + " of " + cfg.file + " is exhausted; call reset()");
        }
        if (cursor >= plan.batches()) {
            advanceEpoch();
            ensurePlan();
        }
        ensureRunning();
        releaseHeld(cfg.copyBatches ? 0 : cfg.holdBatches - 1);
        long t0 = System.nanoTime();
        Slot s = workers.take(cfg.order == Order.AS_AVAILABLE ? -1 : cursor);
        waitNanos += System.nanoTime() - t0;
        cursor++;
        rows += s.rows;
        batches++;
        bytes += s.rows * (featureRowBytes + labelRowBytes);
        DataSet ds = (DataSet) s.payload;
        if (cfg.copyBatches) {
            DataSet copy = ds.copy();
            workers.release(s);
            return copy;
        }
        held.add(s);
        return ds;
    }

    /** Not supported: the batch size is fixed at build time. */
    @Override
    public DataSet next(int num) {
        throw new UnsupportedOperationException("next(num) is not supported; the batch size is fixed by batchSize()");
    }

    @Override
    public int inputColumns() {
        return inputColumns;
    }

    @Override
    public int totalOutcomes() {
        return totalOutcomes;
    }

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
     * Stops the running epoch (if any); the next batch starts the next epoch. Batches handed out
     * before become invalid. Safe at any time and repeatedly.
     */
    @Override
    public void reset() {
        checkOpen();
        advanceEpoch();
    }

    @Override
    public int batch() {
        return cfg.batchSize;
    }

    /**
     * Sets a preprocessor that runs on the worker thread that filled the slot, before the batch
     * is handed out. Batches already prefetched keep the previous preprocessor: set it before
     * iterating or call {@link #reset()}.
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

    /** @return the epoch that the next batch belongs to (or the running one) */
    public long epoch() {
        return epoch;
    }

    /** @return batches per epoch */
    public int batchesPerEpoch() {
        ensurePlan();
        return plan.batches();
    }

    /** @return rows in the dataset */
    public long datasetRows() {
        return featuresArray.rows();
    }

    /** @return counters since the iterator was built */
    public IteratorStats stats() {
        long wall = startNanos < 0 ? 0 : System.nanoTime() - startNanos;
        return new IteratorStats(rows, batches, bytes, wall, waitNanos, workers.busyNanos(),
                workers.blocksDecoded(), workers.blocksNeeded(), epochsStarted);
    }

    /** Stops the workers and closes the file. Idempotent; safe from any thread. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        workers.close();
        file.close();
    }

    /**
     * Options of an {@link Hdf5DataSetIterator}. Every setter returns a new builder (the receiver
     * is left unchanged), so a builder can be shared and specialised; {@link #build()} validates.
     */
    public static final class Builder implements Cloneable {
        private final Path file;
        private String features;
        private String labels;
        private int oneHot;
        private int batchSize = 32;
        private Order order = Order.SHUFFLED;
        private long seed;
        private int workers = Math.max(1, Runtime.getRuntime().availableProcessors());
        private int prefetch = -1;
        private boolean dropLast;
        private boolean cyclic;
        private int holdBatches = 1;
        private boolean copyBatches;
        private int shuffleWindow = 16;
        private DataType dataType = DataType.FLOAT;
        private boolean storedType;
        private long cacheBytes = 256L << 20;
        private long[] featureShape;
        private long firstEpoch;

        private Builder(Path file) {
            this.file = file;
        }

        private Builder copy() {
            try {
                return (Builder) clone();
            } catch (CloneNotSupportedException e) {
                throw new AssertionError(e);
            }
        }

        private DataType dataType(Hdf5Array a) {
            if (a == null) {
                return dataType;
            }
            return storedType ? a.elementType().nativeDataType() : dataType;
        }

        /**
         * @param path dataset whose outermost dimension indexes rows; any trailing shape
         * @return a new builder
         */
        public Builder features(String path) {
            Builder b = copy();
            b.features = path;
            return b;
        }

        /**
         * @param path labels dataset with the same number of rows; delivered as stored (converted
         *             to the data type) unless {@link #oneHot(int)} is set
         * @return a new builder
         */
        public Builder labels(String path) {
            Builder b = copy();
            b.labels = path;
            return b;
        }

        /**
         * @param classes turn integer class ids in {@code [0, classes)} into one-hot rows (on the
         *                workers); a class outside that range fails the epoch with an error naming the row
         * @return a new builder
         */
        public Builder oneHot(int classes) {
            if (classes < 1) {
                throw new InvalidConfigurationException("oneHot needs at least 1 class, got " + classes);
            }
            Builder b = copy();
            b.oneHot = classes;
            return b;
        }

        /**
         * @param rows rows per batch (default 32)
         * @return a new builder
         */
        public Builder batchSize(int rows) {
            if (rows < 1) {
                throw new InvalidConfigurationException("batchSize must be at least 1, got " + rows);
            }
            Builder b = copy();
            b.batchSize = rows;
            return b;
        }

        /**
         * @param order delivery order (default {@link Order#SHUFFLED})
         * @return a new builder
         */
        public Builder order(Order order) {
            if (order == null) {
                throw new InvalidConfigurationException("order must not be null");
            }
            Builder b = copy();
            b.order = order;
            return b;
        }

        /**
         * @param seed seed of the shuffle; the order is a pure function of (seed, epoch). Default 0.
         * @return a new builder
         */
        public Builder seed(long seed) {
            Builder b = copy();
            b.seed = seed;
            return b;
        }

        /**
         * @param threads worker threads (default: the number of available processors)
         * @return a new builder
         */
        public Builder workers(int threads) {
            if (threads < 1) {
                throw new InvalidConfigurationException("workers must be at least 1, got " + threads);
            }
            Builder b = copy();
            b.workers = threads;
            return b;
        }

        /**
         * @param slots ring slots filled ahead of the caller (default: 2 per worker, at least 4)
         * @return a new builder
         */
        public Builder prefetch(int slots) {
            if (slots < 1) {
                throw new InvalidConfigurationException("prefetch must be at least 1, got " + slots);
            }
            Builder b = copy();
            b.prefetch = slots;
            return b;
        }

        /**
         * @param drop drop the final partial batch of each epoch (default false)
         * @return a new builder
         */
        public Builder dropLast(boolean drop) {
            Builder b = copy();
            b.dropLast = drop;
            return b;
        }

        /**
         * @param cyclic never end: after the last batch of an epoch the next epoch begins (default false)
         * @return a new builder
         */
        public Builder cyclic(boolean cyclic) {
            Builder b = copy();
            b.cyclic = cyclic;
            return b;
        }

        /**
         * @param batches how many of the most recently returned batches stay valid (default 1:
         *                the last one). Raise it for consumers that hold several batches, such as
         *                {@code ParallelWrapper}; each held batch needs one more slot.
         * @return a new builder
         */
        public Builder holdBatches(int batches) {
            if (batches < 1) {
                throw new InvalidConfigurationException("holdBatches must be at least 1, got " + batches);
            }
            Builder b = copy();
            b.holdBatches = batches;
            return b;
        }

        /**
         * @param copy hand out detached copies instead of slot views (default false); copies stay
         *             valid forever at the price of one copy per batch
         * @return a new builder
         */
        public Builder copyBatches(boolean copy) {
            Builder b = copy();
            b.copyBatches = copy;
            return b;
        }

        /**
         * @param blocks chunk rows per shuffle window for {@link Order#SHUFFLED} (default 16); larger
         *               windows mix better and need more memory
         * @return a new builder
         */
        public Builder shuffleWindow(int blocks) {
            if (blocks < 1) {
                throw new InvalidConfigurationException("shuffleWindow must be at least 1 block, got " + blocks);
            }
            Builder b = copy();
            b.shuffleWindow = blocks;
            return b;
        }

        /**
         * @param type element type of the delivered arrays: FLOAT (default), DOUBLE, or the
         *             stored type itself (e.g. UINT8 for a uint8 dataset)
         * @return a new builder
         */
        public Builder dataType(DataType type) {
            if (type == null) {
                throw new InvalidConfigurationException("dataType must not be null");
            }
            Builder b = copy();
            b.dataType = type;
            b.storedType = false;
            return b;
        }

        /**
         * Delivers each dataset in its stored element type (no conversion), e.g. UINT8 images.
         *
         * @return a new builder
         */
        public Builder storedDataType() {
            Builder b = copy();
            b.storedType = true;
            return b;
        }

        /**
         * @param bytes decoded chunk bytes kept for the features (default 256 MiB; the labels get
         *              an eighth, at least 4 MiB). Must hold a shuffle window; RANDOM order over a
         *              larger dataset re-decodes evicted chunks (see {@link IteratorStats#readAmplification()})
         * @return a new builder
         */
        public Builder cacheBytes(long bytes) {
            if (bytes < 1) {
                throw new InvalidConfigurationException("cacheBytes must be positive, got " + bytes);
            }
            Builder b = copy();
            b.cacheBytes = bytes;
            return b;
        }

        /**
         * @param rowShape shape of one feature row in the delivered array, e.g. {@code (1, 28, 28)}
         *                 for a CNN or {@code (784)} for an MLP; must hold the same number of
         *                 elements as a stored row (default: the stored row shape)
         * @return a new builder
         */
        public Builder featureShape(long... rowShape) {
            Builder b = copy();
            b.featureShape = rowShape == null ? null : rowShape.clone();
            return b;
        }

        /**
         * @param epoch the number of the first epoch (default 0), e.g. to continue a run
         * @return a new builder
         */
        public Builder firstEpoch(long epoch) {
            if (epoch < 0) {
                throw new InvalidConfigurationException("firstEpoch must not be negative, got " + epoch);
            }
            Builder b = copy();
            b.firstEpoch = epoch;
            return b;
        }

        /**
         * Opens the file and validates the options.
         *
         * @return the iterator (its workers start with the first {@code hasNext()} or {@code next()})
         * @throws InvalidConfigurationException for a missing file or dataset, mismatched row counts, an
         *     impossible data type or feature shape
         * @throws UnsupportedHdf5Exception for a type, layout or filter that cannot be read
         */
        public Hdf5DataSetIterator build() {
            Builder b = copy();
            if (b.prefetch < 0) {
                b.prefetch = Math.max(4, 2 * b.workers);
            }
            return new Hdf5DataSetIterator(b);
        }
    }
}
