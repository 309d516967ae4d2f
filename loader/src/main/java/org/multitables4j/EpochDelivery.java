package org.multitables4j;

import java.util.ArrayDeque;
import org.multitables4j.internal.plan.EpochPlan;
import org.multitables4j.internal.ring.Slot;
import org.multitables4j.internal.workers.ThreadWorkers;

/**
 * The consumer's side of the epochs of a {@link StreamEngine}: takes the batches of the current
 * plan from the workers (by index in the in-sequence orders, in completion order otherwise),
 * keeps the last {@code holdBatches} slots, passes over batches that lost every row to skipped
 * chunks, and keeps the cursor that {@code state()} reports: the next batch to deliver.
 *
 * <p>A batch that failed is thrown by {@link #next()} after every batch before it. In the
 * resumable orders the cursor stays on it and the workers stop, so the next call starts them
 * again at that batch; in AS_AVAILABLE the failure takes the batch's place and the epoch goes on.
 * Single consumer.
 */
final class EpochDelivery {
    private final ThreadWorkers workers;
    private final boolean inSequence;
    private final boolean resumable;
    private final boolean skipping;
    private final int keep;
    private final long rowBytes;
    private final ArrayDeque<Slot> held = new ArrayDeque<>();

    private EpochPlan plan;
    private int cursor;
    private boolean running;
    /** The plan the workers were last started on (a failed batch starts them again on the same). */
    private EpochPlan startedPlan;
    /** With SKIP, the next batch, taken ahead by {@link #hasNext()} (a batch may lose every row). */
    private Slot pending;
    /** The failure {@link #hasNext()} met while looking ahead, thrown by the next {@link #next()}. */
    private RuntimeException pendingError;
    private int lastBatch = -1;
    /** Positions left out of the last batch delivered (skipped chunks), or null. */
    private int[] lastDropped;

    private long startNanos = -1;
    private long rows;
    private long batches;
    private long bytes;
    private long waitNanos;
    private long epochsStarted;

    /**
     * @param workers  the workers
     * @param cfg      the options (order, holdBatches, copyBatches, onCorruptChunk)
     * @param rowBytes bytes of one delivered row over all arrays, for the counters
     */
    EpochDelivery(ThreadWorkers workers, StreamOptions<?> cfg, long rowBytes) {
        this.workers = workers;
        this.inSequence = cfg.order.inSequence();
        this.resumable = cfg.order.resumable();
        this.skipping = cfg.corruptChunks == CorruptChunkPolicy.SKIP;
        this.keep = cfg.copyBatches ? 0 : cfg.holdBatches - 1;
        this.rowBytes = rowBytes;
    }

    /**
     * Starts delivering an epoch (the workers start with the first batch taken).
     *
     * @param p          its plan
     * @param firstBatch the first batch to deliver (a resumed epoch)
     */
    void begin(EpochPlan p, int firstBatch) {
        plan = p;
        cursor = Math.min(firstBatch, p.batches());
        lastBatch = -1;
        lastDropped = null;
    }

    /** @return the next batch to deliver (a batch taken ahead by {@link #hasNext()} is not delivered yet) */
    int cursor() {
        return cursor;
    }

    /** @return whether this epoch has a batch left to deliver (or a failure to throw) */
    boolean hasNext() {
        if (pending != null || pendingError != null) {
            return true;
        }
        if (cursor >= plan.batches() || !skipping) {
            return cursor < plan.batches();
        }
        // with SKIP a batch whose rows all lie in undecodable chunks is not delivered: look ahead
        try {
            pending = fetch();
        } catch (RuntimeException e) {
            pendingError = e;
            return true;
        }
        return pending != null;
    }

    /**
     * Waits for the next batch of this epoch. The slot stays valid until {@code holdBatches}
     * later calls, or is released at once in copy mode by {@link #releaseNow(Slot)}.
     *
     * @return the slot, or null when the epoch has no batch left with rows
     */
    Slot next() {
        if (pendingError != null) {
            RuntimeException e = pendingError;
            pendingError = null;
            throw e;
        }
        Slot s = pending;
        pending = null;
        releaseHeld(keep);
        if (s == null) {
            s = fetch();
            if (s == null) {
                return null;
            }
        }
        cursor++;
        lastBatch = s.batch();
        int[] gone = s.dropped();
        lastDropped = gone == null || gone.length == 0 ? null : gone;
        rows += s.rows();
        batches++;
        bytes += s.rows() * rowBytes;
        held.add(s);
        return s;
    }

    /**
     * Takes the next batch of this epoch that has rows, starting the workers when they are not
     * running; batches that lost every row to skipped chunks are passed over.
     */
    private Slot fetch() {
        while (cursor < plan.batches()) {
            if (!running) {
                workers.start(plan, cursor);
                running = true;
                if (startedPlan != plan) {
                    epochsStarted++;
                    startedPlan = plan;
                }
                if (startNanos < 0) {
                    startNanos = System.nanoTime();
                }
            }
            long t0 = System.nanoTime();
            Slot s;
            try {
                s = workers.take(inSequence ? cursor : -1);
            } catch (IteratorClosedException e) {
                throw e;
            } catch (RuntimeException e) {
                if (resumable) {
                    // the cursor stays on the failed batch; the next call tries it again
                    workers.stop();
                    running = false;
                } else {
                    cursor++;
                }
                throw e;
            } finally {
                waitNanos += System.nanoTime() - t0;
            }
            if (s.rows() > 0) {
                return s;
            }
            workers.release(s);
            cursor++;
        }
        return null;
    }

    /**
     * Ends the epoch: gives back every slot and stops the workers.
     *
     * @return whether the epoch got past its first batch
     */
    boolean end() {
        if (pending != null) {
            workers.release(pending);
            pending = null;
        }
        pendingError = null;
        releaseHeld(0);
        if (running) {
            workers.stop();
            running = false;
        }
        boolean moved = plan != null && cursor > 0;
        plan = null;
        lastBatch = -1;
        lastDropped = null;
        return moved;
    }

    private void releaseHeld(int n) {
        while (held.size() > n) {
            workers.release(held.poll());
        }
    }

    /** Gives back the most recent slot at once (copy mode, after copying). */
    void releaseNow(Slot s) {
        held.remove(s);
        workers.release(s);
    }

    /** @return the dataset rows of the last batch delivered, in order, or null before the first */
    long[] lastIndices() {
        if (lastBatch < 0 || plan == null) {
            return null;
        }
        int n = plan.batchRows(lastBatch);
        long[] r = new long[n - (lastDropped == null ? 0 : lastDropped.length)];
        int w = 0;
        int d = 0;
        for (int k = 0; k < n; k++) {
            if (lastDropped != null && d < lastDropped.length && lastDropped[d] == k) {
                d++;
                continue;
            }
            r[w++] = plan.row(lastBatch, k);
        }
        return r;
    }

    /**
     * @param cache the block stores' counters
     * @return the counters since the first batch was asked for
     */
    IteratorStats stats(CacheStats cache) {
        long wall = startNanos < 0 ? 0 : System.nanoTime() - startNanos;
        return new IteratorStats(rows, batches, bytes, wall, waitNanos, workers.busyNanos(),
                cache.blocksDecoded(), cache.blocksNeeded(), epochsStarted, cache, workers.skippedChunks(),
                workers.skippedRows());
    }
}
