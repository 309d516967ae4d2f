package org.multitables4j.reader;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.multitables4j.IteratorClosedException;
import org.multitables4j.MultitablesException;

/**
 * Requests in flight, handed back in the order they complete (multitables' request pool): a
 * loader submits requests (or adds futures of any stage), a consumer takes whichever finished
 * first, so one slow read does not hold back the others. Thread-safe: any number of threads may
 * submit and take.
 *
 * <pre>{@code
 * CompletionQueue done = new CompletionQueue(reader, ds.createStagePool(64, 4));
 * for (long[] batch : batches) {
 *     done.submit(ds.rows(batch));               // waits for a free stage of the pool
 * }
 * for (int i = 0; i < batches.size(); i++) {
 *     Hdf5Future f = done.take(10, TimeUnit.SECONDS);   // completed: get() does not block
 *     try (StagedArray rows = f.acquire()) { ... }      // which request: f.request()
 * }
 * }</pre>
 *
 * <p>A failed request is handed back too; taking its result throws its exception. When the reader
 * closes, a consumer waiting with nothing completed wakes with an {@link IteratorClosedException}.
 */
public final class CompletionQueue {
    /** Held here so that the reader's weak registry keeps it as long as this object lives. */
    private final ReaderLifecycle.Wakeable waker = this::readerClosed;
    private final Hdf5Reader reader;
    private final StagePool stages;
    private final ArrayDeque<Hdf5Future> completed = new ArrayDeque<>();
    private int running;
    private String closedWhy;

    /**
     * @param reader the reader
     * @param stages the pool that {@link #submit} requests into (null if only {@link #add} is used)
     */
    public CompletionQueue(Hdf5Reader reader, StagePool stages) {
        this.reader = reader;
        this.stages = stages;
        reader.lifecycle().register(waker);
    }

    /**
     * Schedules a request into a free stage of the pool (waiting for one up to the pool's
     * {@link StagePool#setTimeout timeout}) and adds its future.
     *
     * @param request the rows
     * @return the future, also handed back by {@link #take} once complete
     * @throws StageTimeoutException when no stage was released in time (nothing is added then)
     * @throws IteratorClosedException when the reader is closed
     */
    public Hdf5Future submit(Request request) {
        if (stages == null) {
            throw new IllegalStateException("this queue has no stage pool: add futures with add()");
        }
        return add(reader.request(request, stages));
    }

    /**
     * Schedules a request into a free stage of the pool, waiting at most {@code timeout} for one.
     *
     * @param request the rows
     * @param timeout how long to wait for a free stage
     * @param unit    unit of {@code timeout}
     * @return the future
     * @throws StageTimeoutException when no stage was released in time
     */
    public Hdf5Future submit(Request request, long timeout, TimeUnit unit) {
        if (stages == null) {
            throw new IllegalStateException("this queue has no stage pool: add futures with add()");
        }
        return add(reader.request(request, stages, timeout, unit));
    }

    /**
     * Adds a future (of any stage or pool); it is handed back by {@link #take} once complete.
     *
     * @param future the future; its result must not be taken elsewhere
     * @return the future
     */
    public Hdf5Future add(Hdf5Future future) {
        synchronized (this) {
            running++;
        }
        future.whenComplete(this::completed);
        return future;
    }

    private synchronized void completed(Hdf5Future f) {
        running--;
        completed.add(f);
        notifyAll();
    }

    /** @return futures added and not yet taken (running or complete) */
    public synchronized int pending() {
        return running + completed.size();
    }

    /** @return the first future to have completed and not yet taken, or null when none has */
    public synchronized Hdf5Future poll() {
        return completed.poll();
    }

    /**
     * Takes the first future to have completed, waiting for one.
     *
     * @param timeout how long to wait
     * @param unit    unit of {@code timeout}
     * @return a completed future (its {@code get()}, {@code acquire()} do not block)
     * @throws MultitablesException when none completed in time, or the wait was interrupted
     * @throws IteratorClosedException when the reader closed while nothing was complete
     */
    public synchronized Hdf5Future take(long timeout, TimeUnit unit) {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (completed.isEmpty()) {
            if (closedWhy != null && running == 0) {
                throw new IteratorClosedException(closedWhy);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new MultitablesException("no request completed within " + unit.toMillis(timeout) + " ms ("
                        + running + " running)");
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MultitablesException("Interrupted while waiting for a request to complete", e);
            }
        }
        return completed.poll();
    }

    /** The reader closed: a consumer waiting with nothing running or complete wakes with an {@link IteratorClosedException}. */
    synchronized void readerClosed(String why) {
        closedWhy = why;
        notifyAll();
    }
}
