package org.multitables4j.internal.workers;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.multitables4j.IteratorClosedException;
import org.multitables4j.MultitablesException;
import org.multitables4j.internal.hdf5.Hdf5Array;
import org.multitables4j.internal.plan.EpochPlan;
import org.multitables4j.internal.ring.BufferAllocator;
import org.multitables4j.internal.ring.SlotRing;
import org.multitables4j.internal.ring.SlotRing.Slot;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Worker threads that execute the batches of an epoch plan and write them into ring slots.
 *
 * <p>A worker first takes a free slot, then claims the next batch index, so every claimed batch
 * owns a slot and the consumer waiting for batch {@code t} in order can never be starved by later
 * batches. A batch is a task {@code (epoch plan, batch index, slot)}: a pure description that a
 * process backend can execute the same way in another JVM over shared slot memory.
 *
 * <p>Workers are never interrupted (an interrupt closes the shared {@code FileChannel}); they
 * wait on conditions with a cancel flag instead. A worker's exception stops the epoch and is
 * rethrown to the consumer with its cause.
 */
public final class ThreadWorkers implements AutoCloseable {
    private final SlotRing ring;
    private final int workers;
    private final Source[] sources;
    private final Consumer<Slot> onFilled;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition slotFree = lock.newCondition();
    private final Condition ready = lock.newCondition();
    private final ArrayDeque<Slot> free = new ArrayDeque<>();
    private final ArrayDeque<Slot> readyQueue = new ArrayDeque<>();
    private final Slot[] readyByBatch;
    private final boolean[] held;
    private final AtomicLong busyNanos = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();
    private final int threadSeq;
    private final BlockIo[] decoders;
    private final java.util.function.IntFunction<BlockIo> ioFactory;
    private final BufferAllocator allocator;
    private final BatchFiller[][] scratch;

    private EpochPlan plan;
    private int nextClaim;
    private boolean cancelled = true;
    private boolean closed;
    private Throwable error;
    private int exited;

    /**
     * @param ring     the slots
     * @param workers  number of threads
     * @param sources  values from {@link #source}, one per array of a slot, in the ring's order
     * @param onFilled runs on the worker after a slot is filled (makes the DataSet, preprocessing)
     */
    public ThreadWorkers(SlotRing ring, int workers, List<Source> sources, Consumer<Slot> onFilled) {
        this(ring, workers, sources, onFilled, i -> BlockIo.local(), BufferAllocator.DIRECT);
    }

    /**
     * Workers whose reads go through {@code ioFactory}: on the worker threads themselves, or in
     * one child process per worker ({@link ChildPool#io}) with every buffer in shared memory.
     *
     * @param ring      the slots (from {@code allocator})
     * @param workers   number of worker threads
     * @param sources   values from {@link #source}, one per array of a slot, in the ring's order
     * @param onFilled  runs on the worker after a slot is filled (makes the DataSet, preprocessing)
     * @param ioFactory the reads of worker {@code i}; made once per worker and kept across epochs
     * @param allocator where scratch buffers come from
     */
    public ThreadWorkers(SlotRing ring, int workers, List<Source> sources, Consumer<Slot> onFilled,
                         java.util.function.IntFunction<BlockIo> ioFactory, BufferAllocator allocator) {
        this.ioFactory = ioFactory;
        this.allocator = allocator;
        this.ring = ring;
        this.workers = workers;
        this.sources = sources.toArray(new Source[0]);
        this.onFilled = onFilled;
        this.readyByBatch = new Slot[ring.size()];
        this.held = new boolean[ring.size()];
        for (int i = 0; i < ring.size(); i++) {
            free.add(ring.slot(i));
        }
        this.threadSeq = SEQ.incrementAndGet();
        this.decoders = new BlockIo[workers];
        this.scratch = new BatchFiller[workers][];
    }

    private static final java.util.concurrent.atomic.AtomicInteger SEQ = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * Starts the workers on an epoch. The previous epoch must have been stopped.
     *
     * @param p          the plan
     * @param firstBatch the first batch to execute (a resumed epoch skips the batches before)
     */
    public void start(EpochPlan p, int firstBatch) {
        lock.lock();
        try {
            if (closed) {
                throw new IteratorClosedException("the iterator is closed");
            }
            if (!threads.isEmpty()) {
                throw new IllegalStateException("an epoch is running");
            }
            plan = p;
            nextClaim = firstBatch;
            cancelled = false;
            error = null;
            exited = 0;
            readyQueue.clear();
            java.util.Arrays.fill(readyByBatch, null);
        } finally {
            lock.unlock();
        }
        for (Source s : sources) {
            if (!s.direct(p)) {
                for (Source.Part part : s.parts()) {
                    part.cache().startEpoch(p, firstBatch);
                }
            }
        }
        lock.lock();
        try {
            // under the lock, so that a close() from another thread either comes first (and this
            // start fails) or sees every thread to stop
            if (closed) {
                throw new IteratorClosedException("the iterator is closed");
            }
            for (int i = 0; i < workers; i++) {
                int index = i;
                Thread t = new Thread(() -> work(index), "multitables4j-" + threadSeq + "-worker-" + i);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops the epoch: cancels the workers, waits for them to exit and frees every slot that the
     * consumer does not hold. Safe to call repeatedly.
     */
    public void stop() {
        lock.lock();
        try {
            cancelled = true;
            slotFree.signalAll();
            ready.signalAll();
        } finally {
            lock.unlock();
        }
        for (Source s : sources) {
            for (Source.Part part : s.parts()) {
                part.cache().cancel();
            }
        }
        List<Thread> running;
        lock.lock();
        try {
            running = new ArrayList<>(threads);
        } finally {
            lock.unlock();
        }
        boolean interrupted = false;
        for (Thread t : running) {
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        lock.lock();
        try {
            threads.removeAll(running);
            free.clear();
            readyQueue.clear();
            java.util.Arrays.fill(readyByBatch, null);
            for (int i = 0; i < ring.size(); i++) {
                if (!held[i]) {
                    free.add(ring.slot(i));
                }
            }
        } finally {
            lock.unlock();
        }
        for (Source s : sources) {
            for (Source.Part part : s.parts()) {
                part.cache().clear();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits for a batch.
     *
     * @param batch the batch index wanted, or -1 for whichever is ready first
     * @return the slot holding it, now held by the consumer until {@link #release}
     * @throws MultitablesException with the worker's failure as cause, or
     *     {@link IteratorClosedException} when closed meanwhile
     */
    public Slot take(int batch) {
        lock.lock();
        try {
            while (true) {
                if (error != null) {
                    Throwable e = error;
                    if (e instanceof MultitablesException me) {
                        throw me;
                    }
                    throw new MultitablesException("A loader worker failed: " + e, e);
                }
                if (closed) {
                    throw new IteratorClosedException("the iterator was closed while waiting for a batch");
                }
                Slot s;
                if (batch < 0) {
                    s = readyQueue.poll();
                } else {
                    s = readyByBatch[batch % readyByBatch.length];
                    if (s != null && s.batch == batch) {
                        readyByBatch[batch % readyByBatch.length] = null;
                    } else {
                        s = null;
                    }
                }
                if (s != null) {
                    held[s.index()] = true;
                    return s;
                }
                if (cancelled || exited == workers) {
                    throw new IllegalStateException("no worker will deliver batch " + batch + " (epoch stopped)");
                }
                try {
                    ready.await(100, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new MultitablesException("Interrupted while waiting for a batch", e);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Gives a slot back to the workers.
     *
     * @param s a slot returned by {@link #take}
     */
    public void release(Slot s) {
        lock.lock();
        try {
            if (!held[s.index()]) {
                return;
            }
            held[s.index()] = false;
            s.payload = null;
            free.add(s);
            slotFree.signal();
        } finally {
            lock.unlock();
        }
    }

    /** @return nanoseconds workers spent filling batches, over all epochs */
    public long busyNanos() {
        return busyNanos.get();
    }

    /**
     * @return the counters of every block store read by these workers (a store shared with a
     *     reader counts the reader's requests too)
     */
    public BlockStats cacheStats() {
        BlockStats sum = BlockStats.ZERO;
        java.util.Set<BlockCache> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Source s : sources) {
            for (Source.Part part : s.parts()) {
                if (seen.add(part.cache())) {
                    sum = sum.plus(part.cache().stats());
                }
            }
        }
        return sum;
    }

    /** Stops the workers for good. Idempotent; wakes a waiting consumer. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            ready.signalAll();
        } finally {
            lock.unlock();
        }
        stop();
        synchronized (this) {
            for (int i = 0; i < decoders.length; i++) {
                if (decoders[i] != null) {
                    decoders[i].close();
                    decoders[i] = null;
                }
            }
        }
    }

    /**
     * Makes every worker's reader now rather than at its first batch, so that worker processes
     * start while the caller builds its network.
     */
    public void prepare() {
        for (int i = 0; i < workers; i++) {
            scratch(i);
        }
    }

    /**
     * Scratch of worker {@code index}, kept across epochs so that an epoch allocates no new
     * direct buffers (a decoder and fillers per epoch made direct memory saw-tooth with the GC).
     */
    private synchronized BatchFiller[] scratch(int index) {
        if (scratch[index] == null) {
            BlockIo dec = ioFactory.apply(index);
            decoders[index] = dec;
            scratch[index] = new BatchFiller[sources.length];
            RowGather gather = new RowGather(dec, allocator);
            for (int i = 0; i < sources.length; i++) {
                scratch[index][i] = new BatchFiller(sources[i], gather);
            }
        }
        return scratch[index];
    }

    private void work(int index) {
        BatchFiller[] fillers = scratch(index);
        BlockIo dec = decoders[index];
        int lookahead = Math.max(2 * ring.size(), lookaheadBatches);
        Slot s = null;
        try {
            while (true) {
                int b;
                int horizon;
                lock.lock();
                try {
                    while (true) {
                        if (cancelled || error != null || nextClaim >= plan.batches()) {
                            return;
                        }
                        s = free.poll();
                        if (s != null) {
                            b = nextClaim++;
                            horizon = b + lookahead;
                            break;
                        }
                        int h = nextClaim + lookahead;
                        lock.unlock();
                        boolean did;
                        try {
                            did = decodeAhead(dec, h);
                        } finally {
                            lock.lock();
                        }
                        if (!did && free.isEmpty() && !cancelled && error == null) {
                            slotFree.await(50, TimeUnit.MILLISECONDS);
                        }
                    }
                } finally {
                    lock.unlock();
                }
                long t0 = System.nanoTime();
                s.batch = b;
                s.rows = plan.batchRows(b);
                for (int i = 0; i < fillers.length; i++) {
                    fillers[i].fill(plan, b, s.array(i).memory(), horizon);
                }
                onFilled.accept(s);
                busyNanos.addAndGet(System.nanoTime() - t0);
                lock.lock();
                try {
                    if (cancelled) {
                        free.add(s);
                    } else if (readyByBatch.length > 0 && orderedDelivery) {
                        readyByBatch[b % readyByBatch.length] = s;
                    } else {
                        readyQueue.add(s);
                    }
                    s = null;
                    ready.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        } catch (EpochCancelled c) {
            // epoch stopped
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            lock.lock();
            try {
                if (error == null) {
                    error = t;
                }
                cancelled = true;
                slotFree.signalAll();
                ready.signalAll();
            } finally {
                lock.unlock();
            }
            for (Source src : sources) {
                for (Source.Part part : src.parts()) {
                    part.cache().cancel();
                }
            }
        } finally {
            lock.lock();
            try {
                if (s != null) {
                    free.add(s);
                }
                exited++;
                ready.signalAll();
                slotFree.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private volatile boolean orderedDelivery = true;
    private volatile int lookaheadBatches;

    /**
     * @param batches how many batches past the next unclaimed one idle workers may decode blocks
     *                for (at least two rings' worth is always allowed); a SHUFFLED epoch sets it to
     *                cover two shuffle windows so the next window is decoded before it is needed
     */
    public void lookahead(int batches) {
        this.lookaheadBatches = batches;
    }

    /**
     * @param ordered true: batches are taken by index ({@link #take} with a batch index);
     *                false: in completion order ({@code take(-1)})
     */
    public void orderedDelivery(boolean ordered) {
        this.orderedDelivery = ordered;
    }

    private boolean decodeAhead(BlockIo dec, int horizon) {
        for (Source s : sources) {
            if (!s.direct(plan)) {
                for (Source.Part part : s.parts()) {
                    if (part.cache().decodeAhead(dec, horizon)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
