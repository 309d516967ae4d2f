package org.multitables4j.reader;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.multitables4j.Backend;
import org.multitables4j.InvalidConfigurationException;
import org.multitables4j.ProcessOptions;
import org.multitables4j.RemoteOptions;
import org.multitables4j.internal.hdf5.ByteSources;
import org.multitables4j.internal.hdf5.Hdf5Array;
import org.multitables4j.internal.hdf5.Hdf5File;
import org.multitables4j.internal.ring.BufferAllocator;
import org.multitables4j.internal.workers.BlockCache;
import org.multitables4j.internal.workers.BlockIo;
import org.multitables4j.internal.workers.ChildPool;
import org.multitables4j.internal.workers.Defaults;
import org.multitables4j.internal.workers.FileIdentity;
import org.multitables4j.internal.workers.RowGather;
import org.multitables4j.internal.workers.WorkerBackend;

/**
 * What runs under one {@link Hdf5Reader}: the open file, the backend (worker threads, or worker
 * processes that do the reads and decodes), the worker threads that run requests, each thread's
 * row gather and reads, the block store of each dataset; and the order in which all of it is
 * shut down. The reader keeps the public side (datasets, requests, close and stop).
 */
final class ReaderWorkers {
    private static final AtomicInteger SEQ = new AtomicInteger();

    private final Hdf5File file;
    private final WorkerBackend backend;
    private final ExecutorService pool;
    private final int workers;
    private final long cacheBytes;
    private final AtomicInteger nextChild = new AtomicInteger();
    private final ThreadLocal<RowGather> gathers;
    private final List<BlockIo> ios = new CopyOnWriteArrayList<>();

    /**
     * Opens the file and starts the backend and the worker threads.
     *
     * @param path       a local file, or null
     * @param uri        a file named by a URI, or null
     * @param remote     how a remote file is read
     * @param workers    worker threads
     * @param cacheBytes decoded bytes kept per dataset, -1 for the default rule
     * @param backend    where reads and decodes run
     * @param po         the worker processes' settings
     */
    ReaderWorkers(Path path, URI uri, RemoteOptions remote, int workers, long cacheBytes, Backend backend,
                  ProcessOptions po) {
        if (workers < 1) {
            throw new InvalidConfigurationException("workers must be at least 1, got " + workers);
        }
        if (backend == null) {
            throw new InvalidConfigurationException("backend must not be null");
        }
        if (cacheBytes < -1) {
            throw new InvalidConfigurationException("cacheBytes must not be negative, got " + cacheBytes);
        }
        Path local = uri == null ? path : localPath(uri);
        // a local file: its identity is recorded for the worker processes; a remote one is
        // identified by its length and modification time
        this.file = local != null ? FileIdentity.open(local) : Hdf5File.open(uri, remote);
        try {
            this.backend = WorkerBackend.open(backend, po).startChildren(List.of(), file.location());
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
        this.workers = workers;
        this.cacheBytes = cacheBytes;
        this.gathers = ThreadLocal.withInitial(() -> new RowGather(newIo(), blockAllocator(), !this.backend.processes()));
        int id = SEQ.incrementAndGet();
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "multitables4j-reader-" + id + "-" + n.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
        if (this.backend.processes()) {
            // start the worker processes now, while the caller prepares its requests
            for (int i = 0; i < workers; i++) {
                pool.execute(gathers::get);
            }
        }
    }

    private static Path localPath(URI uri) {
        if (uri == null) {
            throw new InvalidConfigurationException("the URI must not be null");
        }
        return ByteSources.localPath(uri.getScheme() == null ? uri.getPath() : uri.toString());
    }

    Hdf5File file() {
        return file;
    }

    WorkerBackend backend() {
        return backend;
    }

    ExecutorService pool() {
        return pool;
    }

    int workers() {
        return workers;
    }

    /** @return the calling thread's row gather (made on first use, with reads of its own) */
    RowGather gather() {
        return gathers.get();
    }

    /** @return reads of a new worker (a child process of its own with {@link Backend#PROCESSES}) */
    BlockIo newIo() {
        BlockIo io = backend.io(nextChild.getAndIncrement());
        ios.add(io);
        return io;
    }

    /** @return the allocator of decoded blocks: the heap, or the shared memory of worker processes */
    BufferAllocator blockAllocator() {
        return backend.blockAllocator(true);
    }

    /**
     * Registers a dataset with the backend and makes its block store: the reader's
     * {@code cacheBytes}, or by default the whole decoded dataset when it fits in half the heap
     * (else 256 MiB), at least one block, fitted to a small shared-memory directory.
     *
     * @param array  the dataset
     * @param path   its path
     * @param column its compound column, or null
     * @return the store, least recently used blocks evicted first
     */
    BlockCache store(Hdf5Array array, String path, String column) {
        backend.register(new ChildPool.Dataset(array, path, column));
        long decoded = Math.multiplyExact(array.rows(), (long) array.rowBytes());
        long budget = cacheBytes >= 0 ? Math.max(cacheBytes, array.blockBytes()) : Defaults.cacheBytes(-1, true, decoded,
                backend.processes() ? Long.MAX_VALUE / 4 : Defaults.heapAvailable());
        if (budget < array.blockBytes() && cacheBytes <= 0) {
            budget = array.blockBytes();
        }
        budget = backend.fitCacheBytes(budget, 1); // a small /dev/shm
        return BlockCache.lru(array, budget, blockAllocator());
    }

    /**
     * Refuses new work; with {@code cancel} work queued but not started never starts.
     *
     * @param cancel drop the queued reads
     */
    void shutdown(boolean cancel) {
        if (cancel) {
            ((ThreadPoolExecutor) pool).getQueue().clear();
        }
        pool.shutdown();
    }

    /**
     * Waits for the worker threads (5 s after a stop or when reads outlived a close's wait, else
     * 30 s; a worker waiting on a child that does not answer is then interrupted), then stops the
     * backend, closes every worker's reads and the file.
     *
     * @param cancelled true after a stop, or when reads outlived a close's wait
     */
    void close(boolean cancelled) {
        try {
            if (!pool.awaitTermination(cancelled ? 5 : 30, TimeUnit.SECONDS)) {
                backend.closeChildren();
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        backend.close();
        for (BlockIo io : ios) {
            io.close();
        }
        file.close();
    }
}
