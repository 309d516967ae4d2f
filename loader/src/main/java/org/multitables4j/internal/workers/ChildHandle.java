package org.multitables4j.internal.workers;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.util.concurrent.TimeUnit;
import org.multitables4j.IteratorClosedException;
import org.multitables4j.MultitablesException;
import org.multitables4j.internal.hdf5.Hdf5Array;

/**
 * One worker's child process, restarted when it dies: sends the worker's reads over the child's
 * control socket and waits for each answer, under the pool's read deadline. A death (end of file
 * on the socket), a failed start or a timeout restarts the child and repeats the request; an
 * exception inside the child is rebuilt here ({@link Wire#readError}) and not retried. Used by one
 * worker thread at a time; {@link #close()} and {@link #hangUp()} may come from any thread.
 */
final class ChildHandle implements BlockIo {
    /** No request pending. */
    static final long NO_DEADLINE = Long.MIN_VALUE;

    private final int index;
    private final PoolState state;
    private final ChildLauncher launcher;
    private volatile ChildLauncher.Started child;
    private DataOutputStream out;
    private DataInputStream in;
    private volatile boolean greeted;
    private Throwable startFailure;
    /** System.nanoTime() by which the pending request must be answered, or NO_DEADLINE. */
    private volatile long deadline = NO_DEADLINE;
    private volatile boolean timedOut;
    /** The first start of the child while reads are done here; null when none (any more). */
    /** set while the child's first start is overlapped with reads here; null for good after */
    private volatile StartOverlap overlap;

    ChildHandle(int index, PoolState state, ChildLauncher launcher) {
        this.index = index;
        this.state = state;
        this.launcher = launcher;
    }

    /**
     * Starts the child now; a failure is reported by the first read, which tries again. With
     * {@link PoolState#readsWhileStarting} reads, the child's connection is awaited in the
     * background and the first reads are done by the worker thread itself meanwhile
     * ({@link StartOverlap}).
     */
    synchronized void startQuietly() {
        try {
            start();
            // not with a read timeout: a child stopped while it starts would then be noticed by
            // the start timeout only, not by the read timeout asked for
            if (state.readsWhileStarting > 0 && state.readTimeoutNanos == 0) {
                overlap = new StartOverlap(child, state.readsWhileStarting);
            }
        } catch (IOException | RuntimeException e) {
            if (child == null) {
                startFailure = e;
            }
        }
    }

    /** One read done in this process. */
    private interface LocalRead {
        void read(BlockIo here);
    }

    /**
     * Does a read in this process while the child's first start is overlapped.
     *
     * @return false when the read goes to the child
     */
    private synchronized boolean readHere(LocalRead r) {
        StartOverlap o = overlap;
        if (o == null || state.closed) {
            return false;
        }
        BlockIo here = o.readHere();
        if (here == null) {
            return false;
        }
        r.read(here);
        return true;
    }

    /** @return the connection of the child {@code c}: awaited by its overlap, or waited for here */
    private ChildLauncher.Connection connection(ChildLauncher.Started c) throws IOException {
        StartOverlap o = overlap;
        if (o != null) {
            overlap = null; // every read from now on goes to a child
            o.closeReads();
            if (o.child() == c) {
                return o.connection();
            }
        }
        return c.connect();
    }

    private synchronized void start() throws IOException {
        greeted = false;
        timedOut = false;
        child = launcher.start(index);
    }

    /** @return the child's process, or null between a death and the restart */
    Process process() {
        ChildLauncher.Started c = child;
        return c == null ? null : c.process;
    }

    /**
     * @return whether its child has been started and has not served a read yet: it has not
     *     connected, or its greeting has not been read (a start overlapped with reads here ends
     *     with a connected child that nobody has asked anything yet); such a child has no read to
     *     finish
     */
    boolean starting() {
        ChildLauncher.Started c = child;
        return c != null && (c.connecting() || !greeted);
    }

    /**
     * Kills the child when its pending request is past its deadline.
     *
     * @param now {@code System.nanoTime()}
     */
    void killIfLate(long now) {
        // the process first: a deadline read after it is never older than it
        Process p = process();
        long d = deadline;
        if (d != NO_DEADLINE && now - d > 0 && p != null && p.isAlive()) {
            timedOut = true;
            p.destroyForcibly();
        }
    }

    /** Stops listening and shuts the control socket's output down; the child then exits. */
    void hangUp() {
        ChildLauncher.Started c = child;
        if (c != null) {
            c.hangUp();
        }
    }

    @Override
    public void readBlock(Hdf5Array array, int block, ByteBuffer dst) {
        readBlockAt(array, block, dst, 0, Math.min(dst.capacity(), array.blockBytes()));
    }

    @Override
    public void readBlock(Hdf5Array array, int block, ByteBuffer dst, int offset) {
        int len = array.blockBytes();
        if (offset < 0 || (long) offset + len > dst.capacity()) {
            throw new IndexOutOfBoundsException("block " + block + " at " + offset + " does not fit the buffer");
        }
        readBlockAt(array, block, dst, offset, len);
    }

    /** Asks the child to decode {@code block} into {@code len} bytes of {@code dst} at {@code offset}. */
    private void readBlockAt(Hdf5Array array, int block, ByteBuffer dst, int offset, int len) {
        int src = state.source(array);
        if (overlap != null && readHere(here -> here.readBlock(array, block, dst.slice(offset, len)))) {
            return;
        }
        SharedArena.Ref r = state.arena.ref(dst);
        Wire.Block b = new Wire.Block(src, block, r.segmentStart(), r.segmentBytes(), r.offset() + offset, len);
        call(o -> Wire.writeBlock(o, b));
    }

    @Override
    public void readRuns(Hdf5Array array, long[] rows, int[] counts, int[] offsets, int runs, ByteBuffer dst) {
        int src = state.source(array);
        int rowBytes = array.rowBytes();
        for (int i = 0; i < runs; i++) {
            if (offsets[i] < 0 || (long) offsets[i] + (long) counts[i] * rowBytes > dst.capacity()) {
                throw new IndexOutOfBoundsException("run " + i + " does not fit the buffer");
            }
        }
        if (overlap != null && readHere(here -> here.readRuns(array, rows, counts, offsets, runs, dst))) {
            return;
        }
        SharedArena.Ref r = state.arena.ref(dst);
        call(o -> Wire.writeRuns(o, src, r, rows, counts, offsets, runs));
    }

    /** Writes one request. */
    private interface Request {
        void write(DataOutputStream out) throws IOException;
    }

    private synchronized void call(Request req) {
        int failures = 0;
        while (true) {
            try {
                if (child == null) {
                    if (startFailure != null) {
                        Throwable f = startFailure;
                        startFailure = null;
                        if (f instanceof RuntimeException re) {
                            throw re;
                        }
                        throw f instanceof IOException io ? io : new IOException(f);
                    }
                    start();
                }
                ChildLauncher.Started c = child;
                if (!greeted) {
                    ChildLauncher.Connection conn = connection(c);
                    in = conn.in();
                    out = conn.out();
                    exchange(null);
                    greeted = true;
                }
                while (c.known < state.sources.size()) {
                    Wire.DatasetRef s = state.sources.get(c.known).source();
                    exchange(o -> Wire.writeOpen(o, s));
                    c.known++;
                }
                exchange(req);
                return;
            } catch (IOException e) {
                boolean interrupted = e instanceof ClosedByInterruptException || Thread.currentThread().isInterrupted();
                String why = buried(e);
                failures++;
                if (state.closed) {
                    throw new IteratorClosedException("the worker processes were closed (" + why + ")");
                }
                if (interrupted) {
                    Thread.currentThread().interrupt();
                    throw new MultitablesException("interrupted while worker process " + index + " read " + state.file
                            + "; the child was ended (" + why + ")", e);
                }
                if (failures >= state.maxFailures) {
                    throw new MultitablesException("worker process " + index + " for " + state.file + " died " + failures
                            + " times in a row; last: " + why, e);
                }
                state.restarts.incrementAndGet();
            }
        }
    }

    /** Sends {@code req} (none: the greeting was sent by connect) and reads its answer, under the read deadline. */
    private void exchange(Request req) throws IOException {
        long t = state.readTimeoutNanos;
        deadline = t > 0 ? System.nanoTime() + t : NO_DEADLINE;
        try {
            if (req != null) {
                req.write(out);
                out.flush();
            }
            int status = in.readByte();
            if (status == Wire.OK) {
                return;
            }
            if (status != Wire.ERROR) {
                throw new IOException("unexpected answer " + status + " from the worker process");
            }
            Process p = process();
            throw Wire.unchecked(Wire.readError(in, "worker process " + index + (p == null ? "" : " (pid " + p.pid() + ")")));
        } finally {
            deadline = NO_DEADLINE;
        }
    }

    /** Reaps a dead (or broken, or hung) child and describes how it ended. */
    private String buried(IOException e) {
        ChildLauncher.Started c = child;
        boolean late = timedOut;
        child = null;
        startFailure = null;
        greeted = false;
        timedOut = false;
        if (c == null) {
            return String.valueOf(e.getMessage());
        }
        c.closeChannel(); // a live child sees end of file and exits
        Process p = c.process;
        boolean neverConnected = e instanceof SocketTimeoutException;
        if (late || neverConnected) {
            p.destroyForcibly(); // hung: no use waiting for it
        }
        boolean exited;
        boolean interrupted = false;
        try {
            exited = p.waitFor(2, TimeUnit.SECONDS);
            if (!exited) {
                p.destroyForcibly();
                exited = p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException ie) {
            interrupted = true;
            p.destroyForcibly();
            exited = false;
        }
        ChildLauncher.LIVE.remove(p);
        String status = exited ? "exit status " + p.exitValue() + describeSignal(p.exitValue()) : "did not exit";
        if (late) {
            status = "did not answer within " + TimeUnit.NANOSECONDS.toMillis(state.readTimeoutNanos) + " ms; killed ("
                    + status + ")";
        } else if (neverConnected) {
            status = "did not connect within " + TimeUnit.NANOSECONDS.toMillis(state.startTimeoutNanos) + " ms; killed ("
                    + status + ")";
        }
        // the child's output ends with it: wait for its last lines
        Thread d = c.drainer;
        if (d != null) {
            try {
                d.join(1000);
            } catch (InterruptedException ie) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        String last = c.lastOutput();
        return status + (last.isEmpty() ? "" : "; its last output: " + last) + " (" + e + ")";
    }

    private static String describeSignal(int code) {
        return code > 128 && code < 160 ? " (signal " + (code - 128) + ")" : "";
    }

    /**
     * Ends the child: the control socket's output is shut down (the child finishes its read, then
     * exits), and it is killed if it has not exited within 2 s.
     */
    @Override
    public void close() {
        ChildLauncher.Started c;
        hangUp();
        synchronized (this) {
            c = child;
            child = null;
            StartOverlap o = overlap;
            overlap = null;
            if (o != null) {
                o.closeReads(); // under the lock: no read of this process is under way
            }
        }
        if (c == null) {
            return;
        }
        Process p = c.process;
        try {
            if (!p.waitFor(2, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        ChildLauncher.LIVE.remove(p);
        c.closeChannel();
        Thread d = c.drainer;
        if (d != null) {
            try {
                d.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Closes the control socket and waits briefly for the output thread; for the pool's close. */
    void release(long joinMillis) throws InterruptedException {
        ChildLauncher.Started c = child;
        if (c == null) {
            return;
        }
        c.closeChannel();
        Thread d = c.drainer;
        if (d != null) {
            d.join(joinMillis);
        }
    }
}
