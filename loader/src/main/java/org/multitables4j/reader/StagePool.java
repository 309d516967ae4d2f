package org.multitables4j.reader;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.multitables4j.InvalidConfigurationException;
import org.multitables4j.IteratorClosedException;
import org.multitables4j.MultitablesException;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Rotating stages of one dataset: a request takes the next free one, waiting if all are busy.
 * Any release of one of the pool's stages wakes the waiting requests at once. How long a request
 * waits is the pool's {@link #setTimeout timeout} (60 s unless set), or the one given to
 * {@link Hdf5Reader#request(Request, StagePool, long, TimeUnit)}; past it the request fails with a
 * {@link StageTimeoutException}. When the reader closes or stops, every waiting request (and
 * every later one) fails at once with an {@link org.multitables4j.IteratorClosedException}.
 * Thread-safe: any number of threads may request into one pool.
 */
public final class StagePool {
    /** Held here so that the reader's weak registry keeps it as long as this object lives. */
    private final ReaderLifecycle.Wakeable waker = this::readerClosed;
    private static final long DEFAULT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final Stage[] stages;
    private final String dataset;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition released = lock.newCondition();
    private volatile long timeoutNanos = DEFAULT_TIMEOUT_NANOS;
    private int next;
    /** Set when the reader closes: every wait (now and later) fails with this message. */
    private String closedWhy;

    StagePool(Hdf5Dataset dataset, int rows, int count, DataType type) {
        if (count < 1) {
            throw new InvalidConfigurationException("a pool needs at least one stage, not " + count);
        }
        this.dataset = dataset.path();
        stages = new Stage[count];
        for (int i = 0; i < count; i++) {
            stages[i] = dataset.createStage(rows, type);
            stages[i].attach(this);
        }
        dataset.reader().lifecycle().register(waker);
    }

    /** @return the number of stages */
    public int size() {
        return stages.length;
    }

    /** @return the stages' element type */
    public DataType dataType() {
        return stages[0].dataType();
    }

    /** @return stages that no request holds now */
    public int free() {
        int n = 0;
        for (Stage s : stages) {
            if (!s.busy()) {
                n++;
            }
        }
        return n;
    }

    /** @return the stages' capacity in rows */
    public int stageRows() {
        return stages[0].capacity();
    }

    /**
     * Sets how long {@link Hdf5Reader#request(Request, StagePool)} and
     * {@link RequestQueue#submit(Request)} wait for a free stage of this pool before failing with a
     * {@link StageTimeoutException}.
     *
     * @param timeout the wait; 0 fails at once when no stage is free; {@code Long.MAX_VALUE} (of any
     *                unit) waits without limit
     * @param unit    unit of {@code timeout}
     * @throws InvalidConfigurationException for a negative timeout or a null unit
     */
    public void setTimeout(long timeout, TimeUnit unit) {
        timeoutNanos = toNanos(timeout, unit);
    }

    /**
     * @param unit the unit wanted
     * @return the pool's wait for a free stage, in {@code unit} (rounded down)
     */
    public long timeout(TimeUnit unit) {
        return unit.convert(timeoutNanos, TimeUnit.NANOSECONDS);
    }

    static long toNanos(long timeout, TimeUnit unit) {
        if (unit == null) {
            throw new InvalidConfigurationException("the timeout's unit must not be null");
        }
        if (timeout < 0) {
            throw new InvalidConfigurationException("a timeout must not be negative, got " + timeout + " " + unit);
        }
        return unit.toNanos(timeout); // saturates at Long.MAX_VALUE
    }

    /** Claims a free stage, waiting up to the pool's timeout. */
    Stage claim() {
        return claimNanos(timeoutNanos);
    }

    /**
     * Claims a free stage.
     *
     * @param timeout how long to wait for one
     * @param unit    unit of {@code timeout}
     * @return the claimed stage
     * @throws StageTimeoutException when none is free in time
     * @throws MultitablesException when the wait is interrupted (the interrupt flag is kept)
     */
    Stage claim(long timeout, TimeUnit unit) {
        return claimNanos(toNanos(timeout, unit));
    }

    private Stage claimNanos(long timeout) {
        long left = timeout;
        lock.lock();
        try {
            while (true) {
                if (closedWhy != null) {
                    throw new IteratorClosedException(closedWhy);
                }
                for (int i = 0; i < stages.length; i++) {
                    Stage s = stages[(next + i) % stages.length];
                    if (s.tryClaim()) {
                        next = (next + i + 1) % stages.length;
                        return s;
                    }
                }
                if (left <= 0) {
                    throw new StageTimeoutException("no free stage of the pool of " + stages.length + " stages of '"
                            + dataset + "' within " + describe(timeout) + ": release results (get(), getDirect() or "
                            + "close the StagedArray) before requesting more, or use a larger pool or timeout");
                }
                try {
                    // a release takes the lock before signalling, so it cannot slip in between the scan and the wait
                    long rest = released.awaitNanos(left);
                    if (timeout != Long.MAX_VALUE) {
                        left = rest;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new MultitablesException("Interrupted while waiting for a stage of '" + dataset + "'", e);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private static String describe(long nanos) {
        return nanos == 0 || nanos >= 1_000_000 ? TimeUnit.NANOSECONDS.toMillis(nanos) + " ms" : nanos + " ns";
    }

    /** The reader closed: wakes every waiting claimer with an {@link IteratorClosedException}. */
    void readerClosed(String why) {
        lock.lock();
        try {
            closedWhy = why;
            released.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Called by a stage of this pool once it is free again: wakes every waiting claimer. */
    void released() {
        lock.lock();
        try {
            released.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
