package org.multitables4j;

import java.nio.file.Path;
import java.util.List;
import org.multitables4j.internal.ring.Slot;
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
 * the next call of {@code next()} (more precisely: the last {@link StreamOptions#holdBatches(int)}
 * batches stay valid, default 1), {@link #reset()} or {@link #close()}; after that its memory is
 * reused for another batch. {@code DataSet.detach()} does <em>not</em> copy these arrays. To keep
 * a batch longer, {@code dup()} its arrays or build the iterator with
 * {@link StreamOptions#copyBatches(boolean) copyBatches(true)}, which hands out detached copies.
 *
 * <h2>Epochs and order</h2>
 * Every row is delivered exactly once per epoch (the final partial batch included unless
 * {@link StreamOptions#dropLast(boolean) dropLast}). The order is a pure function of (seed, epoch): the
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

    private final transient StreamEngine engine;
    private final boolean copyBatches;
    private final int batchSize;
    private final int inputColumns;
    private final int totalOutcomes;
    private final List<String> labelNames;
    private volatile DataSetPreProcessor preProcessor;

    /**
     * Starts a builder.
     *
     * @param file the HDF5 file
     * @return a builder with default options
     */
    public static Builder builder(Path file) {
        return new Builder(file);
    }

    /**
     * Starts a builder over several files that hold the same datasets: together they are one
     * dataset whose rows are those of the files concatenated in list order (see
     * {@link Hdf5Files#glob(String)} to list files by pattern). Every order, shuffling included,
     * runs over all rows of all files; row shapes must match, element types and chunking may differ.
     *
     * @param files the HDF5 files, in row order
     * @return a builder with default options
     */
    public static Builder builder(java.util.List<Path> files) {
        return new Builder(files);
    }

    /**
     * Starts a builder that streams through an open reader instead of opening the file: the
     * iterator reads the reader's datasets through its block stores (shared with the reader's
     * requests and with other iterators built over it, evicted least recently used) and its
     * backend (threads, or its worker processes), and leaves the reader open. {@code backend},
     * {@code cacheBytes} and the process options do not apply; {@code workers} sets this
     * iterator's own worker threads.
     *
     * @param reader an open reader
     * @return a builder with default options
     */
    public static Builder builder(org.multitables4j.reader.Hdf5Reader reader) {
        if (reader == null) {
            throw new InvalidConfigurationException("the reader is null");
        }
        Builder b = reader.path() != null ? new Builder(reader.path()) : new Builder(List.of(reader.uri()), null);
        b.reader = reader;
        return b;
    }

    /**
     * Starts a builder over a file named by a URI: {@code hdfs://nn:8020/d/train.h5},
     * {@code s3a://bucket/train.h5} (any scheme of a Hadoop {@code FileSystem}; Hadoop must be on
     * the classpath), or {@code file:} / no scheme for a local file. Remote files are read with
     * {@link RemoteOptions#defaults()}.
     *
     * @param file the HDF5 file
     * @return a builder with default options
     */
    public static Builder builder(java.net.URI file) {
        return builder(java.util.List.of(file), RemoteOptions.defaults());
    }

    /**
     * Starts a builder over a file named by a URI, read with the given remote options (Hadoop
     * configuration, metadata cache, read counters).
     *
     * @param file   the HDF5 file
     * @param remote how remote files are read
     * @return a builder with default options
     */
    public static Builder builder(java.net.URI file, RemoteOptions remote) {
        return builder(java.util.List.of(file), remote);
    }

    /**
     * Starts a builder over several files named by URIs (local and remote may mix), read as
     * {@link #builder(java.util.List)} reads paths.
     *
     * @param files  the HDF5 files, in row order
     * @param remote how remote files are read; null: {@link RemoteOptions#defaults()}
     * @return a builder with default options
     */
    public static Builder builder(java.util.List<java.net.URI> files, RemoteOptions remote) {
        return new Builder(files, remote);
    }

    private Hdf5DataSetIterator(Builder b) {
        this.engine = new StreamEngine(b, b.inputs(), this::publish);
        this.copyBatches = b.copyBatches;
        this.batchSize = b.batchSize;
        SequenceArrays sq = engine.sequences();
        this.inputColumns = sq != null ? sq.features(0) : (int) Math.min(Integer.MAX_VALUE, engine.spec(0).rowElements());
        this.totalOutcomes = !b.hasLabels() ? 0
                : sq != null ? sq.labelWidth(0) : (int) Math.min(Integer.MAX_VALUE, engine.spec(1).rowElements());
        try {
            this.labelNames = b.classNames(engine.firstFile(), totalOutcomes);
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
    }

    /** Runs on the worker that filled the slot: wraps the slot's views and applies the preprocessor. */
    private Object publish(Slot s) {
        DataSet ds;
        SequenceArrays sq = engine.sequences();
        if (sq != null) {
            SequenceBatch sb = SequenceBatch.of(s, sq);
            ds = new DataSet(sb.features()[0], sb.labels().length == 0 ? null : sb.labels()[0], sb.featuresMasks()[0],
                    sb.labelsMasks().length == 0 ? null : sb.labelsMasks()[0]);
        } else {
            INDArray f = s.features().array(s.rows());
            INDArray l = s.labels() == null ? null : s.labels().array(s.rows());
            ds = new DataSet(f, l);
        }
        DataSetPreProcessor pp = preProcessor;
        if (pp != null) {
            pp.preProcess(ds);
        }
        return ds;
    }

    @Override
    public boolean hasNext() {
        return engine.hasNext();
    }

    @Override
    public DataSet next() {
        Slot s = engine.next();
        DataSet ds = (DataSet) s.payload();
        if (copyBatches) {
            DataSet copy = ds.getLabels() != null ? ds.copy() // DataSet.copy() needs labels
                    : new DataSet(ds.getFeatures().dup(), null, ds.getFeaturesMaskArray() == null ? null : ds.getFeaturesMaskArray().dup(), null);
            engine.releaseNow(s);
            return copy;
        }
        return ds;
    }

    /**
     * Not supported. The batches of an epoch are planned up front as a pure function of (seed,
     * epoch, batch size): that plan is what makes the order the same for any number of workers,
     * deals batches to shards and lets {@code state()} resume in O(1); the ring's slots are
     * allocated for {@code batchSize} rows and filled ahead by the workers. A batch of another
     * size would break all of these mid-epoch. Build a second iterator with {@code batchSize(num)}
     * instead (the builder can be reused: {@code builder.batchSize(num).build()}).
     *
     * @throws UnsupportedOperationException always
     */
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
        engine.reset();
    }

    @Override
    public int batch() {
        return batchSize;
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

    /**
     * @return the class names, one per label column, for DL4J's {@code Evaluation}: those of
     *     {@link Builder#labelNames}, else the {@code class_names} attribute of the labels dataset
     *     (or of its group, or of the file's root) as written by the datasets converter or by
     *     h5py; null when there are none
     */
    @Override
    public List<String> getLabels() {
        return labelNames;
    }

    /** @return the epoch that the next batch belongs to (or the running one) */
    public long epoch() {
        return engine.epoch();
    }

    /** @return batches per epoch */
    public int batchesPerEpoch() {
        return engine.batchesPerEpoch();
    }

    /**
     * @return the dataset rows of the batch returned last by {@link #next()}, in the batch's
     *     order (with {@link Order#RANDOM_WITH_REPLACEMENT}, the rows drawn); null before the
     *     first batch of an epoch
     */
    public long[] lastIndices() {
        return engine.lastIndices();
    }

    /** @return rows in the dataset */
    public long datasetRows() {
        return engine.datasetRows();
    }

    /**
     * The position after the batches delivered so far, for {@link StreamOptions#resumeFrom}: the
     * next epoch when this one is exhausted.
     *
     * @return the state
     * @throws InvalidConfigurationException in AS_AVAILABLE order, which has no resumable position
     */
    public IteratorState state() {
        return engine.state();
    }

    /** @return counters since the iterator was built */
    public IteratorStats stats() {
        return engine.stats();
    }

    /**
     * @return process ids of the worker processes alive now with {@link Backend#PROCESSES}
     *     (empty with threads), e.g. to watch or limit them
     */
    public java.util.List<Long> workerPids() {
        return engine.workerPids();
    }

    /** @return worker processes started again after one died (0 with threads) */
    public long workerRestarts() {
        return engine.workerRestarts();
    }

    /** Stops the workers and closes the file. Idempotent; safe from any thread. */
    @Override
    public void close() {
        engine.close();
    }

    /**
     * Options of an {@link Hdf5DataSetIterator}: its datasets (features, labels, one-hot, feature
     * shape and selections, class names), plus the {@link StreamOptions}.
     */
    public static final class Builder extends DataSetOptions<Builder> {
        private Builder(Path file) {
            super(file);
        }

        private Builder(java.util.List<Path> files) {
            super(files);
        }

        private Builder(java.util.List<java.net.URI> files, RemoteOptions remote) {
            super(files, remote);
        }

        /**
         * Opens the file and validates the options.
         *
         * @return the iterator (its workers start with the first {@code next()})
         * @throws InvalidConfigurationException for a missing file or dataset, mismatched row counts, an
         *     impossible data type or feature shape
         * @throws UnsupportedHdf5Exception for a type, layout or filter that cannot be read
         */
        public Hdf5DataSetIterator build() {
            return new Hdf5DataSetIterator(copy());
        }
    }
}
