package org.multitables4j.reader;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.multitables4j.MultitablesException;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The pending result of a request. Take it exactly once, as a copy ({@link #get()}), through a
 * callback on the view ({@link #getDirect}) or as a view to close ({@link #acquire()}), or give
 * it up ({@link #discard()}); each releases the stage when done with it. One thread takes a result.
 */
public final class Hdf5Future {
    private final CompletableFuture<Void> done;
    private final Stage stage;
    private final Request request;
    private boolean taken;

    Hdf5Future(CompletableFuture<Void> done, Stage stage, Request request) {
        this.done = done;
        this.stage = stage;
        this.request = request;
    }

    /** @return true when the rows have landed (or the request failed) */
    public boolean isDone() {
        return done.isDone();
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
            stage.release();
            Throwable c = e.getCause();
            if (c instanceof MultitablesException me) {
                throw me;
            }
            throw new MultitablesException("Reading " + request + " failed: " + c, c);
        }
    }

    /**
     * @return a detached copy of the rows; the stage is released
     */
    public INDArray get() {
        await();
        try {
            return stage.view(request).dup();
        } finally {
            stage.release();
        }
    }

    /**
     * Calls {@code use} with a zero-copy view of the rows, then releases the stage.
     *
     * @param use the callback; the view must not escape it
     */
    public void getDirect(Consumer<INDArray> use) {
        await();
        try {
            use.accept(stage.view(request));
        } finally {
            stage.release();
        }
    }

    /**
     * @return a zero-copy view of the rows, valid until it is closed (which releases the stage)
     */
    public StagedArray acquire() {
        await();
        return new StagedArray(stage, stage.view(request));
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
