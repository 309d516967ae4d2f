package org.multitables4j.internal.workers;

import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * The first start of one worker's child, overlapped with reads in this process: the child's
 * connection is awaited on a thread of its own, and until it is there the worker's first few
 * reads are done by the worker thread itself, into the same shared memory, from the very file
 * this process opened. Only the first start of a child is overlapped and only for a bounded
 * number of reads; after those, or once the child has connected or died, every read waits for
 * the child exactly as without an overlap — so a child that fails at every start still fails the
 * reads after its restarts, and a start that hangs still runs into the start timeout.
 */
final class StartOverlap {
    private final ChildLauncher.Started child;
    private final FutureTask<ChildLauncher.Connection> connecting;
    private int reads;
    private BlockIo here;

    /**
     * @param child the child just started
     * @param reads how many reads this process may do while it connects
     */
    StartOverlap(ChildLauncher.Started child, int reads) {
        this.child = child;
        this.reads = reads;
        this.connecting = new FutureTask<>(child::connect);
        Thread t = new Thread(connecting, "multitables4j-child-" + child.index + "-connect");
        t.setDaemon(true);
        t.start();
    }

    /** @return the child whose start this is */
    ChildLauncher.Started child() {
        return child;
    }

    /**
     * @return the reads of this process for the next read, or null when it goes to the child:
     *     the budget is spent, the child has connected (or failed to), or it has exited
     */
    BlockIo readHere() {
        if (reads <= 0 || connecting.isDone() || !child.process.isAlive()) {
            return null;
        }
        reads--;
        if (here == null) {
            here = BlockIo.local();
        }
        return here;
    }

    /**
     * Waits for the child's connection, as {@link ChildLauncher.Started#connect} would.
     *
     * @return the connection
     * @throws IOException as {@link ChildLauncher.Started#connect}: the child exited, did not
     *                     connect within the start timeout, or the pool closed
     */
    ChildLauncher.Connection connection() throws IOException {
        try {
            return connecting.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClosedByInterruptException();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof RuntimeException re) {
                throw re;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IOException(c);
        }
    }

    /** Frees this process's decoder; called on the worker's thread or after it has ended. */
    void closeReads() {
        BlockIo h = here;
        here = null;
        if (h != null) {
            h.close();
        }
    }
}
