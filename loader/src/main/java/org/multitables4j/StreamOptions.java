package org.multitables4j;

import java.nio.file.Path;
import org.multitables4j.internal.workers.Defaults;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Options shared by the streaming iterators ({@link Hdf5DataSetIterator},
 * {@link Hdf5MultiDataSetIterator}). As DL4J's builders do, every setter changes this builder and
 * returns it, so {@code b.batchSize(64);} takes effect without reassigning. {@code build()}
 * validates the options and hands the engine a frozen copy: changing the builder afterwards
 * (to build another iterator) does not affect iterators already built. Validation that needs the
 * file happens in {@code build()}. Where the workers run (threads or worker processes) is set
 * with the options of {@link BackendOptions}, which and what rows are served with those of
 * {@link RowOptions}.
 *
 * @param <B> the concrete builder type
 */
public abstract class StreamOptions<B extends StreamOptions<B>> extends BackendOptions<B> implements Cloneable {
    final Path file;
    int batchSize = 32;
    Order order = Order.SHUFFLED;
    long seed;
    int workers = Defaults.workers();
    int prefetch = -1;
    boolean dropLast;
    boolean cyclic;
    int holdBatches = 1;
    boolean copyBatches;
    int shuffleWindow = 16;
    DataType dataType = DataType.FLOAT;
    boolean storedType;
    long cacheBytes = -1;
    long firstEpoch;
    int shardIndex;
    int shardCount = 1;
    ShardMode shardMode = ShardMode.PAD;
    IteratorState resume;
    long samplesPerEpoch;
    int batchesPerEpoch;
    double[] sampleWeights;
    String sampleWeightsPath;
    CorruptChunkPolicy corruptChunks = CorruptChunkPolicy.FAIL;

    /** An open reader whose file, block stores and backend are used, or null. */
    Object reader;
    /** What {@link StreamEngine} opens, one per file in row order: a path, or a URI (see {@link RemoteOptions}). */
    final java.util.List<String> locations;
    /** How remote files are read; null for builders made from paths. */
    final RemoteOptions remote;

    StreamOptions(Path file) {
        this(java.util.List.of(checked(file)));
    }

    private static Path checked(Path file) {
        if (file == null) {
            throw new InvalidConfigurationException("the file must not be null");
        }
        return file;
    }

    /**
     * Files named by URIs: local ones ({@code file:} or no scheme) and remote ones may mix;
     * {@link #file} is the first file's path, or null when it is remote.
     */
    StreamOptions(java.util.List<java.net.URI> uris, RemoteOptions remote) {
        if (uris == null || uris.isEmpty()) {
            throw new InvalidConfigurationException("at least one file is needed");
        }
        java.util.List<String> locs = new java.util.ArrayList<>();
        for (java.net.URI u : uris) {
            if (u == null) {
                throw new InvalidConfigurationException("the files must not contain null");
            }
            locs.add(u.getScheme() == null ? u.getPath() : u.toString());
        }
        this.locations = java.util.List.copyOf(locs);
        this.file = org.multitables4j.internal.hdf5.ByteSources.localPath(locs.get(0));
        this.remote = remote == null ? RemoteOptions.defaults() : remote;
    }

    StreamOptions(java.util.List<Path> files) {
        if (files == null || files.isEmpty()) {
            throw new InvalidConfigurationException("at least one file is needed");
        }
        for (Path f : files) {
            if (f == null) {
                throw new InvalidConfigurationException("the files must not contain null");
            }
        }
        this.file = files.get(0);
        this.locations = files.stream().map(Path::toString).toList();
        this.remote = null;
    }

    /** @return the file, or the first file and how many more, for messages */
    String describeFiles() {
        String first = locations.get(0);
        return locations.size() == 1 ? first : first + " and " + (locations.size() - 1) + " more file(s)";
    }

    /**
     * Checks the options that do not need the file.
     *
     * @throws InvalidConfigurationException for options that contradict each other
     */
    void validate() {
        if (!order.withReplacement()) {
            String opt = samplesPerEpoch > 0 ? "samplesPerEpoch" : batchesPerEpoch > 0 ? "batchesPerEpoch"
                    : sampleWeights != null || sampleWeightsPath != null ? "sampleWeights" : null;
            if (opt != null) {
                throw new InvalidConfigurationException(opt + " needs order(RANDOM_WITH_REPLACEMENT), not " + order
                        + " (" + describeFiles() + ")");
            }
        }
        if (corruptChunks == CorruptChunkPolicy.SKIP && sequences != null) {
            throw new InvalidConfigurationException("onCorruptChunk(SKIP) does not apply to sequences; use FAIL ("
                    + describeFiles() + ")");
        }
        if (samplesPerEpoch > 0 && batchesPerEpoch > 0) {
            throw new InvalidConfigurationException("set samplesPerEpoch or batchesPerEpoch, not both (" + describeFiles() + ")");
        }
    }

    /** @return samples drawn per epoch by RANDOM_WITH_REPLACEMENT, 0 for as many as the rows */
    long effectiveSamples() {
        return batchesPerEpoch > 0 ? Math.multiplyExact((long) batchesPerEpoch, batchSize) : samplesPerEpoch;
    }

    /** @return a frozen copy of the options, read by the engine; the builder stays usable */
    @SuppressWarnings("unchecked")
    B copy() {
        try {
            return (B) clone();
        } catch (CloneNotSupportedException e) {
            throw new AssertionError(e);
        }
    }

    int effectivePrefetch() {
        return prefetch > 0 ? prefetch : Defaults.prefetch(workers);
    }

    /**
     * @param rows rows per batch (default 32)
     * @return this builder
     */
    public B batchSize(int rows) {
        if (rows < 1) {
            throw new InvalidConfigurationException("batchSize must be at least 1, got " + rows);
        }
        this.batchSize = rows;
        return self();
    }

    /**
     * @param order delivery order (default {@link Order#SHUFFLED})
     * @return this builder
     */
    public B order(Order order) {
        if (order == null) {
            throw new InvalidConfigurationException("order must not be null");
        }
        this.order = order;
        return self();
    }

    /**
     * @param seed seed of the shuffle; the order is a pure function of (seed, epoch). Default 0.
     * @return this builder
     */
    public B seed(long seed) {
        this.seed = seed;
        return self();
    }

    /**
     * @param threads worker threads (default: the number of available processors)
     * @return this builder
     */
    public B workers(int threads) {
        if (threads < 1) {
            throw new InvalidConfigurationException("workers must be at least 1, got " + threads);
        }
        this.workers = threads;
        return self();
    }

    /**
     * Ring slots filled ahead of the caller. The default is 2 per worker, at least 4; for
     * {@link Order#SHUFFLED} it is room for the batches of two shuffle windows plus two, that is
     * {@code 2 * (window rows / batchSize + 1) + 2} (36 slots for 1024-row batches of 1024-row
     * chunks with the default window of 16), because a SHUFFLED epoch
     * decodes each chunk once and copies its rows straight into the slots of the window's
     * batches, which must all be claimed first; that takes about the memory its block store
     * took. Where a window has more than 256 batches, or a set prefetch leaves no room for a
     * window's batches plus two, SHUFFLED gathers the rows from the block store instead (the
     * same batches, more copying).
     *
     * @param slots ring slots filled ahead of the caller
     * @return this builder
     */
    public B prefetch(int slots) {
        if (slots < 1) {
            throw new InvalidConfigurationException("prefetch must be at least 1, got " + slots);
        }
        this.prefetch = slots;
        return self();
    }

    /**
     * @param drop drop the final partial batch of each epoch (default false)
     * @return this builder
     */
    public B dropLast(boolean drop) {
        this.dropLast = drop;
        return self();
    }

    /**
     * @param cyclic never end: after the last batch of an epoch the next epoch begins (default false)
     * @return this builder
     */
    public B cyclic(boolean cyclic) {
        this.cyclic = cyclic;
        return self();
    }

    /**
     * @param batches how many of the most recently returned batches stay valid (default 1: the
     *                last one). Raise it for consumers that hold several batches at once, such as
     *                {@code ParallelWrapper} (one per trainer plus its prefetch); each held batch
     *                needs one more slot.
     * @return this builder
     */
    public B holdBatches(int batches) {
        if (batches < 1) {
            throw new InvalidConfigurationException("holdBatches must be at least 1, got " + batches);
        }
        this.holdBatches = batches;
        return self();
    }

    /**
     * @param policy what to do with a chunk that cannot be decoded: {@link CorruptChunkPolicy#FAIL}
     *               (default: the {@code next()} that needs it throws, after every batch before it)
     *               or {@link CorruptChunkPolicy#SKIP} (its rows are left out of their batches,
     *               logged and counted in {@code stats()})
     * @return this builder
     */
    public B onCorruptChunk(CorruptChunkPolicy policy) {
        if (policy == null) {
            throw new InvalidConfigurationException("onCorruptChunk needs FAIL or SKIP, not null");
        }
        this.corruptChunks = policy;
        return self();
    }

    /**
     * @param copy hand out detached copies instead of slot views (default false); copies stay
     *             valid forever at the price of one copy per batch
     * @return this builder
     */
    public B copyBatches(boolean copy) {
        this.copyBatches = copy;
        return self();
    }

    /**
     * @param blocks chunk rows per shuffle window for {@link Order#SHUFFLED} (default 16); larger
     *               windows mix better and keep more decoded chunks in memory
     * @return this builder
     */
    public B shuffleWindow(int blocks) {
        if (blocks < 1) {
            throw new InvalidConfigurationException("shuffleWindow must be at least 1 block, got " + blocks);
        }
        this.shuffleWindow = blocks;
        return self();
    }

    /**
     * @param type element type of the delivered arrays: FLOAT (default), DOUBLE, or a dataset's
     *             stored type itself (e.g. UINT8 for uint8 images); one-hot labels use FLOAT
     *             unless this is DOUBLE
     * @return this builder
     */
    public B dataType(DataType type) {
        if (type == null) {
            throw new InvalidConfigurationException("dataType must not be null");
        }
        this.dataType = type;
        this.storedType = false;
        return self();
    }

    /**
     * Delivers each dataset in its stored element type (no conversion), e.g. UINT8 images.
     *
     * @return this builder
     */
    public B storedDataType() {
        this.storedType = true;
        return self();
    }

    /**
     * @param bytes decoded chunk bytes kept per dataset (default 256 MiB; for RANDOM order the
     *              whole decoded dataset when it fits in half the heap limit). It must hold a
     *              shuffle window; RANDOM order over a dataset larger than the cache re-decodes
     *              evicted chunks (see {@link IteratorStats#readAmplification()})
     * @return this builder
     */
    public B cacheBytes(long bytes) {
        if (bytes < 1) {
            throw new InvalidConfigurationException("cacheBytes must be positive, got " + bytes);
        }
        this.cacheBytes = bytes;
        return self();
    }

    /**
     * @param epoch the number of the first epoch (default 0), e.g. to continue a run with the
     *              shuffle it would have had
     * @return this builder
     */
    public B firstEpoch(long epoch) {
        if (epoch < 0) {
            throw new InvalidConfigurationException("firstEpoch must not be negative, got " + epoch);
        }
        this.firstEpoch = epoch;
        return self();
    }

    /**
     * Reads one shard of the data, for data-parallel training: the epoch's global order (a
     * function of seed and epoch only) is cut into batches, and shard {@code index} takes every
     * {@code count}-th of them. Shards are disjoint; with {@link ShardMode#PAD} (the default)
     * they cover the dataset and all yield the same number of full batches.
     *
     * @param index this shard, in {@code [0, count)}
     * @param count number of shards
     * @return this builder
     */
    public B shard(int index, int count) {
        if (count < 1 || index < 0 || index >= count) {
            throw new InvalidConfigurationException("shard index must be in [0, " + count + "), got " + index);
        }
        this.shardIndex = index;
        this.shardCount = count;
        return self();
    }

    /**
     * @param mode how shares are evened out between shards (default {@link ShardMode#PAD})
     * @return this builder
     */
    public B shardMode(ShardMode mode) {
        if (mode == null) {
            throw new InvalidConfigurationException("shardMode must not be null");
        }
        this.shardMode = mode;
        return self();
    }

    /**
     * Continues where an earlier iterator stopped: the first batch delivered is the first one
     * that {@code state} had not delivered, found in O(1). The other options must be the same as
     * when the state was taken (the worker count may differ); {@code build()} refuses a state
     * from other options or another dataset.
     *
     * @param state from {@code state()} of the earlier iterator
     * @return this builder
     */
    public B resumeFrom(IteratorState state) {
        if (state == null) {
            throw new InvalidConfigurationException("state must not be null");
        }
        if (state.batch() < 0 || state.epoch() < 0) {
            throw new InvalidConfigurationException("the state to resume from has a negative epoch or batch: " + state);
        }
        this.resume = state;
        return self();
    }

    /**
     * @param samples rows drawn per epoch by {@link Order#RANDOM_WITH_REPLACEMENT} (default: as
     *                many as the dataset has)
     * @return this builder
     */
    public B samplesPerEpoch(long samples) {
        if (samples < 1) {
            throw new InvalidConfigurationException("samplesPerEpoch must be at least 1, got " + samples);
        }
        this.samplesPerEpoch = samples;
        return self();
    }

    /**
     * @param batches batches per epoch for {@link Order#RANDOM_WITH_REPLACEMENT}: sets
     *                {@code samplesPerEpoch} to {@code batches * batchSize} at {@code build()}
     * @return this builder
     */
    public B batchesPerEpoch(int batches) {
        if (batches < 1) {
            throw new InvalidConfigurationException("batchesPerEpoch must be at least 1, got " + batches);
        }
        this.batchesPerEpoch = batches;
        return self();
    }

    /**
     * @param weights non-negative sampling weight of every row, for
     *                {@link Order#RANDOM_WITH_REPLACEMENT} (default: uniform); the length must equal
     *                the dataset's rows
     * @return this builder
     */
    public B sampleWeights(double[] weights) {
        if (weights == null || weights.length == 0) {
            throw new InvalidConfigurationException("sampleWeights must not be empty");
        }
        SampleWeights.check(weights, "sampleWeights", "");
        this.sampleWeights = weights.clone();
        this.sampleWeightsPath = null;
        return self();
    }

    /**
     * @param datasetPath a one-dimensional numeric dataset of the same file holding one
     *                    non-negative weight per row (read once at {@code build()})
     * @return this builder
     */
    public B sampleWeights(String datasetPath) {
        this.sampleWeightsPath = datasetPath;
        this.sampleWeights = null;
        return self();
    }
}
