package org.multitables4j.internal.workers;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.IntPredicate;
import org.multitables4j.internal.plan.EpochPlan;
import org.multitables4j.internal.ring.BufferAllocator;
import org.multitables4j.internal.ring.Slot;
import org.multitables4j.internal.ring.SlotRing;

/**
 * What a worker thread does in a scattered SHUFFLED epoch ({@link WindowScatter}): it attaches
 * the slots it claims to the scatter and runs its block jobs, lowest window first; the worker
 * that finishes a window's last job fills the other arrays of the batches it completed (labels
 * chunked otherwise, through their block stores) and publishes them. Holds each worker's scratch
 * buffer across epochs.
 */
final class ScatterWork {
    private final SlotRing ring;
    private final Source[] sources;
    private final Function<Slot, Object> onFilled;
    private final AtomicLong busyNanos;
    private final BufferAllocator allocator;
    private final WindowScatter.Scratch[] scratch;

    /**
     * @param ring      the slots
     * @param sources   sources, one per array of a slot
     * @param onFilled  makes what the consumer gets from a filled slot
     * @param busyNanos where the workers' busy time is added
     * @param allocator where the scratch buffers come from (shared memory with worker processes)
     * @param workers   worker threads
     */
    ScatterWork(SlotRing ring, Source[] sources, Function<Slot, Object> onFilled, AtomicLong busyNanos,
                BufferAllocator allocator, int workers) {
        this.ring = ring;
        this.sources = sources;
        this.onFilled = onFilled;
        this.busyNanos = busyNanos;
        this.allocator = allocator;
        this.scratch = new WindowScatter.Scratch[workers];
    }

    /**
     * @param index the worker
     * @param sc    the epoch's scatter
     * @return the worker's buffers, with a block buffer large enough for the scattered sources
     */
    synchronized WindowScatter.Scratch scratch(int index, WindowScatter sc) {
        int bytes = sc.blockBytes();
        WindowScatter.Scratch s = scratch[index];
        if (s == null) {
            s = new WindowScatter.Scratch();
            scratch[index] = s;
        }
        if (s.block == null || s.block.capacity() < bytes) {
            if (s.block != null) {
                allocator.free(s.block);
            }
            s.block = allocator.allocate(bytes);
        }
        return s;
    }

    /** Frees the scratch buffers (no worker runs). */
    synchronized void close() {
        for (int i = 0; i < scratch.length; i++) {
            if (scratch[i] != null && scratch[i].block != null) {
                allocator.free(scratch[i].block);
            }
            scratch[i] = null;
        }
    }

    /**
     * One worker's epoch.
     *
     * @param p           the plan
     * @param sc          the epoch's scatter
     * @param fillers     the worker's fillers, one per source
     * @param dec         the worker's reads
     * @param buf         the worker's buffers
     * @param lookahead   batches ahead the other sources' stores may decode for
     * @param cancelled   true once the epoch is stopped
     * @param decodeAhead decodes one block of the other sources ahead, up to a batch horizon
     * @throws InterruptedException when interrupted while waiting for a slot
     */
    void run(EpochPlan p, WindowScatter sc, BatchFiller[] fillers, BlockIo dec, WindowScatter.Scratch buf,
             int lookahead, BooleanSupplier cancelled, IntPredicate decodeAhead) throws InterruptedException {
        WindowScatter.Done done = (s, error) -> finishBatch(p, sc, s, error, fillers, lookahead);
        while (!cancelled.getAsBoolean()) {
            if (runJob(sc, dec, buf, done)) {
                continue;
            }
            Slot s = ring.claim(next -> !cancelled.getAsBoolean()
                    && (runJob(sc, dec, buf, done) || decodeAhead.test(next + lookahead)));
            if (s == null) {
                while (!cancelled.getAsBoolean() && runJob(sc, dec, buf, done)) {
                    // the jobs of windows attached before the claims ended
                }
                return;
            }
            if (sc.attach(s)) {
                ring.wakeProducers();
            }
        }
    }

    private boolean runJob(WindowScatter sc, BlockIo dec, WindowScatter.Scratch buf, WindowScatter.Done done) {
        long t0 = System.nanoTime();
        boolean did = sc.runOne(dec, buf, done);
        if (did) {
            busyNanos.addAndGet(System.nanoTime() - t0);
        }
        return did;
    }

    /** Publishes (or fails) a batch whose scattered arrays are complete, after filling its others. */
    private void finishBatch(EpochPlan p, WindowScatter sc, Slot s, Throwable error, BatchFiller[] fillers, int lookahead) {
        if (error != null) {
            ring.fail(s, error);
            return;
        }
        int b = s.batch();
        try {
            for (int i = 0; i < fillers.length; i++) {
                if (!sc.scatters(i)) {
                    fillers[i].fill(p, b, s.array(i).memory(), b + lookahead);
                }
            }
            int rows = p.batchRows(b);
            ring.publish(s, rows, null, rows == 0 ? null : onFilled);
        } catch (EpochCancelled c) {
            throw c;
        } catch (RuntimeException | Error e) {
            ring.fail(s, e);
        }
    }
}
