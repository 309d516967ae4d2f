package org.multitables4j;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Consumer;
import org.multitables4j.hdf5.ElementConverter;
import org.multitables4j.hdf5.ElementType;
import org.multitables4j.hdf5.Hdf5Array;
import org.multitables4j.hdf5.Hdf5File;
import org.multitables4j.plan.EpochPlan;
import org.multitables4j.ring.SlotRing;
import org.multitables4j.ring.SlotRing.Slot;
import org.multitables4j.workers.ThreadWorkers;
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
    record Input(String path, String role, int classes, long[] rowShape, String column) {
        Input(String path, String role, int classes, long[] rowShape) {
            this(path, role, classes, rowShape, null);
        }

        String name() {
            return column == null ? path : path + "#" + column;
        }
    }

    private final StreamOptions<?> cfg;
    private final List<Hdf5File> files;
    private final long totalRows;
    private final Hdf5Array[] arrays;
    private final SlotRing.ArraySpec[] specs;
    private final ThreadWorkers workers;
    private final org.multitables4j.workers.SharedArena arena;
    private final org.multitables4j.workers.ChildPool children;
    private final long rowBytes;
    private final ArrayDeque<Slot> held = new ArrayDeque<>();
    private volatile boolean closed;

    private final long optionsHash;
    private final double[] cumulativeWeights;
    private int startBatch;
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

    StreamEngine(StreamOptions<?> cfg, List<Input> inputs, Consumer<Slot> publish) {
        this.cfg = cfg;
        this.epoch = cfg.firstEpoch;
        List<Hdf5File> opened = new ArrayList<>();
        org.multitables4j.workers.SharedArena shm = null;
        org.multitables4j.workers.ChildPool pool = null;
        try {
            for (String loc : cfg.locations) {
                opened.add(cfg.remote == null ? Hdf5File.open(java.nio.file.Path.of(loc)) : Hdf5File.open(loc, cfg.remote));
            }
            Hdf5File f = opened.get(0);
            String where = " (" + cfg.describeFiles() + ")";
            arrays = new Hdf5Array[inputs.size()];
            specs = new SlotRing.ArraySpec[inputs.size()];
            List<List<Hdf5Array>> parts = new ArrayList<>();
            List<Object> sources = new ArrayList<>();
            List<org.multitables4j.workers.ChildPool.Dataset> childSources = new ArrayList<>();
            long rb = 0;
            long total = 0;
            for (int i = 0; i < inputs.size(); i++) {
                Input in = inputs.get(i);
                List<Hdf5Array> ps = new ArrayList<>();
                long rowsHere = 0;
                for (int k = 0; k < opened.size(); k++) {
                    Hdf5File fk = opened.get(k);
                    Hdf5Array a = in.column() == null ? fk.array(in.path()) : fk.column(in.path(), in.column());
                    if (k > 0 && !Arrays.equals(a.rowShape(), ps.get(0).rowShape())) {
                        throw new InvalidConfigurationException(in.role() + " '" + in.path() + "' have rows of shape "
                                + Arrays.toString(a.rowShape()) + " in " + fk.path() + " but " + Arrays.toString(ps.get(0).rowShape())
                                + " in " + f.path());
                    }
                    if (i > 0 && a.rows() != parts.get(0).get(k).rows()) {
                        throw new InvalidConfigurationException(inputs.get(0).role() + " '" + inputs.get(0).path() + "' have "
                                + parts.get(0).get(k).rows() + " rows but " + in.role() + " '" + in.path() + "' have " + a.rows()
                                + " rows (" + fk.path() + ")");
                    }
                    ps.add(a);
                    rowsHere += a.rows();
                    childSources.add(new org.multitables4j.workers.ChildPool.Dataset(a, fk.path(), in.path(), in.column()));
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
                        if (t.kind() == ElementType.Kind.FLOAT || pa.rowElements() != 1) {
                            throw new InvalidConfigurationException("oneHot needs one integer class id per row, but " + in.role()
                                    + " '" + in.path() + "' are " + t + " with row shape " + Arrays.toString(pa.rowShape())
                                    + " (" + pa.file().path() + ")");
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
                                    + pa.file().path() + ")");
                        }
                    }
                    shape = in.rowShape() != null ? checkShape(in, a, where) : atLeastOne(a.rowShape());
                }
                specs[i] = new SlotRing.ArraySpec(out, shape);
                rb += specs[i].rowBytes();
            }
            this.totalRows = total;
            org.multitables4j.ring.BufferAllocator allocator = org.multitables4j.ring.BufferAllocator.DIRECT;
            if (cfg.backend == Backend.PROCESSES) {
                shm = org.multitables4j.workers.SharedArena.create(cfg.effectiveSharedMemoryDir(), 64 << 20);
                allocator = shm;
            }
            for (int i = 0; i < inputs.size(); i++) {
                Hdf5Array a = arrays[i];
                sources.add(ThreadWorkers.source(parts.get(i), specs[i].type(), inputs.get(i).classes(),
                        cfg.effectiveCacheBytes(Math.multiplyExact(total, (long) a.rowBytes())), allocator));
            }
            this.rowBytes = rb;
            if (total / cfg.batchSize > Integer.MAX_VALUE - 8) {
                throw new InvalidConfigurationException("'" + inputs.get(0).path() + "' has " + total
                        + " rows: more than 2^31 batches of " + cfg.batchSize + "; use a larger batchSize" + where);
            }
            this.cumulativeWeights = cumulativeWeights(cfg, opened, total, where);
            boolean permuted = cfg.order == Order.SHUFFLED || cfg.order == Order.RANDOM
                    || cfg.order == Order.RANDOM_WITH_REPLACEMENT;
            if (permuted && total > Integer.MAX_VALUE - 8) {
                throw new InvalidConfigurationException(cfg.order + " supports at most 2^31 - 9 rows; '" + inputs.get(0).path()
                        + "' has " + total + where);
            }
            int slotRows = (int) Math.max(1, Math.min(cfg.batchSize, total));
            SlotRing ring = new SlotRing(cfg.effectivePrefetch() + cfg.holdBatches, slotRows, Arrays.asList(specs), allocator);
            this.optionsHash = optionsHash(cfg, inputs, arrays[0], total);
            if (cfg.resume != null) {
                IteratorState st = cfg.resume;
                if (st.optionsHash() != optionsHash || st.rows() != total || st.seed() != cfg.seed) {
                    throw new InvalidConfigurationException("the state to resume from was taken from another dataset or "
                            + "other options (rows " + st.rows() + " vs " + total + ", seed " + st.seed() + " vs "
                            + cfg.seed + ", options hash differs: " + (st.optionsHash() != optionsHash) + ")" + where);
                }
                if (cfg.order == Order.AS_AVAILABLE) {
                    throw new InvalidConfigurationException("AS_AVAILABLE cannot resume: it delivers batches in completion order" + where);
                }
                this.epoch = st.epoch();
                this.startBatch = st.batch();
            }
            if (shm != null) {
                pool = new org.multitables4j.workers.ChildPool(childSources, shm, cfg.workerJvmOptions,
                        cfg.workerRestarts).readTimeout(cfg.workerReadTimeout);
                this.workers = new ThreadWorkers(ring, cfg.workers, sources, publish, pool::io, shm);
                this.workers.prepare();
            } else {
                this.workers = new ThreadWorkers(ring, cfg.workers, sources, publish);
            }
            this.workers.orderedDelivery(cfg.order != Order.AS_AVAILABLE);
            if (cfg.order == Order.SHUFFLED) {
                long windowRows = (long) cfg.shuffleWindow * arrays[0].blockRows();
                this.workers.lookahead((int) Math.min(1 << 20, 2 * ((windowRows + cfg.batchSize - 1) / cfg.batchSize)));
            }
            this.files = opened;
            this.arena = shm;
            this.children = pool;
        } catch (RuntimeException e) {
            if (pool != null) {
                pool.close();
            }
            if (shm != null) {
                shm.close();
            }
            opened.forEach(Hdf5File::close);
            throw e;
        }
    }

    private static double[] cumulativeWeights(StreamOptions<?> cfg, List<Hdf5File> files, long rows, String where) {
        double[] w = cfg.sampleWeights;
        if (cfg.sampleWeightsPath != null) {
            if (rows > Integer.MAX_VALUE - 8) {
                throw new InvalidConfigurationException("sample weights support at most 2^31 - 9 rows" + where);
            }
            w = new double[(int) rows];
            int at = 0;
            for (Hdf5File f : files) {
                Hdf5Array a = f.array(cfg.sampleWeightsPath);
                if (a.rowElements() != 1 || at + a.rows() > rows) {
                    throw new InvalidConfigurationException("sample weights '" + cfg.sampleWeightsPath + "' must hold one value per row ("
                            + rows + " in all), not shape " + Arrays.toString(a.shape()) + " (" + f.path() + ")");
                }
                java.nio.ByteBuffer block = java.nio.ByteBuffer.allocateDirect(a.blockBytes());
                java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(8 * a.blockRows()).order(java.nio.ByteOrder.nativeOrder());
                try (org.multitables4j.hdf5.BlockDecoder dec = new org.multitables4j.hdf5.BlockDecoder()) {
                    for (int b = 0; b < a.blockCount(); b++) {
                        a.readBlock(b, dec, block);
                        int n = a.rowsInBlock(b);
                        ElementConverter.convert(block.order(a.elementType().byteOrder()), 0, a.elementType(), out, 0, DataType.DOUBLE, n);
                        for (int i = 0; i < n; i++) {
                            w[at + b * a.blockRows() + i] = out.getDouble(8 * i);
                        }
                    }
                }
                at += (int) a.rows();
            }
            if (at != rows) {
                throw new InvalidConfigurationException("sample weights '" + cfg.sampleWeightsPath + "' hold " + at
                        + " values for " + rows + " rows" + where);
            }
        }
        if (w == null) {
            return null;
        }
        if (cfg.order != Order.RANDOM_WITH_REPLACEMENT) {
            throw new InvalidConfigurationException("sampleWeights need order(RANDOM_WITH_REPLACEMENT)" + where);
        }
        if (w.length != rows) {
            throw new InvalidConfigurationException(w.length + " sample weights for " + rows + " rows" + where);
        }
        double[] c = new double[w.length];
        double sum = 0;
        for (int i = 0; i < w.length; i++) {
            if (!(w[i] >= 0) || Double.isInfinite(w[i])) {
                throw new InvalidConfigurationException("sample weight of row " + i + " is " + w[i] + "; weights must be finite and >= 0" + where);
            }
            sum += w[i];
            c[i] = sum;
        }
        if (!(sum > 0)) {
            throw new InvalidConfigurationException("sample weights sum to 0" + where);
        }
        return c;
    }

    private static long optionsHash(StreamOptions<?> cfg, List<Input> inputs, Hdf5Array first, long rows) {
        StringBuilder sb = new StringBuilder();
        for (Input in : inputs) {
            sb.append(in.name()).append('|').append(in.classes()).append('|');
        }
        sb.append(rows).append('|').append(cfg.locations.size()).append('|').append(first.blockRows()).append('|').append(cfg.batchSize).append('|')
                .append(cfg.order).append('|').append(cfg.seed).append('|').append(cfg.shuffleWindow).append('|')
                .append(cfg.dropLast).append('|').append(cfg.shardIndex).append('/').append(cfg.shardCount).append('|')
                .append(cfg.shardMode).append('|').append(cfg.samplesPerEpoch).append('|')
                .append(cfg.sampleWeights == null ? cfg.sampleWeightsPath : Arrays.hashCode(cfg.sampleWeights));
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < sb.length(); i++) {
            h = (h ^ sb.charAt(i)) * 0x100000001b3L;
        }
        return h;
    }

    /** @return the position after the batches delivered so far */
    IteratorState state() {
        if (cfg.order == Order.AS_AVAILABLE) {
            throw new InvalidConfigurationException("AS_AVAILABLE has no resumable position: it delivers batches in "
                    + "completion order; use ORDERED, SHUFFLED or RANDOM to checkpoint (" + cfg.describeFiles() + ")");
        }
        long e = epoch;
        int b = plan == null ? startBatch : cursor;
        if (plan != null && cursor >= plan.batches()) {
            e++;
            b = 0;
        }
        return new IteratorState(e, b, cfg.seed, totalRows, optionsHash);
    }

    private static long[] checkShape(Input in, Hdf5Array a, String where) {
        long n = 1;
        for (long d : in.rowShape()) {
            if (d < 1) {
                throw new InvalidConfigurationException("row shape dimensions must be positive: " + Arrays.toString(in.rowShape()));
            }
            n = Math.multiplyExact(n, d);
        }
        if (n != a.rowElements()) {
            throw new InvalidConfigurationException("row shape " + Arrays.toString(in.rowShape()) + " holds " + n
                    + " elements but a row of '" + in.path() + "' holds " + a.rowElements() + where);
        }
        return in.rowShape().clone();
    }

    private static long[] atLeastOne(long[] rowShape) {
        return rowShape.length == 0 ? new long[] {1} : rowShape;
    }

    /** @return layout of array {@code i} of every batch */
    SlotRing.ArraySpec spec(int i) {
        return specs[i];
    }

    private void ensurePlan() {
        if (plan == null) {
            plan = EpochPlan.build(totalRows, cfg.batchSize, cfg.order, cfg.seed, epoch,
                    arrays[0].blockRows(), cfg.shuffleWindow, cfg.dropLast, cfg.shardIndex, cfg.shardCount, cfg.shardMode,
                    cfg.samplesPerEpoch, cumulativeWeights);
            cursor = Math.min(startBatch, plan.batches());
            startBatch = 0;
        }
    }

    private void releaseHeld(int keep) {
        while (held.size() > keep) {
            workers.release(held.poll());
        }
    }

    private void advanceEpoch() {
        releaseHeld(0);
        if (running) {
            workers.stop();
            running = false;
        }
        if (plan != null && cursor > 0) {
            epoch++;
        }
        plan = null;
    }

    boolean hasNext() {
        if (closed) {
            return false;
        }
        ensurePlan();
        return cursor < plan.batches() || cfg.cyclic && plan.batches() > 0;
    }

    /**
     * Waits for the next batch. The slot stays valid until {@code holdBatches} later calls, or
     * is released at once in copy mode by {@link #releaseNow(Slot)}.
     */
    Slot next() {
        if (closed) {
            throw new IteratorClosedException("the iterator over " + cfg.describeFiles() + " is closed");
        }
        if (!hasNext()) {
            throw new NoSuchElementException("epoch " + epoch + " of " + cfg.describeFiles() + " is exhausted; call reset()");
        }
        if (cursor >= plan.batches()) {
            advanceEpoch();
            ensurePlan();
        }
        if (!running) {
            workers.start(plan, cursor);
            running = true;
            epochsStarted++;
            if (startNanos < 0) {
                startNanos = System.nanoTime();
            }
        }
        releaseHeld(cfg.copyBatches ? 0 : cfg.holdBatches - 1);
        long t0 = System.nanoTime();
        Slot s = workers.take(cfg.order == Order.AS_AVAILABLE ? -1 : cursor);
        waitNanos += System.nanoTime() - t0;
        cursor++;
        rows += s.rows;
        batches++;
        bytes += s.rows * rowBytes;
        held.add(s);
        return s;
    }

    /** Gives back the most recent slot at once (copy mode, after copying). */
    void releaseNow(Slot s) {
        held.remove(s);
        workers.release(s);
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
        return children == null ? List.of() : children.pids();
    }

    /** @return worker processes restarted after dying */
    long workerRestarts() {
        return children == null ? 0 : children.restarts();
    }

    long datasetRows() {
        return totalRows;
    }

    IteratorStats stats() {
        long wall = startNanos < 0 ? 0 : System.nanoTime() - startNanos;
        return new IteratorStats(rows, batches, bytes, wall, waitNanos, workers.busyNanos(),
                workers.blocksDecoded(), workers.blocksNeeded(), epochsStarted);
    }

    void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (children != null) {
                // first, so that no worker can stay blocked on a child that does not answer
                children.close();
            }
            workers.close();
        } finally {
            if (arena != null) {
                arena.close();
            }
            files.forEach(Hdf5File::close);
        }
    }
}
