package org.multitables4j;

import java.nio.file.Path;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Options shared by the streaming iterators ({@link Hdf5DataSetIterator},
 * {@link Hdf5MultiDataSetIterator}). Every setter returns a new builder and leaves the receiver
 * unchanged, so a builder can be shared and specialised; validation that needs the file happens
 * in {@code build()}.
 *
 * @param <B> the concrete builder type
 */
public abstract class StreamOptions<B extends StreamOptions<B>> implements Cloneable {
    final Path file;
    int batchSize = 32;
    Order order = Order.SHUFFLED;
    long seed;
    int workers = Math.max(1, Runtime.getRuntime().availableProcessors());
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
    double[] sampleWeights;
    String sampleWeightsPath;
    Backend backend = Backend.THREADS;
    Path sharedMemoryDir;
    java.util.List<String> workerJvmOptions = java.util.List.of();
    int workerRestarts = 3;
    java.time.Duration workerReadTimeout;

    final java.util.List<Path> files;
    /** What {@link StreamEngine} opens, one per file: a path or a URI (see {@link RemoteOptions}). */
    final java.util.List<String> locations;
    /** How remote files are read; null for builders made from paths. */
    final RemoteOptions remote;

    StreamOptions(Path file) {
        if (file == null) {
            throw new InvalidConfigurationException("the file must not be null");
        }
        this.file = file;
        this.files = java.util.List.of(file);
        this.locations = java.util.List.of(file.toString());
        this.remote = null;
    }

    /**
     * Files named by URIs: local ones ({@code file:} or no scheme) keep a path in {@link #files};
     * {@link #file} is the first file's path, or null when it is remote.
     */
    StreamOptions(java.util.List<java.net.URI> uris, RemoteOptions remote) {
        if (uris == null || uris.isEmpty()) {
            throw new InvalidConfigurationException("at least one file is needed");
        }
        java.util.List<String> locs = new java.util.ArrayList<>();
        java.util.List<Path> local = new java.util.ArrayList<>();
        for (java.net.URI u : uris) {
            if (u == null) {
                throw new InvalidConfigurationException("the files must not contain null");
            }
            String loc = u.getScheme() == null ? u.getPath() : u.toString();
            locs.add(loc);
            Path p = org.multitables4j.hdf5.ByteSources.localPath(loc);
            if (p != null) {
                local.add(p);
            }
        }
        this.locations = java.util.List.copyOf(locs);
        this.files = java.util.List.copyOf(local);
        this.file = org.multitables4j.hdf5.ByteSources.localPath(locs.get(0));
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
        this.files = java.util.List.copyOf(files);
        this.file = this.files.get(0);
        this.locations = this.files.stream().map(Path::toString).toList();
        this.remote = null;
    }

    /** @return the file, or the first file and how many more, for messages */
    String describeFiles() {
        String first = locations.get(0);
        return locations.size() == 1 ? first : first + " and " + (locations.size() - 1) + " more file(s)";
    }

    @SuppressWarnings("unchecked")
    B copy() {
        try {
            return (B) clone();
        } catch (CloneNotSupportedException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * @param datasetBytes decoded bytes of the dataset
     * @return the block cache budget for it: the user's, else 256 MiB, or for RANDOM order the
     *     whole dataset when it fits in half the heap limit (RANDOM touches almost every chunk
     *     in every batch, so a cache smaller than the data re-decodes chunks over and over)
     */
    long effectiveCacheBytes(long datasetBytes) {
        if (cacheBytes > 0) {
            return cacheBytes;
        }
        long base = 256L << 20;
        if (order == Order.RANDOM || order == Order.RANDOM_WITH_REPLACEMENT) {
            return Math.max(base, Math.min(datasetBytes + (1 << 20), Runtime.getRuntime().maxMemory() / 2));
        }
        return base;
    }

    int effectivePrefetch() {
        return prefetch > 0 ? prefetch : Math.max(4, 2 * workers);
    }

    /**
     * @param rows rows per batch (default 32)
     * @return a new builder
     */
    public B batchSize(int rows) {
        if (rows < 1) {
            throw new InvalidConfigurationException("batchSize must be at least 1, got " + rows);
        }
        B b = copy();
        b.batchSize = rows;
        return b;
    }

    /**
     * @param order delivery order (default {@link Order#SHUFFLED})
     * @return a new builder
     */
    public B order(Order order) {
        if (order == null) {
            throw new InvalidConfigurationException("order must not be null");
        }
        B b = copy();
        b.order = order;
        return b;
    }

    /**
     * @param seed seed of the shuffle; the order is a pure function of (seed, epoch). Default 0.
     * @return a new builder
     */
    public B seed(long seed) {
        B b = copy();
        b.seed = seed;
        return b;
    }

    /**
     * @param threads worker threads (default: the number of available processors)
     * @return a new builder
     */
    public B workers(int threads) {
        if (threads < 1) {
            throw new InvalidConfigurationException("workers must be at least 1, got " + threads);
        }
        B b = copy();
        b.workers = threads;
        return b;
    }

    /**
     * @param slots ring slots filled ahead of the caller (default: 2 per worker, at least 4)
     * @return a new builder
     */
    public B prefetch(int slots) {
        if (slots < 1) {
            throw new InvalidConfigurationException("prefetch must be at least 1, got " + slots);
        }
        B b = copy();
        b.prefetch = slots;
        return b;
    }

    /**
     * @param drop drop the final partial batch of each epoch (default false)
     * @return a new builder
     */
    public B dropLast(boolean drop) {
        B b = copy();
        b.dropLast = drop;
        return b;
    }

    /**
     * @param cyclic never end: after the last batch of an epoch the next epoch begins (default false)
     * @return a new builder
     */
    public B cyclic(boolean cyclic) {
        B b = copy();
        b.cyclic = cyclic;
        return b;
    }

    /**
     * @param batches how many of the most recently returned batches stay valid (default 1: the
     *                last one). Raise it for consumers that hold several batches at once, such as
     *                {@code ParallelWrapper} (one per trainer plus its prefetch); each held batch
     *                needs one more slot.
     * @return a new builder
     */
    public B holdBatches(int batches) {
        if (batches < 1) {
            throw new InvalidConfigurationException("holdBatches must be at least 1, got " + batches);
        }
        B b = copy();
        b.holdBatches = batches;
        return b;
    }

    /**
     * @param copy hand out detached copies instead of slot views (default false); copies stay
     *             valid forever at the price of one copy per batch
     * @return a new builder
     */
    public B copyBatches(boolean copy) {
        B b = copy();
        b.copyBatches = copy;
        return b;
    }

    /**
     * @param blocks chunk rows per shuffle window for {@link Order#SHUFFLED} (default 16); larger
     *               windows mix better and keep more decoded chunks in memory
     * @return a new builder
     */
    public B shuffleWindow(int blocks) {
        if (blocks < 1) {
            throw new InvalidConfigurationException("shuffleWindow must be at least 1 block, got " + blocks);
        }
        B b = copy();
        b.shuffleWindow = blocks;
        return b;
    }

    /**
     * @param type element type of the delivered arrays: FLOAT (default), DOUBLE, or a dataset's
     *             stored type itself (e.g. UINT8 for uint8 images); one-hot labels use FLOAT
     *             unless this is DOUBLE
     * @return a new builder
     */
    public B dataType(DataType type) {
        if (type == null) {
            throw new InvalidConfigurationException("dataType must not be null");
        }
        B b = copy();
        b.dataType = type;
        b.storedType = false;
        return b;
    }

    /**
     * Delivers each dataset in its stored element type (no conversion), e.g. UINT8 images.
     *
     * @return a new builder
     */
    public B storedDataType() {
        B b = copy();
        b.storedType = true;
        return b;
    }

    /**
     * @param bytes decoded chunk bytes kept per dataset (default 256 MiB; for RANDOM order the
     *              whole decoded dataset when it fits in half the heap limit). It must hold a
     *              shuffle window; RANDOM order over a dataset larger than the cache re-decodes
     *              evicted chunks (see {@link IteratorStats#readAmplification()})
     * @return a new builder
     */
    public B cacheBytes(long bytes) {
        if (bytes < 1) {
            throw new InvalidConfigurationException("cacheBytes must be positive, got " + bytes);
        }
        B b = copy();
        b.cacheBytes = bytes;
        return b;
    }

    /**
     * @param epoch the number of the first epoch (default 0), e.g. to continue a run with the
     *              shuffle it would have had
     * @return a new builder
     */
    public B firstEpoch(long epoch) {
        if (epoch < 0) {
            throw new InvalidConfigurationException("firstEpoch must not be negative, got " + epoch);
        }
        B b = copy();
        b.firstEpoch = epoch;
        return b;
    }

    /**
     * Reads one shard of the data, for data-parallel training: the epoch's global order (a
     * function of seed and epoch only) is cut into batches, and shard {@code index} takes every
     * {@code count}-th of them. Shards are disjoint; with {@link ShardMode#PAD} (the default)
     * they cover the dataset and all yield the same number of full batches.
     *
     * @param index this shard, in {@code [0, count)}
     * @param count number of shards
     * @return a new builder
     */
    public B shard(int index, int count) {
        if (count < 1 || index < 0 || index >= count) {
            throw new InvalidConfigurationException("shard index must be in [0, " + count + "), got " + index);
        }
        B b = copy();
        b.shardIndex = index;
        b.shardCount = count;
        return b;
    }

    /**
     * @param mode how shares are evened out between shards (default {@link ShardMode#PAD})
     * @return a new builder
     */
    public B shardMode(ShardMode mode) {
        if (mode == null) {
            throw new InvalidConfigurationException("shardMode must not be null");
        }
        B b = copy();
        b.shardMode = mode;
        return b;
    }

    /**
     * Continues where an earlier iterator stopped: the first batch delivered is the first one
     * that {@code state} had not delivered, found in O(1). The other options must be the same as
     * when the state was taken (the worker count may differ); {@code build()} refuses a state
     * from other options or another dataset.
     *
     * @param state from {@code state()} of the earlier iterator
     * @return a new builder
     */
    public B resumeFrom(IteratorState state) {
        if (state == null) {
            throw new InvalidConfigurationException("state must not be null");
        }
        B b = copy();
        b.resume = state;
        return b;
    }

    /**
     * @param samples rows drawn per epoch by {@link Order#RANDOM_WITH_REPLACEMENT} (default: as
     *                many as the dataset has)
     * @return a new builder
     */
    public B samplesPerEpoch(long samples) {
        if (samples < 1) {
            throw new InvalidConfigurationException("samplesPerEpoch must be at least 1, got " + samples);
        }
        B b = copy();
        b.samplesPerEpoch = samples;
        return b;
    }

    /**
     * @param weights non-negative sampling weight of every row, for
     *                {@link Order#RANDOM_WITH_REPLACEMENT} (default: uniform); the length must equal
     *                the dataset's rows
     * @return a new builder
     */
    public B sampleWeights(double[] weights) {
        if (weights == null || weights.length == 0) {
            throw new InvalidConfigurationException("sampleWeights must not be empty");
        }
        B b = copy();
        b.sampleWeights = weights.clone();
        b.sampleWeightsPath = null;
        return b;
    }

    /**
     * @param datasetPath a one-dimensional numeric dataset of the same file holding one
     *                    non-negative weight per row (read once at {@code build()})
     * @return a new builder
     */
    public B sampleWeights(String datasetPath) {
        B b = copy();
        b.sampleWeightsPath = datasetPath;
        b.sampleWeights = null;
        return b;
    }

    /**
     * @param backend {@link Backend#THREADS} (default) or {@link Backend#PROCESSES}: one child JVM
     *                per worker decoding into shared memory; the batches delivered are the same
     * @return a new builder
     */
    public B backend(Backend backend) {
        if (backend == null) {
            throw new InvalidConfigurationException("backend must not be null");
        }
        B b = copy();
        b.backend = backend;
        return b;
    }

    /**
     * @param dir directory of the shared-memory file of {@link Backend#PROCESSES} (default
     *            {@code /dev/shm} when it is writable, else {@code java.io.tmpdir}); a memory-backed
     *            file system avoids disk writes
     * @return a new builder
     */
    public B sharedMemoryDir(Path dir) {
        if (dir == null) {
            throw new InvalidConfigurationException("sharedMemoryDir must not be null");
        }
        B b = copy();
        b.sharedMemoryDir = dir;
        return b;
    }

    /**
     * @param options extra options of the worker JVMs of {@link Backend#PROCESSES}, after the
     *                defaults ({@code -Xmx1g -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError}) so
     *                they win, e.g. {@code "-Xmx4g"} for very large chunks
     * @return a new builder
     */
    public B workerJvmOptions(String... options) {
        for (String o : options) {
            if (o == null || o.isBlank()) {
                throw new InvalidConfigurationException("workerJvmOptions must not contain null or blank options");
            }
        }
        B b = copy();
        b.workerJvmOptions = java.util.List.of(options);
        return b;
    }

    /**
     * @param attempts times a worker process may die in a row on the same read (each time it is
     *                 restarted and the read repeated) before the iterator fails naming the
     *                 cause; default 3
     * @return a new builder
     */
    public B workerRestarts(int attempts) {
        if (attempts < 1) {
            throw new InvalidConfigurationException("workerRestarts must be at least 1, got " + attempts);
        }
        B b = copy();
        b.workerRestarts = attempts;
        return b;
    }

    /**
     * @param timeout with {@code Backend.PROCESSES}: a worker process that does not answer a read
     *                within this time (alive but stopped or hung) is killed, restarted and the
     *                read repeated, counted like a death towards {@link #workerRestarts}; null
     *                (default) waits for as long as the child lives, and a hung child then blocks
     *                {@code next()} until {@code close()} from another thread
     * @return a new builder
     */
    public B workerReadTimeout(java.time.Duration timeout) {
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new InvalidConfigurationException("workerReadTimeout must be positive, got " + timeout);
        }
        B b = copy();
        b.workerReadTimeout = timeout;
        return b;
    }

    Path effectiveSharedMemoryDir() {
        if (sharedMemoryDir != null) {
            return sharedMemoryDir;
        }
        Path shm = Path.of("/dev/shm");
        if (java.nio.file.Files.isDirectory(shm) && java.nio.file.Files.isWritable(shm)) {
            return shm;
        }
        return Path.of(System.getProperty("java.io.tmpdir"));
    }
}
