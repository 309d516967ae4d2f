package org.multitables4j.reader;

import java.nio.ByteBuffer;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.multitables4j.InvalidConfigurationException;
import org.multitables4j.IteratorClosedException;
import org.multitables4j.hdf5.ElementConverter;
import org.multitables4j.hdf5.ElementType;
import org.multitables4j.hdf5.Hdf5Array;
import org.multitables4j.hdf5.Hdf5File;
import org.multitables4j.RemoteOptions;
import org.multitables4j.Backend;
import org.multitables4j.ring.BufferAllocator;
import org.multitables4j.workers.BlockIo;
import org.multitables4j.workers.ChildPool;
import org.multitables4j.workers.SharedArena;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Random access to the datasets of one HDF5 file: a request (slice, index array, mask, each
 * optionally narrowed to ranges of inner dimensions) is scheduled on worker threads and its rows
 * land in a {@link Stage}; an {@link Hdf5Future} hands them back as a copy, through a callback,
 * or as a view to release. Decoded chunks are shared by the workers through a per-dataset cache,
 * so random rows from the same chunk decode it once. {@link Hdf5SamplingIterator} serves random
 * minibatches through a reader.
 *
 * <pre>{@code
 * try (Hdf5Reader reader = Hdf5Reader.open(path, 2)) {
 *     Hdf5Dataset ds = reader.dataset("/x");
 *     Stage stage = ds.createStage(256);
 *     INDArray rows = reader.request(ds.rows(new long[] {7, 3, 99}), stage).get();
 *     INDArray part = reader.request(ds.rows(30, 35).select(1, 2, 5), stage).get(); // x[30:35, 2:5, ...]
 * }
 * }</pre>
 */
public final class Hdf5Reader implements AutoCloseable {
    private static final AtomicInteger SEQ = new AtomicInteger();

    private final Hdf5File file;
    private final ExecutorService pool;
    private final int workers;
    private final long cacheBytes;
    private final Map<String, Hdf5Dataset> datasets = new ConcurrentHashMap<>();
    private final SharedArena arena;
    private final ChildPool children;
    private final AtomicInteger nextChild = new AtomicInteger();
    private final ThreadLocal<BlockIo> ios;
    private final ThreadLocal<ByteBuffer> scratch = new ThreadLocal<>();
    private final ThreadLocal<long[]> runRows = ThreadLocal.withInitial(() -> new long[64]);
    private final ThreadLocal<int[]> runCounts = ThreadLocal.withInitial(() -> new int[64]);
    private final ThreadLocal<int[]> runOffsets = ThreadLocal.withInitial(() -> new int[64]);
    private volatile boolean closed;

    /**
     * Settings of the worker processes of a reader opened with {@link Backend#PROCESSES}, as the
     * streaming iterator's {@code sharedMemoryDir}, {@code workerJvmOptions},
     * {@code workerRestarts} and {@code workerReadTimeout}.
     *
     * @param sharedMemoryDir where the shared-memory file (and control sockets) go; null:
     *                        {@code /dev/shm}, or {@code java.io.tmpdir} where that is missing
     * @param jvmOptions      extra options of the child JVMs, after the defaults (they win)
     * @param restarts        times a child may die in a row on one read before the read fails
     * @param readTimeout     a child not answering a read within this is killed and the read
     *                        repeated; null waits while the child lives
     */
    public record ProcessOptions(Path sharedMemoryDir, List<String> jvmOptions, int restarts, java.time.Duration readTimeout) {
        /** Validates and copies. */
        public ProcessOptions {
            if (restarts < 1) {
                throw new InvalidConfigurationException("restarts must be at least 1, got " + restarts);
            }
            if (readTimeout != null && (readTimeout.isNegative() || readTimeout.isZero())) {
                throw new InvalidConfigurationException("readTimeout must be positive, got " + readTimeout);
            }
            jvmOptions = jvmOptions == null ? List.of() : List.copyOf(jvmOptions);
        }

        /** @return the defaults: {@code /dev/shm}, no extra options, 3 restarts, no read timeout */
        public static ProcessOptions defaults() {
            return new ProcessOptions(null, List.of(), 3, null);
        }
    }

    private Hdf5Reader(Path path, int workers, long cacheBytes, Backend backend) {
        this(path, workers, cacheBytes, backend, ProcessOptions.defaults());
    }

    private Hdf5Reader(Path path, int workers, long cacheBytes, Backend backend, ProcessOptions po) {
        this(path, null, null, workers, cacheBytes, backend, po);
    }

    private Hdf5Reader(Path path, URI uri, RemoteOptions remote, int workers, long cacheBytes, Backend backend,
                       ProcessOptions po) {
        if (workers < 1) {
            throw new InvalidConfigurationException("workers must be at least 1, got " + workers);
        }
        if (backend == null) {
            throw new InvalidConfigurationException("backend must not be null");
        }
        this.file = uri != null ? Hdf5File.open(uri, remote) : Hdf5File.open(path);
        if (backend == Backend.PROCESSES) {
            try {
                Path dir = po.sharedMemoryDir() != null ? po.sharedMemoryDir() : Path.of("/dev/shm");
                if (po.sharedMemoryDir() == null
                        && (!java.nio.file.Files.isDirectory(dir) || !java.nio.file.Files.isWritable(dir))) {
                    dir = Path.of(System.getProperty("java.io.tmpdir"));
                }
                this.arena = SharedArena.create(dir, 64 << 20);
            } catch (RuntimeException e) {
                file.close();
                throw e;
            }
            this.children = new ChildPool(file.path(), arena, po.jvmOptions(), po.restarts()).readTimeout(po.readTimeout());
            this.ios = ThreadLocal.withInitial(() -> children.io(nextChild.getAndIncrement()));
        } else {
            this.arena = null;
            this.children = null;
            this.ios = ThreadLocal.withInitial(BlockIo::local);
        }
        this.workers = workers;
        this.cacheBytes = cacheBytes;
        int id = SEQ.incrementAndGet();
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "multitables4j-reader-" + id + "-" + n.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
        if (children != null) {
            // start the worker processes now, while the caller prepares its requests
            for (int i = 0; i < workers; i++) {
                pool.execute(ios::get);
            }
        }
    }

    /**
     * Opens a file with a 256 MiB chunk cache per dataset.
     *
     * @param path    the HDF5 file
     * @param workers worker threads
     * @return the reader
     */
    public static Hdf5Reader open(Path path, int workers) {
        return open(path, workers, 256L << 20);
    }

    /**
     * @param path       the HDF5 file
     * @param workers    worker threads
     * @param cacheBytes decoded chunk bytes kept per dataset
     * @return the reader
     */
    public static Hdf5Reader open(Path path, int workers, long cacheBytes) {
        return new Hdf5Reader(path, workers, cacheBytes, Backend.THREADS);
    }

    /**
     * @param path       the HDF5 file
     * @param workers    worker threads, or with {@link Backend#PROCESSES} worker threads each
     *                   paired with a child JVM that does its reads and decodes, writing into
     *                   shared memory under {@code /dev/shm} (see the streaming iterator's backend)
     * @param cacheBytes decoded chunk bytes kept per dataset
     * @param backend    where reads and decodes run
     * @return the reader
     */
    public static Hdf5Reader open(Path path, int workers, long cacheBytes, Backend backend) {
        return new Hdf5Reader(path, workers, cacheBytes, backend);
    }

    /**
     * Opens a file whose reads and decodes run in worker processes ({@link Backend#PROCESSES})
     * with the given settings.
     *
     * @param path       the HDF5 file
     * @param workers    worker threads, each paired with a child JVM
     * @param cacheBytes decoded chunk bytes kept per dataset (in shared memory)
     * @param processes  the worker processes' settings
     * @return the reader
     */
    public static Hdf5Reader open(Path path, int workers, long cacheBytes, ProcessOptions processes) {
        return new Hdf5Reader(path, workers, cacheBytes, Backend.PROCESSES,
                processes == null ? ProcessOptions.defaults() : processes);
    }

    /**
     * Opens a file named by a URI ({@code hdfs://...}, {@code s3a://...}, any scheme of a Hadoop
     * {@code FileSystem}, or {@code file:}); Hadoop must be on the classpath for remote files.
     * With {@link Backend#PROCESSES} each worker process opens the URI itself, with the same
     * options (the Hadoop configuration travels over the process's private channel).
     *
     * @param uri        the HDF5 file
     * @param remote     how remote files are read; null: {@link RemoteOptions#defaults()}
     * @param workers    worker threads (each paired with a child JVM with {@link Backend#PROCESSES})
     * @param cacheBytes decoded chunk bytes kept per dataset
     * @param backend    where reads and decodes run
     * @return the reader
     */
    public static Hdf5Reader open(URI uri, RemoteOptions remote, int workers, long cacheBytes, Backend backend) {
        return new Hdf5Reader(null, uri, remote, workers, cacheBytes, backend, ProcessOptions.defaults());
    }

    /**
     * Opens a file named by a URI whose reads run in worker processes with the given settings.
     *
     * @param uri        the HDF5 file
     * @param remote     how remote files are read; null: {@link RemoteOptions#defaults()}
     * @param workers    worker threads, each paired with a child JVM
     * @param cacheBytes decoded chunk bytes kept per dataset (in shared memory)
     * @param processes  the worker processes' settings
     * @return the reader
     */
    public static Hdf5Reader open(URI uri, RemoteOptions remote, int workers, long cacheBytes, ProcessOptions processes) {
        return new Hdf5Reader(null, uri, remote, workers, cacheBytes, Backend.PROCESSES,
                processes == null ? ProcessOptions.defaults() : processes);
    }

    /** @return the allocator of decoded blocks: the heap, or the shared memory of worker processes */
    BufferAllocator blockAllocator() {
        return arena != null ? arena : ByteBuffer::allocate;
    }

    /** @return process ids of the worker processes alive now (empty with threads) */
    public List<Long> workerPids() {
        return children == null ? List.of() : children.pids();
    }

    private Hdf5Dataset open(String key, Hdf5Array array, String path, String column) {
        if (children != null) {
            children.register(new ChildPool.Dataset(array, file.path(), path, column));
        }
        return new Hdf5Dataset(this, array, cacheBytes);
    }

    /**
     * @param path dataset path
     * @return the dataset (made once)
     */
    public Hdf5Dataset dataset(String path) {
        checkOpen();
        return datasets.computeIfAbsent(path, p -> open(p, file.array(p), p, null));
    }

    /**
     * A column of a compound dataset (a PyTables table, a numpy structured array) as a dataset
     * of its own: rows of that column's values.
     *
     * @param table  the compound dataset's path
     * @param column the member name, or the {@code '/'}-separated path of a member of a nested
     *               compound ({@code "meta/sub/vec"})
     * @return the column (made once)
     */
    public Hdf5Dataset column(String table, String column) {
        checkOpen();
        return datasets.computeIfAbsent(table + "#" + column, p -> open(p, file.column(table, column), table, column));
    }

    /** Chunk cache counters summed over the datasets. */
    public record CacheStats(long hits, long misses, long decodedBytes) {
    }

    /** @return cache hits, misses and decoded bytes so far */
    public CacheStats cacheStats() {
        long h = 0;
        long m = 0;
        long d = 0;
        for (Hdf5Dataset ds : datasets.values()) {
            h += ds.cache.hits.get();
            m += ds.cache.misses.get();
            d += ds.cache.decodedBytes.get();
        }
        return new CacheStats(h, m, d);
    }

    private void checkOpen() {
        if (closed) {
            throw new IteratorClosedException("the reader of " + file.path() + " is closed");
        }
    }

    /**
     * Schedules a request into a free stage of a pool, waiting for one up to the pool's
     * {@link StagePool#setTimeout timeout} (60 s unless set).
     *
     * @param request the rows
     * @param stages  the pool
     * @return the future
     * @throws StageTimeoutException when no stage was released in time
     */
    public Hdf5Future request(Request request, StagePool stages) {
        return request(request, stages.claim(), true);
    }

    /**
     * Schedules a request into a free stage of a pool, waiting for one at most {@code timeout}:
     * any stage released by another thread meanwhile ends the wait at once.
     *
     * @param request the rows
     * @param stages  the pool
     * @param timeout how long to wait for a free stage; 0 fails at once when none is free
     * @param unit    unit of {@code timeout}
     * @return the future
     * @throws StageTimeoutException when no stage was released in time
     * @throws InvalidConfigurationException for a negative timeout
     */
    public Hdf5Future request(Request request, StagePool stages, long timeout, TimeUnit unit) {
        return request(request, stages.claim(timeout, unit), true);
    }

    /**
     * Schedules a request into a stage.
     *
     * @param request the rows
     * @param stage   a stage of the same dataset, not in use, with room for the rows: the request's
     *                delivered bytes (rows times the narrowed row, in the stage's element type) must
     *                not exceed the stage's ({@code capacity()} whole rows)
     * @return the future
     * @throws InvalidConfigurationException if the request is larger than the stage or of another dataset
     * @throws IllegalStateException if the stage is still in use
     */
    public Hdf5Future request(Request request, Stage stage) {
        return request(request, stage, false);
    }

    private Hdf5Future request(Request request, Stage stage, boolean claimed) {
        checkOpen();
        if (request.dataset() != stage.dataset()) {
            if (claimed) {
                stage.release();
            }
            throw new InvalidConfigurationException("the stage belongs to '" + stage.dataset().path() + "', the request to '"
                    + request.dataset().path() + "'");
        }
        long need = (long) request.size() * request.deliveredRowBytes(stage.dataType());
        long room = (long) stage.capacity() * stage.rowBytes();
        if (need > room) {
            if (claimed) {
                stage.release();
            }
            throw new InvalidConfigurationException("request " + request + " of " + request.size() + " rows ("
                    + need + " bytes as " + stage.dataType() + ") does not fit a stage of " + stage.capacity() + " rows ("
                    + room + " bytes)");
        }
        if (!claimed && !stage.tryClaim()) {
            throw new IllegalStateException("the stage is still in use: take or release the previous result first");
        }
        List<long[]> groups = plan(request);
        List<CompletableFuture<Void>> parts = new ArrayList<>();
        int per = Math.max(1, (groups.size() + workers - 1) / workers);
        try {
            for (int i = 0; i < groups.size(); i += per) {
                List<long[]> mine = groups.subList(i, Math.min(groups.size(), i + per));
                parts.add(CompletableFuture.runAsync(() -> mine.forEach(g -> execute(request, stage, g)), pool));
            }
        } catch (RejectedExecutionException e) {
            // closed meanwhile by another thread: fail the request once the parts already queued are done
            IteratorClosedException closedNow = new IteratorClosedException("the reader of " + file.path() + " is closed");
            if (parts.isEmpty()) {
                stage.release();
                throw closedNow;
            }
            CompletableFuture<Void> failed = CompletableFuture.allOf(parts.toArray(new CompletableFuture[0]))
                    .handle((v, t) -> {
                        throw closedNow;
                    });
            return new Hdf5Future(failed, stage, request);
        }
        return new Hdf5Future(CompletableFuture.allOf(parts.toArray(new CompletableFuture[0])), stage, request);
    }

    /** Positions grouped by block: each group is {@code [block, k0, k1, ...]}. */
    private static List<long[]> plan(Request r) {
        Hdf5Array a = r.dataset().array();
        int br = a.blockRows();
        int n = r.size();
        long[] keys = new long[n];
        for (int k = 0; k < n; k++) {
            keys[k] = (r.row(k) / br) << 32 | k;
        }
        if (!r.contiguous()) {
            Arrays.sort(keys);
        }
        List<long[]> groups = new ArrayList<>();
        int i = 0;
        while (i < n) {
            long blk = keys[i] >>> 32;
            int j = i;
            while (j < n && keys[j] >>> 32 == blk) {
                j++;
            }
            long[] g = new long[j - i + 1];
            g[0] = blk;
            for (int k = i; k < j; k++) {
                g[k - i + 1] = (int) keys[k];
            }
            groups.add(g);
            i = j;
        }
        return groups;
    }

    private void execute(Request r, Stage stage, long[] group) {
        Hdf5Dataset ds = r.dataset();
        Hdf5Array a = ds.array();
        ElementType st = a.elementType();
        DataType out = stage.dataType();
        ByteBuffer dst = stage.memory();
        Request.Runs runs = r.runs();
        int outRow = runs.elements() * out.width();
        BlockIo io = ios.get();
        if (a.rowReadable()) {
            // contiguous data: runs of consecutive rows at consecutive positions, up to 1 MiB of
            // runs read in one request (one positional read each)
            int maxRows = Math.max(1, (1 << 20) / Math.max(1, a.rowBytes()));
            ByteBuffer src = scratch.get();
            if (src == null || src.capacity() < maxRows * a.rowBytes()) {
                src = blockAllocator() instanceof SharedArena sa ? sa.allocate(maxRows * a.rowBytes())
                        : ByteBuffer.allocateDirect(maxRows * a.rowBytes());
                scratch.set(src);
            }
            src.order(st.byteOrder());
            long[] rows = runRows.get();
            int[] counts = runCounts.get();
            int[] offsets = runOffsets.get();
            int i = 1;
            while (i < group.length) {
                int first = i;
                int nRuns = 0;
                int used = 0;
                while (i < group.length && used < maxRows) {
                    int k0 = (int) group[i];
                    long r0 = r.row(k0);
                    int m = 1;
                    while (i + m < group.length && used + m < maxRows && group[i + m] == k0 + m && r.row(k0 + m) == r0 + m) {
                        m++;
                    }
                    if (nRuns == rows.length) {
                        rows = Arrays.copyOf(rows, 2 * nRuns);
                        counts = Arrays.copyOf(counts, 2 * nRuns);
                        offsets = Arrays.copyOf(offsets, 2 * nRuns);
                        runRows.set(rows);
                        runCounts.set(counts);
                        runOffsets.set(offsets);
                    }
                    rows[nRuns] = r0;
                    counts[nRuns] = m;
                    offsets[nRuns] = used * a.rowBytes();
                    nRuns++;
                    used += m;
                    i += m;
                }
                io.readRuns(a, rows, counts, offsets, nRuns, src);
                for (int j = 0; j < used; j++) {
                    int k = (int) group[first + j];
                    copyRow(src, j * a.rowBytes() + a.memberOffset(), st, dst, k * outRow, out, runs);
                }
            }
            return;
        }
        ChunkCache.Entry e = ds.cache.block((int) group[0], io);
        try {
            ByteBuffer src = e.buffer;
            long first = group[0] * a.blockRows();
            for (int i = 1; i < group.length; i++) {
                int k = (int) group[i];
                int off = (int) (r.row(k) - first) * a.rowBytes() + a.memberOffset();
                copyRow(src, off, st, dst, k * outRow, out, runs);
            }
        } finally {
            ds.cache.release(e);
        }
    }

    /** Copies one delivered row: each run of consecutive stored elements in one conversion. */
    private static void copyRow(ByteBuffer src, int off, ElementType st, ByteBuffer dst, int dstOff, DataType out,
                                Request.Runs runs) {
        int[] offsets = runs.offsets();
        int len = runs.length();
        int es = st.size();
        int step = len * out.width();
        for (int i = 0; i < offsets.length; i++) {
            ElementConverter.convert(src, off + offsets[i] * es, st, dst, dstOff + i * step, out, len);
        }
    }

    /** Stops the workers (letting running requests finish) and closes the file. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        pool.shutdown();
        try {
            if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
                if (children != null) {
                    children.close(); // a worker waiting on a child that does not answer
                }
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (children != null) {
            children.close();
        }
        if (arena != null) {
            arena.close();
        }
        file.close();
    }

}
