package org.multitables4j.internal.workers;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.multitables4j.IteratorClosedException;
import org.multitables4j.MultitablesException;
import org.multitables4j.internal.plan.EpochPlan;
import org.multitables4j.internal.ring.BufferAllocator;
import org.multitables4j.internal.ring.ClaimOrder;
import org.multitables4j.internal.ring.Slot;
import org.multitables4j.internal.ring.SlotRing;

/**
 * Worker threads that execute the batches of an epoch plan and write them into ring slots.
 *
 * <p>Each worker claims a slot of the {@link SlotRing} (which hands it the next batch of the
 * epoch, in batch order), fills it and publishes it; the ring's protocol keeps ordered delivery
 * deadlock-free. While no slot is free a worker decodes blocks ahead. A batch is a task
 * {@code (epoch plan, batch index, slot)}: a pure description that a process backend can execute
 * the same way in another JVM over shared slot memory.
 *
 * <p>A batch that fails is published as failed, carrying its exception: the consumer gets it when
 * it takes that batch, after every batch before it, and the workers go on with later batches.
 *
 * <p>Workers are never interrupted (an interrupt closes the shared {@code FileChannel}); they
 * wait on conditions with a cancel flag instead.
 */
public final class ThreadWorkers implements AutoCloseable {
    private static final java.util.concurrent.atomic.AtomicInteger SEQ = new java.util.concurrent.atomic.AtomicInteger();

    private final SlotRing ring;
    private final int workers;
    private final Source[] sources;
    private final Function<Slot, Object> onFilled;
    private final AtomicLong busyNanos = new AtomicLong();
    private final List<Thread> threads = new ArrayList<>();
    private final int threadSeq;
    private final BlockIo[] decoders;
    private final java.util.function.IntFunction<BlockIo> ioFactory;
    private final BufferAllocator allocator;
    private final BatchFiller[][] scratch;
    private final ChunkSkips.Batch[] drops;
    private volatile ChunkSkips skips;
    private volatile boolean scatterWindows;
    /** The epoch's window scatter, or null when its batches are filled one by one. */
    private volatile WindowScatter scatter;
    private final ScatterWork scatterWork;

    private volatile EpochPlan plan;
    private volatile boolean cancelled = true;
    private boolean closed;
    private volatile boolean orderedDelivery = true;
    private volatile int lookaheadBatches;

    /**
     * @param ring     the slots
     * @param workers  number of threads
     * @param sources  sources, one per array of a slot, in the ring's order
     * @param onFilled runs on the worker after a slot is filled and makes what the consumer gets
     *                 (the DataSet, preprocessed)
     */
    public ThreadWorkers(SlotRing ring, int workers, List<Source> sources, Function<Slot, Object> onFilled) {
        this(ring, workers, sources, onFilled, i -> BlockIo.local(), BufferAllocator.DIRECT);
    }

    /**
     * Workers whose reads go through {@code ioFactory}: on the worker threads themselves, or in
     * one child process per worker ({@link ChildPool#io}) with every buffer in shared memory.
     *
     * @param ring      the slots (from {@code allocator})
     * @param workers   number of worker threads
     * @param sources   sources, one per array of a slot, in the ring's order
     * @param onFilled  runs on the worker after a slot is filled and makes what the consumer gets
     * @param ioFactory the reads of worker {@code i}; made once per worker and kept across epochs
     * @param allocator where scratch buffers come from
     */
    public ThreadWorkers(SlotRing ring, int workers, List<Source> sources, Function<Slot, Object> onFilled,
                         java.util.function.IntFunction<BlockIo> ioFactory, BufferAllocator allocator) {
        this.ioFactory = ioFactory;
        this.allocator = allocator;
        this.ring = ring;
        this.workers = workers;
        this.sources = sources.toArray(new Source[0]);
        this.onFilled = onFilled;
        this.threadSeq = SEQ.incrementAndGet();
        this.decoders = new BlockIo[workers];
        this.scratch = new BatchFiller[workers][];
        this.drops = new ChunkSkips.Batch[workers];
        this.scatterWork = new ScatterWork(ring, this.sources, onFilled, busyNanos, allocator, workers);
    }

    /**
     * Lets SHUFFLED epochs scatter each decoded block's rows straight into the slots of its
     * window's batches ({@link WindowScatter}) instead of gathering them from the block store.
     * The caller guarantees that the ring has room for the batches of a window besides the ones
     * the consumer holds; epochs that skip undecodable chunks keep the block store path. Call before the first epoch.
     */
    public void scatterWindows() {
        this.scatterWindows = true;
    }

    /**
     * Leaves the rows of chunks that cannot be decoded out of their batches instead of failing
     * the batch. Call before the first epoch.
     */
    public void skipCorruptChunks() {
        this.skips = new ChunkSkips();
    }

    /** @return chunks whose rows were left out (each once per epoch), 0 unless skipping */
    public long skippedChunks() {
        ChunkSkips k = skips;
        return k == null ? 0 : k.chunks();
    }

    /** @return rows left out of batches, 0 unless skipping */
    public long skippedRows() {
        ChunkSkips k = skips;
        return k == null ? 0 : k.rows();
    }

    /**
     * Starts the workers on an epoch. The previous epoch must have been stopped.
     *
     * @param p          the plan
     * @param firstBatch the first batch to execute (a resumed epoch skips the batches before)
     */
    public void start(EpochPlan p, int firstBatch) {
        synchronized (threads) {
            if (closed) {
                throw new IteratorClosedException("the iterator is closed");
            }
            if (!threads.isEmpty()) {
                throw new IllegalStateException("an epoch is running");
            }
        }
        for (Source s : sources) {
            if (!s.direct(p)) {
                for (Source.Part part : s.parts()) {
                    part.cache().startEpoch(p, firstBatch);
                }
            }
        }
        synchronized (threads) {
            // under the lock, so that a close() from another thread either comes first (and this
            // start fails) or sees every thread to stop
            if (closed) {
                throw new IteratorClosedException("the iterator is closed");
            }
            if (skips != null && p != plan) {
                skips.startEpoch(); // not when the same epoch starts again after a failed batch
            }
            plan = p;
            int[] sc = scatterWindows && skips == null ? WindowScatter.scatterable(p, sources) : new int[0];
            scatter = sc.length == 0 ? null : new WindowScatter(p, firstBatch, sources, sc, ring.size());
            cancelled = false;
            ring.open(ClaimOrder.sequential(firstBatch, p.batches()), orderedDelivery, workers);
            for (int i = 0; i < workers; i++) {
                int index = i;
                Thread t = new Thread(() -> work(index), "multitables4j-" + threadSeq + "-worker-" + i);
                t.setDaemon(true);
                threads.add(t);
                t.start();
            }
        }
    }

    /**
     * Stops the epoch: cancels the workers, waits for them to exit and frees every slot that the
     * consumer does not hold. Safe to call repeatedly.
     */
    public void stop() {
        cancelled = true;
        ring.stop();
        for (Source s : sources) {
            for (Source.Part part : s.parts()) {
                part.cache().cancel();
            }
        }
        List<Thread> running;
        synchronized (threads) {
            running = new ArrayList<>(threads);
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
        synchronized (threads) {
            threads.removeAll(running);
        }
        ring.reclaim();
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
     * @throws MultitablesException the failure of that batch (as thrown by the worker when it is
     *     one), or {@link IteratorClosedException} when closed meanwhile
     */
    public Slot take(int batch) {
        return ring.take(batch);
    }

    /**
     * Gives a slot back to the workers.
     *
     * @param s a slot returned by {@link #take}
     */
    public void release(Slot s) {
        ring.release(s);
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
        synchronized (threads) {
            closed = true;
        }
        ring.close();
        stop();
        for (Source s : sources) {
            for (Source.Part part : s.parts()) {
                part.cache().close(); // no worker runs any more
            }
        }
        scatterWork.close();
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
            if (skips != null) {
                drops[index] = skips.batch();
                gather.skipCorrupt(drops[index]);
            }
            for (int i = 0; i < sources.length; i++) {
                scratch[index][i] = new BatchFiller(sources[i], gather);
            }
        }
        return scratch[index];
    }

    private void work(int index) {
        BatchFiller[] fillers = scratch(index);
        BlockIo dec = decoders[index];
        EpochPlan p = plan;
        int lookahead = Math.max(2 * ring.size(), lookaheadBatches);
        WindowScatter sc = scatter;
        if (sc != null) {
            WindowScatter.Scratch buf = scatterWork.scratch(index, sc);
            runWorker(() -> scatterWork.run(p, sc, fillers, dec, buf, lookahead, () -> cancelled,
                    horizon -> decodeAhead(p, dec, horizon)));
        } else {
            runWorker(() -> fillBatches(p, fillers, dec, drops[index], lookahead));
        }
    }

    /** The body of a worker's epoch. */
    private interface WorkerBody {
        void run() throws InterruptedException;
    }

    /** Runs a worker's epoch; however it ends, the ring learns that this producer is gone. */
    private void runWorker(WorkerBody body) {
        Throwable fatal = null;
        try {
            body.run();
        } catch (EpochCancelled c) {
            // epoch stopped
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error t) {
            fatal = t;
        } finally {
            ring.producerExited(fatal);
        }
    }

    /** Claims batches one by one and fills each slot (every order but a scattered SHUFFLED). */
    private void fillBatches(EpochPlan p, BatchFiller[] fillers, BlockIo dec, ChunkSkips.Batch dropped, int lookahead)
            throws InterruptedException {
        while (true) {
            Slot s = ring.claim(next -> !cancelled && decodeAhead(p, dec, next + lookahead));
            if (s == null) {
                return;
            }
            int b = s.batch();
            try {
                long t0 = System.nanoTime();
                if (dropped != null) {
                    dropped.reset();
                }
                for (int i = 0; i < fillers.length; i++) {
                    fillers[i].fill(p, b, s.array(i).memory(), b + lookahead);
                }
                int rows = p.batchRows(b);
                int[] gone = null;
                if (dropped != null && dropped.any()) {
                    gone = dropped.compact(s, rows);
                    rows -= gone.length;
                }
                ring.publish(s, rows, gone, rows == 0 ? null : onFilled);
                busyNanos.addAndGet(System.nanoTime() - t0);
            } catch (EpochCancelled c) {
                ring.abandon(s);
                return;
            } catch (RuntimeException | Error e) {
                // this batch only: the consumer gets the error when it takes the batch, after
                // every batch before it; later batches go on
                ring.fail(s, e);
            }
        }
    }


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

    private boolean decodeAhead(EpochPlan p, BlockIo dec, int horizon) {
        WindowScatter sc = scatter;
        for (int i = 0; i < sources.length; i++) {
            Source s = sources[i];
            if ((sc == null || !sc.scatters(i)) && !s.direct(p)) {
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
