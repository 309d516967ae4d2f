package org.multitables4j.reader;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.multitables4j.IteratorClosedException;
import org.multitables4j.MultitablesException;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The pending result of a request. Take it exactly once, as a copy ({@link #get()}), through a
 * callback on the view ({@link #getDirect}) or as a revocable view to close ({@link #acquire()}),
 * or give it up ({@link #discard()}); each releases the stage when done with it. One thread takes
 * a result.
 *
 * <p>Completion can be observed without blocking: {@link #whenComplete} runs an action once the
 * rows have landed or the request failed, and {@link #completion()} is a
 * {@code CompletableFuture} view for composing; a {@link CompletionQueue} hands results back in
 * the order they complete. If the reader stops (or a close's wait runs out) before the rows land,
 * the future fails with an {@link IteratorClosedException}.
 */
public final class Hdf5Future {
    private final CompletableFuture<?> done;
    private final Stage stage;
    private final Request request;
    private boolean taken;

    /**
     * @param done    completes when the rows have landed
     * @param stage   the stage the rows land in
     * @param request the request
     */
    Hdf5Future(CompletableFuture<?> done, Stage stage, Request request) {
        this.done = done;
        this.stage = stage;
        this.request = request;
        stage.dataset().reader().lifecycle().track(done);
    }

    /** @return the request this future reads */
    public Request request() {
        return request;
    }

    /** @return true when the rows have landed (or the request failed) */
    public boolean isDone() {
        return done.isDone();
    }

    /** @return true when the request failed (taking the result then throws its exception) */
    public boolean isFailed() {
        return done.isCompletedExceptionally();
    }

    /**
     * Runs {@code action} with this future once the rows have landed or the request failed: at
     * once on the calling thread if it is done already, else on the worker thread that ends the
     * read. The action may take the result ({@code get()}, {@code acquire()} do not block then);
     * it should be short, since it runs on a reader worker. An exception thrown by the action is
     * dropped.
     *
     * @param action what to run
     * @return this future
     */
    public Hdf5Future whenComplete(Consumer<? super Hdf5Future> action) {
        done.whenComplete((v, e) -> action.accept(this));
        return this;
    }

    /**
     * A {@code CompletableFuture} view of the request: it completes with this future when the
     * rows have landed, or exceptionally with the request's failure. Completing or cancelling
     * the view does not affect the request.
     *
     * @return a new dependent future
     */
    public CompletableFuture<Hdf5Future> completion() {
        return done.thenApply(v -> this);
    }

    private void await() {
        if (taken) {
            throw new IllegalStateException("the result of " + request + " was already taken");
        }
        taken = true;
        try {
            done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            taken = false;
            throw new MultitablesException("Interrupted while waiting for " + request, e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            // after a stop, workers may still write into the stage; the closed reader takes no new request into it
            stage.release();
            if (c instanceof MultitablesException me) {
                throw me;
            }
            throw new MultitablesException("Reading " + request + " failed: " + c, c);
        }
    }

    /**
     * @return a detached copy of the rows, shaped as {@link Request#shape()}; the stage is released
     * @throws IteratorClosedException when the reader stopped before the rows landed
     */
    public INDArray get() {
        await();
        try {
            return stage.copy(request); // no view: the copy is made straight from the stage
        } finally {
            stage.release();
        }
    }

    /**
     * Calls {@code use} with a zero-copy view of the rows, then revokes the view and releases the
     * stage: a view that escapes the callback fails on use.
     *
     * @param use the callback
     */
    public void getDirect(Consumer<INDArray> use) {
        await();
        try (StagedArray v = stage.revocable(request)) {
            use.accept(v.array());
        }
    }

    /**
     * @return a revocable zero-copy view of the rows, valid until it is closed (which releases
     *     the stage and revokes the INDArray)
     */
    public StagedArray acquire() {
        await();
        return stage.revocable(request);
    }

    /**
     * Gives up the result without waiting: the stage is released as soon as the read ends (a
     * stage must not be reused while workers still write into it). Counts as taking the result.
     *
     * @throws IllegalStateException if the result was already taken
     */
    public void discard() {
        if (taken) {
            throw new IllegalStateException("the result of " + request + " was already taken");
        }
        taken = true;
        done.whenComplete((v, e) -> stage.release());
    }

    /**
     * Waits at most {@code timeout} for the rows.
     *
     * @param timeout how long
     * @param unit    its unit
     * @return true when done
     */
    public boolean await(long timeout, TimeUnit unit) {
        try {
            done.get(timeout, unit);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            return true;
        }
    }
}
