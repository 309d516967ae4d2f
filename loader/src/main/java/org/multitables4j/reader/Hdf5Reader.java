package org.multitables4j.reader;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.multitables4j.InvalidConfigurationException;
import org.multitables4j.IteratorClosedException;
import org.multitables4j.Backend;
import org.multitables4j.CacheStats;
import org.multitables4j.ProcessOptions;
import org.multitables4j.RemoteOptions;
import org.multitables4j.internal.hdf5.Hdf5Array;
import org.multitables4j.internal.hdf5.Hdf5File;
import org.multitables4j.internal.ring.BufferAllocator;
import org.multitables4j.internal.workers.BlockCache;
import org.multitables4j.internal.workers.BlockIo;
import org.multitables4j.internal.workers.BlockStats;
import org.multitables4j.internal.workers.StoreSource;
import org.multitables4j.internal.workers.WorkerBackend;

/**
 * Random access to the datasets of one HDF5 file: a request (slice, index array, mask, each
 * optionally narrowed to ranges of inner dimensions) is scheduled on worker threads and its rows
 * land in a {@link Stage}; an {@link Hdf5Future} hands them back as a copy, through a callback,
 * or as a view to release. The rows are gathered by the loader's one engine: decoded chunks come
 * from a per-dataset block store with the LRU policy (the streaming iterators use the same store
 * with their plan's policy), so random rows from the same chunk decode it once; contiguous data
 * is read by runs. By default a dataset's store holds the whole decoded dataset when it fits in
 * half the heap limit, else 256 MiB, the same rule as the streaming iterators' random orders.
 * {@code Hdf5DataSetIterator.builder(reader)} streams batches in any order (sampling with
 * replacement included) through a reader's stores and backend.
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
    private final ReaderWorkers run;
    private final Map<String, Hdf5Dataset> datasets = new ConcurrentHashMap<>();
    private final Map<String, Hdf5Table> tables = new ConcurrentHashMap<>();
    private final Map<String, Hdf5VLArray> vlarrays = new ConcurrentHashMap<>();
    private volatile boolean closed;
    private final ReaderLifecycle life = new ReaderLifecycle();
    private boolean fileClosed;

    private Hdf5Reader(Path path, int workers, long cacheBytes, Backend backend, ProcessOptions po) {
        this(path, null, null, workers, cacheBytes, backend, po);
    }

    private Hdf5Reader(Path path, URI uri, RemoteOptions remote, int workers, long cacheBytes, Backend backend,
                       ProcessOptions po) {
        this.run = new ReaderWorkers(path, uri, remote, workers, cacheBytes, backend, po);
        StoreSource.register(this, new Lent());
    }

    /** What an iterator built over this reader borrows. */
    private final class Lent implements StoreSource {
        @Override
        public Hdf5File file() {
            return run.file();
        }

        @Override
        public Hdf5Array array(String path, String column) {
            return entry(path, column).array();
        }

        @Override
        public BlockCache store(String path, String column) {
            return entry(path, column).store;
        }

        @Override
        public BlockIo newIo() {
            return run.newIo();
        }

        @Override
        public BufferAllocator slotAllocator() {
            return run.backend().slotAllocator();
        }

        @Override
        public BufferAllocator blockAllocator() {
            return run.blockAllocator();
        }
    }

    private Hdf5Dataset entry(String path, String column) {
        return column == null ? dataset(path) : column(path, column);
    }

    /**
     * Opens a file; each dataset's block store holds the decoded dataset when it fits in half the
     * heap limit, else 256 MiB.
     *
     * @param path    the HDF5 file
     * @param workers worker threads
     * @return the reader
     */
    public static Hdf5Reader open(Path path, int workers) {
        return new Hdf5Reader(path, workers, -1, Backend.THREADS, null);
    }

    /**
     * @param path       the HDF5 file
     * @param workers    worker threads
     * @param cacheBytes decoded chunk bytes kept per dataset
     * @return the reader
     */
    public static Hdf5Reader open(Path path, int workers, long cacheBytes) {
        return new Hdf5Reader(path, workers, cacheBytes, Backend.THREADS, null);
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
        return new Hdf5Reader(path, workers, cacheBytes, backend, ProcessOptions.defaults());
    }

    /**
     * Opens a file whose reads and decodes run in worker processes ({@link Backend#PROCESSES})
     * with the given settings, the same value the streaming iterators take.
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

    /** @return the file's path; null for a remote file (see {@link #uri()}) */
    public Path path() {
        return run.file().path();
    }

    /** @return the file: a remote file's URI, or a local file's {@code file:} URI */
    public URI uri() {
        return run.file().isRemote() ? URI.create(run.file().location()) : run.file().path().toUri();
    }

    /** @return process ids of the worker processes alive now (empty with threads) */
    public List<Long> workerPids() {
        return run.backend().pids();
    }

    private Hdf5Dataset open(Hdf5Array array, String path, String column) {
        return new Hdf5Dataset(this, array, run.store(array, path, column));
    }

    /**
     * @param path dataset path
     * @return the dataset (made once)
     */
    public Hdf5Dataset dataset(String path) {
        checkOpen();
        return datasets.computeIfAbsent(path, p -> open(run.file().array(p), p, null));
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
        return datasets.computeIfAbsent(table + "#" + column, p -> open(run.file().column(table, column), table, column));
    }

    /**
     * A table (a PyTables {@code Table}, a numpy structured array) read as whole records: every
     * field, string fields included, and queries computed chunk by chunk.
     *
     * @param path the compound dataset's path
     * @return the table (made once)
     * @throws InvalidConfigurationException if there is no such dataset or it is not a table, or
     *     the file is remote (tables read local files only)
     */
    public Hdf5Table table(String path) {
        checkOpen();
        localOnly("table");
        return tables.computeIfAbsent(path, p -> new Hdf5Table(this, run.file().path(), p));
    }

    /**
     * A dataset of variable-length sequences of numbers (a PyTables {@code VLArray}) read as
     * ragged rows.
     *
     * @param path the dataset's path
     * @return the dataset (made once)
     * @throws InvalidConfigurationException if there is no such dataset or it is not one of
     *     sequences, or the file is remote (VLArrays read local files only)
     */
    public Hdf5VLArray vlarray(String path) {
        checkOpen();
        localOnly("vlarray");
        return vlarrays.computeIfAbsent(path, p -> new Hdf5VLArray(this, run.file().path(), p));
    }

    private void localOnly(String what) {
        if (run.file().isRemote()) {
            throw new InvalidConfigurationException(what + "(...) reads local files only, not " + run.file().name()
                    + "; read its columns with column(table, column), or copy the file to a local disk");
        }
    }

    /**
     * @return the block stores' counters summed over the datasets: hits, misses, blocks decoded,
     *     decoded bytes and distinct blocks requested (the same vocabulary as
     *     {@code IteratorStats.cache()}); requests of iterators built over this reader count too
     */
    public CacheStats cacheStats() {
        BlockStats sum = BlockStats.ZERO;
        for (Hdf5Dataset ds : datasets.values()) {
            sum = sum.plus(ds.store.stats());
        }
        return new CacheStats(sum.hits(), sum.misses(), sum.decodes(), sum.decodedBytes(), sum.needed());
    }

    private void checkOpen() {
        if (closed) {
            throw new IteratorClosedException("the reader of " + run.file().name() + " is closed");
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
        checkOpen(); // before taking a stage
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
        checkOpen(); // before taking a stage
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
        if (closed) {
            if (claimed) {
                stage.release();
            }
            checkOpen();
        }
        return RequestRun.schedule(request, stage, claimed, run);
    }

    ReaderLifecycle lifecycle() {
        return life;
    }

    ExecutorService workerPool() {
        return run.pool();
    }

    /** @return the worker threads of this reader */
    int workers() {
        return run.workers();
    }

    BlockIo blockIo() {
        return run.gather().io();
    }

    /**
     * Closes the reader, letting the requests already scheduled finish for up to 30 s
     * ({@link #close(long, TimeUnit)}). Idempotent.
     */
    @Override
    public void close() {
        close(30, TimeUnit.SECONDS);
    }

    /**
     * Closes the reader: refuses new requests at once (they fail with an
     * {@link IteratorClosedException} without taking a stage), wakes every thread waiting for a
     * stage of a pool or for a submission to a {@link RequestQueue} with an
     * {@link IteratorClosedException}, lets the requests already scheduled finish for up to
     * {@code wait} (their futures deliver as usual), then fails those still unfinished with an
     * {@link IteratorClosedException}, stops the workers and closes the file. It returns within
     * {@code wait} plus at most about 5 s for a read that cannot end (its worker is then
     * interrupted and a worker process killed). Idempotent.
     *
     * @param wait how long scheduled requests may still run
     * @param unit unit of {@code wait}
     */
    public void close(long wait, TimeUnit unit) {
        shutdown(StagePool.toNanos(wait, unit), false);
    }

    /**
     * Stops the reader at once: as {@link #close()}, but requests not yet finished are cancelled
     * (their futures fail with an {@link IteratorClosedException} now, and reads not yet started
     * never start). Idempotent; after a {@code close()} it cancels what that close still waits for.
     */
    public void stop() {
        shutdown(0, true);
    }

    private void shutdown(long waitNanos, boolean cancel) {
        String why = "the reader of " + run.file().name() + (cancel ? " was stopped" : " is closed");
        synchronized (life) {
            closed = true;
            StoreSource.unregister(this);
            life.close(why);
            run.shutdown(cancel); // with cancel, reads not started never start
        }
        boolean finished = life.awaitInFlight(waitNanos);
        if (!finished) {
            life.failInFlight(why);
        }
        synchronized (life) {
            if (fileClosed) {
                return;
            }
            fileClosed = true;
            run.close(cancel || !finished); // reads that outlived the wait get 5 s, as after a stop
        }
    }
}
