package org.multitables4j.reader;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.multitables4j.IteratorClosedException;

/**
 * The open/closing state of one {@link Hdf5Reader} and what must hear of its end: the requests
 * in flight (failed with an {@link IteratorClosedException} when the reader stops, or when a
 * close's wait for them runs out) and the objects threads block on (stage pools, request
 * queues), woken at once when the reader closes. Thread-safe.
 */
final class ReaderLifecycle {
    /** Something a thread may block on that must wake when the reader closes. */
    interface Wakeable {
        /**
         * The reader is closing: fail every wait (now and later) with an
         * {@link IteratorClosedException} carrying {@code why}.
         *
         * @param why the message, naming the reader's file
         */
        void readerClosed(String why);
    }

    private final Set<CompletableFuture<?>> inFlight = ConcurrentHashMap.newKeySet();
    private final Set<Wakeable> wakeables = Collections.newSetFromMap(new WeakHashMap<>());
    private volatile String closedWhy;

    /** @return null while open, else the message of the close */
    String closedWhy() {
        return closedWhy;
    }

    /**
     * Counts a request in flight until it completes.
     *
     * @param f the request's completion
     */
    void track(CompletableFuture<?> f) {
        if (f.isDone()) {
            return; // served on the calling thread: nothing in flight
        }
        inFlight.add(f);
        f.whenComplete((v, e) -> inFlight.remove(f));
    }

    /**
     * Registers a waiter to wake at close; woken at once if the reader is already closed.
     *
     * @param w the waiter (held weakly)
     */
    void register(Wakeable w) {
        String why;
        synchronized (wakeables) {
            why = closedWhy;
            if (why == null) {
                wakeables.add(w);
            }
        }
        if (why != null) {
            w.readerClosed(why);
        }
    }

    /**
     * Marks the reader closed and wakes every registered waiter.
     *
     * @param why the message of the {@link IteratorClosedException}s
     */
    void close(String why) {
        List<Wakeable> all;
        synchronized (wakeables) {
            if (closedWhy != null) {
                return;
            }
            closedWhy = why;
            all = new ArrayList<>(wakeables);
            wakeables.clear();
        }
        for (Wakeable w : all) {
            w.readerClosed(why);
        }
    }

    /**
     * Waits for the requests in flight.
     *
     * @param nanos the longest wait
     * @return true when none is left
     */
    boolean awaitInFlight(long nanos) {
        long deadline = System.nanoTime() + nanos;
        for (CompletableFuture<?> f : new ArrayList<>(inFlight)) {
            long left = deadline - System.nanoTime();
            try {
                f.get(Math.max(0, left), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (ExecutionException | java.util.concurrent.CancellationException e) {
                // failed requests are done too
            }
        }
        return inFlight.isEmpty();
    }

    /**
     * Fails every request still in flight (whoever waits on one wakes with the exception).
     *
     * @param why the message of the {@link IteratorClosedException}
     */
    void failInFlight(String why) {
        for (CompletableFuture<?> f : new ArrayList<>(inFlight)) {
            f.completeExceptionally(new IteratorClosedException(why));
        }
    }
}
