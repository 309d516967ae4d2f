package org.multitables4j.internal.workers;

import java.nio.ByteBuffer;
import java.util.List;
import org.multitables4j.Backend;
import org.multitables4j.ProcessOptions;
import org.multitables4j.internal.ring.BufferAllocator;

/**
 * The one way a backend is assembled, for the streaming iterators and the Reader alike: where
 * slot and block memory comes from, and the reads of each worker thread (on the thread itself, or
 * in a child JVM paired with it, writing into shared memory).
 */
public final class WorkerBackend implements AutoCloseable {
    /**
     * Reads each streaming worker does itself at least while its child JVM starts
     * ({@link #readWhileChildrenStart}): enough for the first batches of the sequential orders.
     */
    public static final int READS_WHILE_STARTING = 4;
    /** The most reads a worker does itself while its child starts, whatever the window. */
    static final int MAX_READS_WHILE_STARTING = 64;
    private final SharedArena arena;
    private final ProcessOptions options;
    private volatile ChildPool children;

    private WorkerBackend(SharedArena arena, ProcessOptions options) {
        this.arena = arena;
        this.options = options;
    }

    /**
     * Makes the memory of a backend; worker processes start with {@link #startChildren}.
     *
     * @param backend threads or processes
     * @param options the processes' settings (ignored for threads)
     * @return the backend
     */
    public static WorkerBackend open(Backend backend, ProcessOptions options) {
        if (backend == Backend.PROCESSES) {
            ProcessOptions po = options == null ? ProcessOptions.defaults() : options;
            try {
                return new WorkerBackend(SharedArena.create(po.effectiveSharedMemoryDir(), 64 << 20), po);
            } catch (java.io.UncheckedIOException e) {
                throw new org.multitables4j.InvalidConfigurationException("cannot make the shared memory of the worker "
                        + "processes in " + po.effectiveSharedMemoryDir() + ": " + e.getCause().getMessage()
                        + "; choose a writable directory with sharedMemoryDir", e);
            }
        }
        return new WorkerBackend(null, options);
    }

    /** @return true with worker processes */
    public boolean processes() {
        return arena != null;
    }

    /**
     * Starts the pool of worker processes (no-op for threads).
     *
     * @param datasets the datasets the children read, or an empty list when they are registered
     *                 on demand ({@link #register})
     * @param file     the file named in messages (for a pool whose datasets come later): a path
     *                 or a URI
     * @return this backend
     */
    public WorkerBackend startChildren(List<ChildPool.Dataset> datasets, String file) {
        if (arena != null && children == null) {
            ChildPool p = datasets.isEmpty()
                    ? new ChildPool(file, arena, options.jvmOptions(), options.restarts())
                    : new ChildPool(datasets, arena, options.jvmOptions(), options.restarts());
            children = p.readTimeout(options.readTimeout());
        }
        return this;
    }

    /**
     * Overlaps the children's first start with reads on the worker threads themselves (see
     * {@link ChildPool#readWhileStarting}): the first batches do not wait for the JVM start. Set
     * by the streaming engines after {@link #startChildren}, before the workers' first reads;
     * no-op for threads.
     *
     * @param windowBlocks the blocks the first batch may gather from (a shuffle window), or 0:
     *                     each worker may read up to that many blocks itself (at least
     *                     {@link #READS_WHILE_STARTING}, at most 64), so that the first batch of a
     *                     window-shuffled order need not wait for a child either
     * @return this backend
     */
    public WorkerBackend readWhileChildrenStart(int windowBlocks) {
        ChildPool c = children;
        if (c != null) {
            c.readWhileStarting(Math.max(READS_WHILE_STARTING, Math.min(windowBlocks, MAX_READS_WHILE_STARTING)));
        }
        return this;
    }

    /**
     * Tells running and future children about a dataset opened on demand (no-op for threads).
     *
     * @param dataset the dataset
     */
    public void register(ChildPool.Dataset dataset) {
        if (children != null) {
            children.register(dataset);
        }
    }

    /**
     * @param bytes  a block store budget
     * @param stores how many stores share the memory
     * @return the budget, lowered to what the shared-memory directory can hold (threads: as is)
     */
    public long fitCacheBytes(long bytes, int stores) {
        return arena == null ? bytes : arena.fitCacheBytes(bytes, stores);
    }

    /** @return where slots come from: shared memory with processes, else direct buffers */
    public BufferAllocator slotAllocator() {
        return arena != null ? arena : BufferAllocator.DIRECT;
    }

    /**
     * @param heap with threads, take blocks from the heap (the Reader's blocks never reach
     *             ND4J) instead of direct memory
     * @return where decoded blocks and scratch come from
     */
    public BufferAllocator blockAllocator(boolean heap) {
        if (arena != null) {
            return arena;
        }
        return heap ? ByteBuffer::allocate : BufferAllocator.DIRECT;
    }

    /**
     * @param index the worker
     * @return reads for worker {@code index}: its child's, or the thread's own
     */
    public BlockIo io(int index) {
        return children != null ? children.io(index) : BlockIo.local();
    }

    /** @return process ids of the children alive now (empty for threads) */
    public List<Long> pids() {
        return children == null ? List.of() : children.pids();
    }

    /** @return children restarted after dying */
    public long restarts() {
        return children == null ? 0 : children.restarts();
    }

    /** Ends the children first (so that no worker stays blocked on one), then frees the shared memory. */
    @Override
    public void close() {
        ChildPool c = children;
        if (c != null) {
            c.close();
        }
        if (arena != null) {
            arena.close();
        }
    }

    /** Ends the children only, leaving the memory mapped (a worker may still be copying). */
    public void closeChildren() {
        ChildPool c = children;
        if (c != null) {
            c.close();
        }
    }
}
