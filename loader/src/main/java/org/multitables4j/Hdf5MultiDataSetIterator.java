package org.multitables4j;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.multitables4j.internal.ring.Slot;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;

/**
 * A DL4J {@link MultiDataSetIterator} over several datasets of one HDF5 file read in lockstep:
 * row {@code r} of every input and output belongs to the same example. For a
 * {@code ComputationGraph} with several inputs or outputs.
 *
 * <pre>{@code
 * try (Hdf5MultiDataSetIterator it = Hdf5MultiDataSetIterator.builder(Path.of("train.h5"))
 *         .input("/image", 1, 28, 28).input("/meta").outputOneHot("/y", 10)
 *         .batchSize(64).order(Order.SHUFFLED).build()) {
 *     graph.fit(it, 3);
 * }
 * }</pre>
 *
 * <p>The same contract as {@link Hdf5DataSetIterator}: batches are views of slot memory valid
 * until the next {@code next()} (or the last {@code holdBatches}), exactly-once per epoch, an
 * order that is a pure function of (seed, epoch) ordered by the chunking of the first input,
 * {@code asyncSupported() == false}, the preprocessor runs on the worker.
 */
public final class Hdf5MultiDataSetIterator implements MultiDataSetIterator, AutoCloseable {
    private static final long serialVersionUID = 1L;

    private final transient StreamEngine engine;
    private final int nInputs;
    private final boolean copyBatches;
    private final int batchSize;
    private volatile MultiDataSetPreProcessor preProcessor;

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

    private Hdf5MultiDataSetIterator(Builder b) {
        if (b.inputs.isEmpty()) {
            throw new InvalidConfigurationException("at least one input(path) is required (" + b.describeFiles() + ")");
        }
        List<StreamEngine.Input> all = new ArrayList<>(b.inputs);
        all.addAll(b.outputs);
        this.nInputs = b.inputs.size();
        this.copyBatches = b.copyBatches;
        this.batchSize = b.batchSize;
        this.engine = new StreamEngine(b, all, nInputs, this::publish);
    }

    private Object publish(Slot s) {
        SequenceArrays sq = engine.sequences();
        if (sq != null) {
            SequenceBatch sb = SequenceBatch.of(s, sq);
            MultiDataSet mds = new org.nd4j.linalg.dataset.MultiDataSet(sb.features(), sb.labels(), sb.featuresMasks(),
                    sb.labelsMasks());
            MultiDataSetPreProcessor pp = preProcessor;
            if (pp != null) {
                pp.preProcess(mds);
            }
            return mds;
        }
        INDArray[] f = new INDArray[nInputs];
        INDArray[] l = new INDArray[s.arrays() - nInputs];
        for (int i = 0; i < s.arrays(); i++) {
            INDArray a = s.array(i).array(s.rows());
            if (i < nInputs) {
                f[i] = a;
            } else {
                l[i - nInputs] = a;
            }
        }
        MultiDataSet mds = new org.nd4j.linalg.dataset.MultiDataSet(f, l);
        MultiDataSetPreProcessor pp = preProcessor;
        if (pp != null) {
            pp.preProcess(mds);
        }
        return mds;
    }

    @Override
    public boolean hasNext() {
        return engine.hasNext();
    }

    @Override
    public MultiDataSet next() {
        Slot s = engine.next();
        MultiDataSet mds = (MultiDataSet) s.payload();
        if (copyBatches) {
            INDArray[] f = dupAll(mds.getFeatures());
            INDArray[] l = dupAll(mds.getLabels());
            INDArray[] fm = dupAll(mds.getFeaturesMaskArrays());
            INDArray[] lm = dupAll(mds.getLabelsMaskArrays());
            engine.releaseNow(s);
            return new org.nd4j.linalg.dataset.MultiDataSet(f, l, fm, lm);
        }
        return mds;
    }

    private static INDArray[] dupAll(INDArray[] a) {
        if (a == null) {
            return null;
        }
        INDArray[] r = a.clone();
        for (int i = 0; i < r.length; i++) {
            r[i] = r[i] == null ? null : r[i].dup();
        }
        return r;
    }

    /**
     * Not supported, for the reasons given at {@link Hdf5DataSetIterator#next(int)}: the epoch is
     * planned in batches of {@code batchSize} (order, shards, resume) and the slots are sized for
     * them. Build another iterator with {@code batchSize(num)}.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public MultiDataSet next(int num) {
        throw new UnsupportedOperationException("next(num) is not supported; the batch size is fixed by batchSize()");
    }

    /**
     * Sets a preprocessor that runs on the worker thread that filled the slot.
     */
    @Override
    public void setPreProcessor(MultiDataSetPreProcessor preProcessor) {
        this.preProcessor = preProcessor;
    }

    @Override
    public MultiDataSetPreProcessor getPreProcessor() {
        return preProcessor;
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    /** @return false: this iterator prefetches by itself */
    @Override
    public boolean asyncSupported() {
        return false;
    }

    /** Stops the running epoch; the next batch starts the next epoch. Safe at any time. */
    @Override
    public void reset() {
        engine.reset();
    }

    /** @return the epoch that the next batch belongs to (or the running one) */
    public long epoch() {
        return engine.epoch();
    }

    /** @return rows per batch, as set by {@code batchSize} (the last batch of an epoch may have fewer) */
    public int batch() {
        return batchSize;
    }

    /** @return batches per epoch */
    public int batchesPerEpoch() {
        return engine.batchesPerEpoch();
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

    /** Options of an {@link Hdf5MultiDataSetIterator}: inputs and outputs, plus the {@link StreamOptions}. */
    public static final class Builder extends StreamOptions<Builder> {
        private List<StreamEngine.Input> inputs = new ArrayList<>();
        private List<StreamEngine.Input> outputs = new ArrayList<>();

        private Builder(Path file) {
            super(file);
        }

        private Builder(java.util.List<Path> files) {
            super(files);
        }

        private Builder(java.util.List<java.net.URI> files, RemoteOptions remote) {
            super(files, remote);
        }

        @Override
        Builder copy() {
            Builder b = super.copy();
            b.inputs = new ArrayList<>(inputs);
            b.outputs = new ArrayList<>(outputs);
            return b;
        }

        /**
         * Adds an input (a features array of the MultiDataSet), in order.
         *
         * @param path     dataset path
         * @param rowShape delivered row shape (optional; default the stored row shape)
         * @return this builder
         */
        public Builder input(String path, long... rowShape) {
            this.inputs.add(new StreamEngine.Input(path, "input " + inputs.size(), 0,
                    rowShape == null || rowShape.length == 0 ? null : rowShape.clone()));
            return this;
        }

        /**
         * Adds a column of a compound table as an input.
         *
         * @param table    the compound dataset
         * @param column   the column, or the {@code '/'}-separated path of a nested member
         * @param rowShape delivered row shape (optional)
         * @return this builder
         */
        public Builder inputColumn(String table, String column, long... rowShape) {
            this.inputs.add(new StreamEngine.Input(table, "input " + inputs.size(), 0,
                    rowShape == null || rowShape.length == 0 ? null : rowShape.clone(), column));
            return this;
        }

        /**
         * Adds a column of a compound table as an output, one-hot when {@code classes > 0}.
         *
         * @param table   the compound dataset
         * @param column  the column, or the {@code '/'}-separated path of a nested member
         * @param classes classes for one-hot rows, or 0 to deliver the values as stored
         * @return this builder
         */
        public Builder outputColumn(String table, String column, int classes) {
            if (classes < 0) {
                throw new InvalidConfigurationException("classes must not be negative, got " + classes);
            }
            this.outputs.add(new StreamEngine.Input(table, "output " + outputs.size(), classes, null, column));
            return this;
        }

        /**
         * Adds an output (a labels array), delivered as stored (converted to the data type).
         *
         * @param path dataset path
         * @return this builder
         */
        public Builder output(String path) {
            this.outputs.add(new StreamEngine.Input(path, "output " + outputs.size(), 0, null));
            return this;
        }

        /**
         * Adds an output of integer class ids delivered as one-hot rows.
         *
         * @param path    dataset path
         * @param classes number of classes
         * @return this builder
         */
        public Builder outputOneHot(String path, int classes) {
            if (classes < 1) {
                throw new InvalidConfigurationException("outputOneHot needs at least 1 class, got " + classes);
            }
            this.outputs.add(new StreamEngine.Input(path, "output " + outputs.size(), classes, null));
            return this;
        }

        /**
         * Opens the file and validates the options.
         *
         * @return the iterator
         * @throws InvalidConfigurationException for a missing dataset, mismatched row counts or
         *     an impossible data type or row shape
         */
        public Hdf5MultiDataSetIterator build() {
            return new Hdf5MultiDataSetIterator(copy());
        }
    }
}
