package org.multitables4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;
import org.multitables4j.internal.hdf5.ElementConverter;
import org.multitables4j.internal.hdf5.ElementType;
import org.multitables4j.internal.hdf5.Hdf5Array;
import org.multitables4j.internal.hdf5.Hdf5File;
import org.multitables4j.internal.plan.EpochPlan;
import org.multitables4j.internal.ring.SlotRing;
import org.multitables4j.internal.ring.Slot;
import org.multitables4j.internal.workers.RowSelection;
import org.multitables4j.internal.workers.Source;
import org.multitables4j.internal.workers.StoreSource;
import org.multitables4j.internal.workers.ThreadWorkers;
import org.multitables4j.internal.workers.WorkerBackend;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The machinery behind the streaming iterators: one file (or several holding the same datasets,
 * rows concatenated), several datasets with the same number
 * of rows (each filling one array of every slot), the ring, the workers, epochs, held batches and
 * counters. Single consumer; {@link #close()} from any thread.
 */
final class StreamEngine {
    /**
     * One dataset feeding one array of every batch.
     *
     * @param path     dataset path
     * @param role     "features", "labels", "input 1"... for error messages
     * @param classes  one-hot classes, or 0
     * @param rowShape delivered row shape, or null for the stored one
     * @param column   a column of a compound table at {@code path}, or null
     */
    record Input(String path, String role, int classes, long[] rowShape, String column, List<long[]> selections) {
        Input(String path, String role, int classes, long[] rowShape) {
            this(path, role, classes, rowShape, null, List.of());
        }

        Input(String path, String role, int classes, long[] rowShape, String column) {
            this(path, role, classes, rowShape, column, List.of());
        }

        String name() {
            return column == null ? path : path + "#" + column;
        }
    }

    private final StreamOptions<?> cfg;
    private final List<Hdf5File> files;
    private final long totalRows;
    /** The served rows {@code [rowFrom, rowFrom + planRows)} ({@link RowRange}). */
    private final long rowFrom;
    private final long planRows;
    private final Hdf5Array[] arrays;
    /** The slot arrays when the rows are sequences, else null. */
    private final SequenceArrays sequences;
    private final SlotRing.ArraySpec[] specs;
    private final ThreadWorkers workers;
    private final EpochDelivery delivery;
    private final WorkerBackend backend;
    private final long rowBytes;
    private volatile boolean closed;
    private final boolean ownsFiles;

    private final long optionsHash;
    private final double[] cumulativeWeights;
    private int startBatch;
    private long epoch;
    private EpochPlan plan;

    StreamEngine(StreamOptions<?> cfg, List<Input> inputs, Function<Slot, Object> publish) {
        this(cfg, inputs, inputs.size() > 1 ? 1 : inputs.size(), publish);
    }

    /**
     * @param cfg         the options
     * @param inputs      the datasets, features (inputs) first, then labels (outputs)
     * @param outputsFrom index of the first output in {@code inputs} (for sequences, whose masks
     *                    differ between inputs and outputs)
     * @param publish     runs on the worker after a slot is filled
     */
    StreamEngine(StreamOptions<?> cfg, List<Input> inputs, int outputsFrom, Function<Slot, Object> publish) {
        cfg.validate();
        this.cfg = cfg;
        this.epoch = cfg.firstEpoch;
        List<Hdf5File> opened = new ArrayList<>();
        WorkerBackend be = null;
        StoreSource lent = cfg.reader == null ? null : StoreSource.of(cfg.reader);
        this.ownsFiles = lent == null;
        try {
            if (lent != null) {
                opened.add(lent.file());
            } else {
                for (String loc : cfg.locations) {
                    java.nio.file.Path local = cfg.remote == null ? java.nio.file.Path.of(loc)
                            : org.multitables4j.internal.hdf5.ByteSources.localPath(loc);
                    // a local file: the parent's identity is recorded for the worker processes;
                    // a remote one: its length and modification time (see Hdf5File.open(String, RemoteOptions))
                    opened.add(local != null ? org.multitables4j.internal.workers.FileIdentity.open(local)
                            : Hdf5File.open(loc, cfg.remote));
                }
            }
            Hdf5File f = opened.get(0);
            String where = " (" + cfg.describeFiles() + ")";
            this.sequences = cfg.sequences == null ? null
                    : SequenceArrays.open(cfg, opened, inputs.subList(0, outputsFrom), inputs.subList(outputsFrom, inputs.size()), where);
            int nArrays = sequences == null ? inputs.size() : sequences.specs().size();
            arrays = new Hdf5Array[nArrays];
            specs = new SlotRing.ArraySpec[nArrays];
            RowSelection[] selection = new RowSelection[inputs.size()];
            List<List<Hdf5Array>> parts = new ArrayList<>();
            List<Source> sources = new ArrayList<>();
            List<org.multitables4j.internal.workers.ChildPool.Dataset> childSources = new ArrayList<>();
            long rb = 0;
            long total = 0;
            if (sequences != null) {
                sequences.specs().toArray(specs);
                arrays[0] = sequences.first();
                total = sequences.rows();
                childSources.addAll(sequences.childDatasets());
                for (SlotRing.ArraySpec sp : specs) {
                    rb += sp.rowBytes();
                }
            }
            for (int i = 0; i < (sequences == null ? inputs.size() : 0); i++) {
                Input in = inputs.get(i);
                List<Hdf5Array> ps = new ArrayList<>();
                long rowsHere = 0;
                for (int k = 0; k < opened.size(); k++) {
                    Hdf5File fk = opened.get(k);
                    Hdf5Array a = lent != null ? lent.array(in.path(), in.column())
                            : in.column() == null ? fk.array(in.path()) : fk.column(in.path(), in.column());
                    if (k > 0 && !Arrays.equals(a.rowShape(), ps.get(0).rowShape())) {
                        throw new InvalidConfigurationException(in.role() + " '" + in.path() + "' have rows of shape "
                                + Arrays.toString(a.rowShape()) + " in " + fk.name() + " but " + Arrays.toString(ps.get(0).rowShape())
                                + " in " + f.name());
                    }
                    if (i > 0 && a.rows() != parts.get(0).get(k).rows()) {
                        throw new InvalidConfigurationException(inputs.get(0).role() + " '" + inputs.get(0).path() + "' have "
                                + parts.get(0).get(k).rows() + " rows but " + in.role() + " '" + in.path() + "' have " + a.rows()
                                + " rows (" + fk.name() + ")");
                    }
                    ps.add(a);
                    rowsHere += a.rows();
                    childSources.add(new org.multitables4j.internal.workers.ChildPool.Dataset(a, in.path(), in.column()));
                }
                parts.add(ps);
                if (i == 0) {
                    total = rowsHere;
                }
                Hdf5Array a = ps.get(0);
                arrays[i] = a;
                DataType out;
                long[] shape;
                if (in.classes() > 0) {
                    for (Hdf5Array pa : ps) {
                        ElementType t = pa.elementType();
                        if (t.isFloating() || pa.rowElements() != 1) {
                            throw new InvalidConfigurationException("oneHot needs one integer class id per row, but " + in.role()
                                    + " '" + in.path() + "' are " + t + " with row shape " + Arrays.toString(pa.rowShape())
                                    + " (" + pa.file().name() + ")");
                        }
                    }
                    out = cfg.dataType == DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT;
                    shape = new long[] {in.classes()};
                } else {
                    out = cfg.storedType ? a.elementType().nativeDataType() : cfg.dataType;
                    for (Hdf5Array pa : ps) {
                        if (!ElementConverter.supports(pa.elementType(), out)) {
                            throw new InvalidConfigurationException("'" + in.path() + "' stores " + pa.elementType()
                                    + ", which cannot be delivered as " + out + "; use FLOAT, DOUBLE or storedDataType() ("
                                    + pa.file().name() + ")");
                        }
                    }
                    selection[i] = InnerSelection.of(in, EngineInputs.atLeastOne(a.rowShape()), where);
                    long[] delivered = InnerSelection.deliveredShape(in, EngineInputs.atLeastOne(a.rowShape()));
                    shape = in.rowShape() != null ? EngineInputs.checkShape(in, delivered, where) : delivered;
                }
                specs[i] = new SlotRing.ArraySpec(out, shape);
                rb += specs[i].rowBytes();
            }
            if (total == 0 && cfg.order.withReplacement()) {
                // nothing to draw from: refuse rather than deliver empty epochs of the batches asked for
                throw new InvalidConfigurationException(cfg.order + " draws rows, but '" + inputs.get(0).path()
                        + "' has no rows" + where);
            }
            this.totalRows = total;
            long[] range = cfg.range.resolve(total, where);
            this.rowFrom = range[0];
            this.planRows = range[1] - range[0];
            // a batch holds at most the epoch's sequence: the rows, or the samples drawn with replacement
            // (which may exceed the rows)
            long sequence = cfg.order.withReplacement() && cfg.effectiveSamples() > 0 ? cfg.effectiveSamples() : planRows;
            int slotRows = (int) Math.max(1, Math.min(cfg.batchSize, sequence));
            // SHUFFLED scatters rows straight into its windows' slots (WindowScatter, whose conditions these are)
            boolean scatterable = cfg.order.windowed() && lent == null && sequences == null && cfg.shardCount == 1
                    && cfg.corruptChunks != CorruptChunkPolicy.SKIP && rowFrom % arrays[0].blockRows() == 0
                    && opened.stream().noneMatch(Hdf5File::isRemote);
            long windowRows = (long) cfg.shuffleWindow * arrays[0].blockRows();
            int prefetch = MemoryCheck.prefetch(cfg, windowRows, scatterable);
            long ringBytes = MemoryCheck.ring(cfg, prefetch, slotRows, rb, where);
            org.multitables4j.internal.ring.BufferAllocator allocator = org.multitables4j.internal.ring.BufferAllocator.DIRECT;
            if (lent != null) {
                allocator = lent.slotAllocator();
            } else {
                be = WorkerBackend.open(cfg.backend, cfg.processes);
                allocator = be.slotAllocator();
            }
            if (sequences != null) {
                sources.addAll(sequences.sources(allocator, cfg));
            }
            for (int i = 0; i < (sequences == null ? inputs.size() : 0); i++) {
                Hdf5Array a = arrays[i];
                if (lent != null) {
                    sources.add(Source.of(List.of(lent.store(inputs.get(i).path(), inputs.get(i).column())),
                            specs[i].type(), inputs.get(i).classes(), selection[i]));
                    continue;
                }
                sources.add(Source.of(parts.get(i), specs[i].type(), inputs.get(i).classes(), selection[i],
                        be.fitCacheBytes(MemoryCheck.cache(cfg, inputs.get(i), a, total, inputs.size(), ringBytes, be.processes(), where),
                                inputs.size()), // a small /dev/shm
                        allocator));
            }
            this.rowBytes = rb;
            if (total / cfg.batchSize > Integer.MAX_VALUE - 8) {
                throw new InvalidConfigurationException("'" + inputs.get(0).path() + "' has " + total
                        + " rows: more than 2^31 batches of " + cfg.batchSize + "; use a larger batchSize" + where);
            }
            this.cumulativeWeights = SampleWeights.narrow(SampleWeights.cumulative(cfg, opened, total, where), rowFrom,
                    planRows);
            boolean permuted = cfg.order.permuted();
            if (permuted && planRows > Integer.MAX_VALUE - 8) {
                throw new InvalidConfigurationException(cfg.order + " supports at most 2^31 - 9 rows; '" + inputs.get(0).path()
                        + "' has " + total + where);
            }
            SlotRing ring = new SlotRing(prefetch + cfg.holdBatches, slotRows, Arrays.asList(specs), allocator);
            this.optionsHash = EngineInputs.optionsHash(cfg, inputs, arrays[0], total);
            if (cfg.resume != null) {
                IteratorState st = cfg.resume;
                if (st.optionsHash() != optionsHash || st.rows() != total || st.seed() != cfg.seed) {
                    throw new InvalidConfigurationException("the state to resume from was taken from another dataset or "
                            + "other options (rows " + st.rows() + " vs " + total + ", seed " + st.seed() + " vs "
                            + cfg.seed + ", options hash differs: " + (st.optionsHash() != optionsHash) + ")" + where);
                }
                if (!cfg.order.resumable()) {
                    throw new InvalidConfigurationException("AS_AVAILABLE cannot resume: it delivers batches in completion order" + where);
                }
                this.epoch = st.epoch();
                this.startBatch = st.batch();
                ensurePlan();
                if (st.batch() > 0 && st.batch() >= plan.batches()) {
                    throw new InvalidConfigurationException("the state to resume from is at batch " + st.batch()
                            + " of epoch " + st.epoch() + ", which has only " + plan.batches() + " batches" + where);
                }
            }
            if (lent != null) {
                this.workers = new ThreadWorkers(ring, cfg.workers, sources, publish, i -> lent.newIo(), lent.blockAllocator());
            } else if (be.processes()) {
                be.startChildren(childSources, cfg.describeFiles())
                        .readWhileChildrenStart(cfg.order.windowed() ? cfg.shuffleWindow : 0);
                WorkerBackend started = be;
                this.workers = new ThreadWorkers(ring, cfg.workers, sources, publish, started::io, allocator);
            } else {
                this.workers = new ThreadWorkers(ring, cfg.workers, sources, publish);
            }
            if (cfg.corruptChunks == CorruptChunkPolicy.SKIP) {
                this.workers.skipCorruptChunks();
            }
            if (be != null && be.processes()) {
                this.workers.prepare();
            }
            this.workers.orderedDelivery(cfg.order.inSequence());
            if (scatterable && MemoryCheck.scatters(prefetch, windowRows, cfg.batchSize)) {
                this.workers.scatterWindows();
            }
            if (cfg.order.windowed()) {
                this.workers.lookahead((int) Math.min(1 << 20, 2 * ((windowRows + cfg.batchSize - 1) / cfg.batchSize)));
            }
            this.delivery = new EpochDelivery(workers, cfg, rb);
            if (plan != null) {
                delivery.begin(plan, startBatch);
                startBatch = 0;
            }
            this.files = opened;
            this.backend = be;
        } catch (RuntimeException e) {
            if (be != null) {
                be.close();
            }
            if (lent == null) {
                opened.forEach(Hdf5File::close);
            }
            throw e;
        }
    }

    /** @return the first file, open until {@link #close()} */
    Hdf5File firstFile() {
        return files.get(0);
    }

    /** @return the position after the batches delivered so far */
    IteratorState state() {
        if (!cfg.order.resumable()) {
            throw new InvalidConfigurationException("AS_AVAILABLE has no resumable position: it delivers batches in "
                    + "completion order; use ORDERED, SHUFFLED or RANDOM to checkpoint (" + cfg.describeFiles() + ")");
        }
        long e = epoch;
        int b = plan == null ? startBatch : delivery.cursor();
        if (plan != null && delivery.cursor() >= plan.batches()) {
            e++;
            b = 0;
        }
        return new IteratorState(e, b, cfg.seed, totalRows, optionsHash);
    }

    /** @return the slot arrays of sequences, or null when rows are not sequences */
    SequenceArrays sequences() {
        return sequences;
    }

    /** @return layout of array {@code i} of every batch */
    SlotRing.ArraySpec spec(int i) {
        return specs[i];
    }

    private void ensurePlan() {
        if (plan == null) {
            try {
                plan = EpochPlan.build(planRows, cfg.batchSize, cfg.order, cfg.seed, epoch,
                        arrays[0].blockRows(), cfg.shuffleWindow, cfg.dropLast, cfg.shardIndex, cfg.shardCount, cfg.shardMode,
                        cfg.effectiveSamples(), cumulativeWeights).startingAt(rowFrom);
            } catch (IllegalArgumentException e) {
                throw new InvalidConfigurationException(e.getMessage() + " (" + cfg.describeFiles() + ")", e);
            }
            if (delivery != null) { // null while the constructor checks a state to resume from
                delivery.begin(plan, startBatch);
                startBatch = 0;
            }
        }
    }

    private void advanceEpoch() {
        if (delivery.end()) {
            epoch++;
        }
        plan = null;
    }

    boolean hasNext() {
        if (closed) {
            return false;
        }
        ensurePlan();
        return delivery.hasNext() || cfg.cyclic && plan.batches() > 0;
    }

    /**
     * Waits for the next batch (see {@link EpochDelivery#next()}: failures, held slots); a
     * cyclic iterator goes on with the next epoch.
     */
    Slot next() {
        if (closed) {
            throw new IteratorClosedException("the iterator over " + cfg.describeFiles() + " is closed");
        }
        if (!hasNext()) {
            throw new NoSuchElementException("epoch " + epoch + " of " + cfg.describeFiles() + " is exhausted; call reset()");
        }
        if (!delivery.hasNext()) {
            advanceEpoch();
            ensurePlan();
        }
        Slot s = delivery.next();
        if (s == null) {
            // SKIP, cyclic, and every row of the new epoch is in chunks that cannot be decoded
            throw new CorruptDataException("no row of epoch " + epoch + " can be decoded: every batch lost all its "
                    + "rows to skipped chunks (" + cfg.describeFiles() + ")");
        }
        return s;
    }

    /** @return the dataset rows of the last batch delivered, in order, or null before the first */
    long[] lastIndices() {
        return delivery.lastIndices();
    }

    /** Gives back the most recent slot at once (copy mode, after copying). */
    void releaseNow(Slot s) {
        delivery.releaseNow(s);
    }

    void reset() {
        if (closed) {
            throw new IteratorClosedException("the iterator over " + cfg.describeFiles() + " is closed");
        }
        advanceEpoch();
    }

    long epoch() {
        return epoch;
    }

    int batchesPerEpoch() {
        ensurePlan();
        return plan.batches();
    }

    /** @return process ids of the worker processes alive now (empty for threads) */
    List<Long> workerPids() {
        return backend == null ? List.of() : backend.pids();
    }

    /** @return worker processes restarted after dying */
    long workerRestarts() {
        return backend == null ? 0 : backend.restarts();
    }

    long datasetRows() {
        return totalRows;
    }

    IteratorStats stats() {
        return delivery.stats(CacheStats.of(workers.cacheStats()));
    }

    void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (backend != null) {
                // first, so that no worker can stay blocked on a child that does not answer
                backend.closeChildren();
            }
            workers.close();
        } finally {
            if (backend != null) {
                backend.close();
            }
            if (ownsFiles) {
                files.forEach(Hdf5File::close);
            }
        }
    }
}
