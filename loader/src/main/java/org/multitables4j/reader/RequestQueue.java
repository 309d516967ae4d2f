package org.multitables4j.reader;

import java.util.ArrayDeque;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeUnit;
import org.multitables4j.IteratorClosedException;
import org.multitables4j.MultitablesException;

/**
 * Requests submitted by a loader, results taken by a consumer in submission order (the futures
 * themselves complete in any order). Thread-safe: a loader thread may submit while another thread
 * takes, as in a producer-consumer pipeline. With several submitting threads the order is the
 * order in which their {@code submit} calls return.
 *
 * <p>{@link #submit} waits for a free stage of the pool (up to the pool's
 * {@link StagePool#setTimeout timeout}, 60 s unless set, or the wait given to
 * {@link #submit(Request, long, TimeUnit)}), so a loader that runs ahead is held back until the
 * consumer closes the results it took; past the wait it fails with a {@link StageTimeoutException}.
 * When the reader closes, a consumer waiting in {@link #take} with nothing pending wakes with an
 * {@link IteratorClosedException}, and so does a submit (without taking a stage).
 */
public final class RequestQueue {
    /** Held here so that the reader's weak registry keeps it as long as this object lives. */
    private final ReaderLifecycle.Wakeable waker = this::readerClosed;
    private final Hdf5Reader reader;
    private final StagePool stages;
    private final ArrayDeque<Hdf5Future> pending = new ArrayDeque<>();
    private String closedWhy;

    /**
     * @param reader the reader
     * @param stages stages of the requested dataset; at most that many results are pending
     */
    public RequestQueue(Hdf5Reader reader, StagePool stages) {
        this.reader = reader;
        this.stages = stages;
        reader.lifecycle().register(waker);
    }

    /** The reader closed: a consumer waiting for a submission wakes with an {@link IteratorClosedException}. */
    synchronized void readerClosed(String why) {
        closedWhy = why;
        notifyAll();
    }

    /** @return the pool the requests' rows land in */
    public StagePool stages() {
        return stages;
    }

    /**
     * Schedules a request into the next free stage of the pool, waiting for one if all are busy
     * (up to the pool's {@link StagePool#setTimeout timeout}).
     *
     * @param request rows to read next
     * @throws StageTimeoutException when no stage was released in time (nothing is queued then)
     */
    public void submit(Request request) {
        add(reader.request(request, stages)); // may wait for a stage: outside the lock
    }

    /**
     * Schedules a request into the next free stage of the pool, waiting at most {@code timeout}
     * for one if all are busy.
     *
     * @param request rows to read next
     * @param timeout how long to wait for a free stage; 0 fails at once when none is free
     * @param unit    unit of {@code timeout}
     * @throws StageTimeoutException when no stage was released in time (nothing is queued then)
     */
    public void submit(Request request, long timeout, TimeUnit unit) {
        add(reader.request(request, stages, timeout, unit));
    }

    private synchronized void add(Hdf5Future f) {
        pending.add(f);
        notifyAll();
    }

    /** @return requests submitted and not yet taken */
    public synchronized int pending() {
        return pending.size();
    }

    /**
     * @return the oldest request's rows as a view; close it to free its stage
     * @throws NoSuchElementException when nothing is pending
     */
    public StagedArray next() {
        Hdf5Future f;
        synchronized (this) {
            f = pending.poll();
        }
        if (f == null) {
            throw new NoSuchElementException("no request pending");
        }
        return f.acquire();
    }

    /**
     * Takes the oldest request's rows, waiting for a request to be submitted when none is pending
     * (the consumer side of a loader thread).
     *
     * @param timeout how long to wait for a submission
     * @param unit    unit of {@code timeout}
     * @return the rows as a view; close it to free its stage
     * @throws MultitablesException when nothing was submitted in time, or the wait was interrupted
     */
    public StagedArray take(long timeout, TimeUnit unit) {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        Hdf5Future f;
        synchronized (this) {
            while (pending.isEmpty()) {
                if (closedWhy != null) {
                    throw new IteratorClosedException(closedWhy);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new MultitablesException("no request submitted within " + unit.toMillis(timeout) + " ms");
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new MultitablesException("Interrupted while waiting for a request", e);
                }
            }
            f = pending.poll();
        }
        return f.acquire();
    }

    /**
     * Waits at most {@code timeout} for the oldest pending request's rows to land, so that
     * {@link #next()} will not block; lets a consumer wait in short steps and check for other
     * events (a close) in between.
     *
     * @param timeout how long
     * @param unit    unit of {@code timeout}
     * @return true when the oldest request is done (or failed: {@link #next()} then throws);
     *     false on timeout or when nothing is pending
     */
    public boolean awaitNext(long timeout, TimeUnit unit) {
        Hdf5Future f;
        synchronized (this) {
            f = pending.peek();
        }
        return f != null && f.await(timeout, unit);
    }

    /**
     * Gives up every pending request without waiting; each stage is freed as soon as its read
     * ends ({@link Hdf5Future#discard()}).
     */
    public void clear() {
        synchronized (this) {
            Hdf5Future f;
            while ((f = pending.poll()) != null) {
                f.discard();
            }
        }
    }
}
