package org.multitables4j.internal.ring;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.IntPredicate;
import org.multitables4j.IteratorClosedException;
import org.multitables4j.MultitablesException;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A fixed set of off-heap slots, each holding one batch: features and (optionally) labels.
 *
 * <p>Each slot's memory is a 64-byte aligned direct {@link ByteBuffer} in native byte order.
 * The INDArray views over it are made once, through a JavaCPP pointer to the same memory
 * ({@code Nd4j.createBuffer(Pointer, length, type)}), so a worker that writes into the buffer
 * writes into the array the network reads: no copy between the loader and DL4J. (The
 * {@code ByteBuffer} overloads of {@code Nd4j.createBuffer} copy; they are not used.)
 *
 * <p>With worker processes the slots are slices of a shared-memory file ({@link BufferAllocator}),
 * mapped by the parent and every child, so a child writes the rows the parent's INDArrays see.
 *
 * <h2>Protocol</h2>
 * The ring owns the life of every slot: <b>claim</b> (a producer takes a free slot and, with it,
 * the next batch of the {@link ClaimOrder}), <b>publish</b> (filled: the consumer may take it) or
 * <b>fail</b> (the batch could not be made: the consumer gets the exception when it takes that
 * batch, and the batches before it are unaffected), <b>take</b> (the consumer, by batch index or
 * in completion order) and <b>release</b> (back to the producers). Because a producer takes a
 * slot before it learns its batch, every claimed batch owns a slot, and in-order delivery cannot
 * deadlock for any ring size (see {@link ClaimOrder}). The ring decides nothing about which batch
 * comes next, and nothing about how a slot is filled.
 *
 * <p>An epoch is {@link #open opened} with its claim order and number of producers, {@link #stop
 * stopped} (every wait ends) and, once the producers are gone, {@link #reclaim reclaimed}: every
 * slot the consumer does not hold is free again.
 */
public final class SlotRing {
    /** Memory layout of one array of a slot: element type and the shape of one row. */
    public record ArraySpec(DataType type, long[] rowShape) {
        /** @return elements per row */
        public long rowElements() {
            long n = 1;
            for (long d : rowShape) {
                n = Math.multiplyExact(n, d);
            }
            return n;
        }

        /** @return bytes per row */
        public long rowBytes() {
            return Math.multiplyExact(rowElements(), (long) type.width());
        }
    }

    private final Slot[] slots;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition freed = lock.newCondition();
    private final Condition published = lock.newCondition();
    private final ArrayDeque<Slot> free = new ArrayDeque<>();
    /** Published slots in completion order (delivery in completion order only). */
    private final ArrayDeque<Slot> completed = new ArrayDeque<>();
    private ClaimOrder claims = ClaimOrder.NONE;
    private boolean inSequence = true;
    private boolean stopped = true;
    /** A batch failed in an in-sequence epoch: every batch before it is claimed already, no more claims. */
    private boolean claimsClosed;
    private boolean closed;
    private int producers;
    private Throwable producerError;

    /**
     * Makes the slots; the memory of each is allocated on its first use.
     *
     * @param count     number of slots
     * @param batchRows rows per slot
     * @param arrays    layout of each array of a slot (e.g. features, then labels)
     */
    public SlotRing(int count, int batchRows, java.util.List<ArraySpec> arrays) {
        this(count, batchRows, arrays, BufferAllocator.DIRECT);
    }

    /**
     * Makes the slots, whose memory comes from {@code allocator} (a shared-memory file for worker
     * processes) on each slot's first use, or now where the allocator says
     * {@link BufferAllocator#allocateOnFirstUse} no.
     *
     * @param count     number of slots
     * @param batchRows rows per slot
     * @param arrays    layout of each array of a slot (e.g. features, then labels)
     * @param allocator where the slot memory comes from
     */
    public SlotRing(int count, int batchRows, java.util.List<ArraySpec> arrays, BufferAllocator allocator) {
        if (count < 1 || batchRows < 1 || arrays.isEmpty()) {
            throw new IllegalArgumentException("need at least one slot of one row and one array");
        }
        slots = new Slot[count];
        for (int i = 0; i < count; i++) {
            slots[i] = new Slot(i, batchRows, arrays, allocator);
            free.add(slots[i]);
            if (!allocator.allocateOnFirstUse()) {
                slots[i].features();
            }
        }
    }

    /** @return the number of slots */
    public int size() {
        return slots.length;
    }

    /**
     * @param i slot index
     * @return the slot
     */
    public Slot slot(int i) {
        return slots[i];
    }

    /** @return off-heap bytes of the slots, once each has been used (a slot is allocated on first use) */
    public long bytes() {
        long b = 0;
        for (Slot s : slots) {
            b += s.bytes();
        }
        return b;
    }

    /**
     * Starts an epoch. The previous one must have been stopped and reclaimed (or none run yet).
     *
     * @param claims     which batch each claim gets
     * @param inSequence true: the consumer takes batches by index; false: in completion order
     * @param producers  threads that will claim, each calling {@link #producerExited} once
     * @throws IteratorClosedException when the ring was closed
     */
    public void open(ClaimOrder claims, boolean inSequence, int producers) {
        lock.lock();
        try {
            if (closed) {
                throw new IteratorClosedException("the iterator is closed");
            }
            this.claims = claims;
            this.inSequence = inSequence;
            this.producers = producers;
            this.producerError = null;
            this.stopped = false;
            this.claimsClosed = false;
            completed.clear();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Claims a free slot and, with it, the next batch of the claim order ({@link Slot#batch()}).
     * While no slot is free, {@code whileFull} runs without the ring's lock, given the batch the
     * next claim would get; when it did nothing useful (returns false) the producer waits for a
     * release.
     *
     * @param whileFull work to do while waiting (decoding ahead), or null
     * @return the claimed slot, or null when no batch is left or the epoch is stopped
     * @throws InterruptedException when interrupted while waiting
     */
    public Slot claim(IntPredicate whileFull) throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                int next = claims.peek();
                if (stopped || claimsClosed || next < 0) {
                    return null;
                }
                Slot s = free.poll();
                if (s != null) {
                    claims.advance();
                    s.claimed(next);
                    return s;
                }
                boolean did = false;
                if (whileFull != null) {
                    lock.unlock();
                    try {
                        did = whileFull.test(next);
                    } finally {
                        lock.lock();
                    }
                }
                if (!did && free.isEmpty() && !stopped) {
                    freed.await(50, TimeUnit.MILLISECONDS);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Wakes producers waiting in {@link #claim} for a free slot, so that they look again for
     * other work (a shuffle window whose slots are now all claimed).
     */
    public void wakeProducers() {
        lock.lock();
        try {
            freed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Publishes a filled slot. {@code wrap} runs first, on the calling producer, and may throw:
     * the slot then stays claimed, for {@link #fail} or {@link #abandon}.
     *
     * @param s       a slot from {@link #claim}
     * @param rows    rows of the batch
     * @param dropped positions left out of the batch (ascending), or null
     * @param wrap    makes the payload the consumer gets (views, preprocessing), or null
     */
    public void publish(Slot s, int rows, int[] dropped, Function<Slot, Object> wrap) {
        s.filled(rows, dropped);
        Object p = wrap == null ? null : wrap.apply(s);
        lock.lock();
        try {
            expect(s, Slot.State.CLAIMED);
            if (stopped) {
                freeLocked(s);
                return;
            }
            s.payload(p);
            s.state(Slot.State.READY);
            if (!inSequence) {
                completed.add(s);
            }
            published.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Publishes a batch that could not be made: the consumer that takes it gets {@code error}.
     * When the consumer takes batches by index, no batch is claimed after this one (the consumer
     * stops at the failed batch, and every batch before it was claimed before it); in completion
     * order the epoch goes on.
     *
     * @param s     a slot from {@link #claim}
     * @param error why
     */
    public void fail(Slot s, Throwable error) {
        lock.lock();
        try {
            expect(s, Slot.State.CLAIMED);
            if (stopped) {
                freeLocked(s);
                return;
            }
            s.error(error);
            s.payload(null);
            s.state(Slot.State.FAILED);
            if (!inSequence) {
                completed.add(s);
            } else {
                // the consumer stops at this batch; the ones before it are all claimed already
                claimsClosed = true;
                freed.signalAll();
            }
            published.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Gives a claimed slot back unfilled (the epoch was stopped while it was being filled).
     *
     * @param s a slot from {@link #claim}
     */
    public void abandon(Slot s) {
        freeIf(s, Slot.State.CLAIMED);
    }

    /**
     * A producer of the epoch is gone. When all are gone, a consumer waiting for a batch nobody
     * published gets {@code error} (or an {@link IllegalStateException}).
     *
     * @param error why it ended early, or null
     */
    public void producerExited(Throwable error) {
        lock.lock();
        try {
            producers--;
            if (error != null && producerError == null) {
                producerError = error;
            }
            published.signalAll();
            freed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits for a published batch and hands its slot to the consumer, who holds it until
     * {@link #release}. A batch published as failed frees its slot and throws its error.
     *
     * @param batch the batch wanted, or -1 for whichever was published first
     * @return the slot
     * @throws MultitablesException the failed batch's error (as is when it is one), or
     *     {@link IteratorClosedException} when the ring is closed meanwhile
     * @throws IllegalStateException when the epoch is stopped, or every producer is gone without
     *     an error, before the batch was published
     */
    public Slot take(int batch) {
        lock.lock();
        try {
            while (true) {
                if (closed) {
                    throw new IteratorClosedException("the iterator was closed while waiting for a batch");
                }
                Slot s = batch < 0 ? completed.poll() : published(batch);
                if (s != null) {
                    if (s.state() == Slot.State.FAILED) {
                        Throwable e = s.error();
                        freeLocked(s);
                        throw unchecked(e);
                    }
                    s.state(Slot.State.HELD);
                    return s;
                }
                if (stopped) {
                    throw new IllegalStateException("no batch " + batch + ": the epoch was stopped");
                }
                if (producers <= 0) {
                    if (producerError != null) {
                        throw unchecked(producerError);
                    }
                    throw new IllegalStateException("no producer is left to publish batch " + batch);
                }
                try {
                    published.await(100, TimeUnit.MILLISECONDS);
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
     * Gives a slot the consumer holds back to the producers; a slot not held is left alone.
     *
     * @param s a slot from {@link #take}
     */
    public void release(Slot s) {
        freeIf(s, Slot.State.HELD);
    }

    /** Frees {@code s} when it is in {@code state}; leaves it alone otherwise. */
    private void freeIf(Slot s, Slot.State state) {
        lock.lock();
        try {
            if (s.state() == state) {
                freeLocked(s);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Stops the epoch: claims return null, waits end; published slots are dropped at {@link #reclaim}. */
    public void stop() {
        lock.lock();
        try {
            stopped = true;
            freed.signalAll();
            published.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** After {@link #stop} and once no producer runs: every slot the consumer does not hold is free. */
    public void reclaim() {
        lock.lock();
        try {
            completed.clear();
            for (Slot s : slots) {
                if (s.state() != Slot.State.HELD && s.state() != Slot.State.FREE) {
                    freeLocked(s);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Stops for good: waits end, {@link #take} and {@link #open} throw {@link IteratorClosedException}. */
    public void close() {
        lock.lock();
        try {
            closed = true;
        } finally {
            lock.unlock();
        }
        stop();
    }

    private Slot published(int batch) {
        for (Slot s : slots) {
            if (s.batch() == batch && (s.state() == Slot.State.READY || s.state() == Slot.State.FAILED)) {
                return s;
            }
        }
        return null;
    }

    private void freeLocked(Slot s) {
        completed.remove(s);
        s.state(Slot.State.FREE);
        s.payload(null);
        s.error(null);
        free.add(s);
        freed.signal();
    }

    private static void expect(Slot s, Slot.State st) {
        if (s.state() != st) {
            throw new IllegalStateException("slot " + s.index() + " is " + s.state() + ", not " + st);
        }
    }

    private static RuntimeException unchecked(Throwable e) {
        if (e instanceof RuntimeException r) {
            return r;
        }
        if (e instanceof Error err) {
            throw err;
        }
        return new MultitablesException("A loader worker failed: " + e, e);
    }

}
