package org.multitables4j.internal.workers;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.multitables4j.InvalidConfigurationException;
import org.multitables4j.IteratorClosedException;
import org.multitables4j.internal.hdf5.ArrayImage;
import org.multitables4j.internal.hdf5.Hdf5Array;

/**
 * Worker processes: one child JVM per worker, started with this JVM's classpath and
 * {@link ChildMain}. Each child opens the HDF5 file and the {@link SharedArena} itself and
 * executes reads (decode block {@code b} into shared memory at an offset; read runs of contiguous
 * rows into shared memory), answering each over its control socket.
 *
 * <p><b>Control channel.</b> Requests and answers travel over a Unix domain socket
 * ({@link ControlSocket}) that the child connects to at start, never over its stdout: whatever
 * the child JVM prints on stdout or stderr (JVM warnings, {@code -Xlog:gc}, "Error occurred
 * during initialization of VM") is captured as log output, logged at DEBUG by this class's slf4j
 * logger, and its last lines are quoted when the child dies. The socket file exists only until
 * the child has connected.
 *
 * <p>Protocol: see {@link Wire}. The configuration (tokens, sources, arena path) arrives on the
 * child's stdin; the child opens the sources while it connects to the socket named by its
 * argument, sends its token, reads the parent's and answers OK or an error. The parts: this class
 * is the pool (children, read-timeout watchdog, close); {@link ChildLauncher} starts a child and
 * does the handshake; {@link ChildHandle} is one worker's child (its requests, deaths, restarts).
 *
 * <p><b>The file.</b> Children read the very file the parent opened, not whatever its path names
 * now: each source carries the {@link FileIdentity} the parent recorded when it opened the file,
 * and a child opens the parent's descriptor of that inode (see {@link FileIdentity#locate}). A
 * file replaced by a rename after the iterator was built is therefore never mixed in, also not by
 * a restarted child; where the parent's descriptor cannot be reached and the path names another
 * file, the read fails with {@link org.multitables4j.FileChangedException}. A remote file
 * ({@code hdfs://}, {@code s3a://}) is opened by each child through its URI with the parent's
 * settings, and must have the length and modification time the parent saw ({@link RemoteRef}),
 * else the read fails with the same exception.
 *
 * <p><b>Faults.</b> A child that dies (signal, {@code OutOfMemoryError}, crash) is noticed at
 * once: its socket reaches end of file while its worker waits for the answer. A child that dies
 * before it connects is noticed when it exits; one that neither connects nor exits within the
 * {@linkplain #startTimeout start timeout} is killed. The request is repeated on a fresh child;
 * reads are idempotent and the parent's scheduling state never moved, so no row is lost or
 * delivered twice. After {@code maxFailures} failures in a row on one worker the read fails with
 * the exit status and the child's last output. An exception inside the child (a corrupt chunk) is
 * not retried: it is rebuilt in the parent as the same class where this JVM has it, with the
 * child's message, and the child's stack as its cause (see {@link Wire#rebuild}).
 *
 * <p><b>Hung children.</b> A child that is alive but does not answer (stopped, deadlocked,
 * swapping) is not dead: without a {@linkplain #readTimeout read timeout} its worker waits, and
 * the consumer's {@code next()} with it, until {@link #close()} is called from another thread
 * (which ends every child within a few seconds and wakes the waiting reads with
 * {@link IteratorClosedException}). With a read timeout, a child that has not answered a request
 * within it is killed and treated as dead (restarted, the request repeated).
 *
 * <p><b>JVM options.</b> Children run with {@code -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError
 * -XX:-UsePerfData -Xmx1g} followed by the pool's options, so those win: {@code -XX:+UseSerialGC}
 * is left out when the options (or {@code JAVA_TOOL_OPTIONS}, {@code JDK_JAVA_OPTIONS},
 * {@code _JAVA_OPTIONS}) select a collector ({@code -XX:+Use...GC}), and {@code -Xmx1g} when they
 * set the maximum heap ({@code -Xmx}, {@code -XX:MaxHeapSize}, {@code -XX:MaxRAMPercentage},
 * {@code -XX:MaxRAM}, ...); for the remaining flags HotSpot takes the last occurrence. A crash
 * report goes to {@code multitables4j-hs_err_pid<pid>.log} in the shared-memory directory, not
 * the working directory, unless the options set {@code -XX:ErrorFile}.
 */
public final class ChildPool implements AutoCloseable {
    private final PoolState state;
    private final ChildLauncher launcher;
    private final List<ChildHandle> children = new ArrayList<>();
    private Thread watchdog;

    /**
     * A dataset the children read.
     *
     * @param array    the parent's description of it (its file is what the children open)
     * @param path     its path in the file
     * @param column   a column of the compound dataset at {@code path}, or null
     * @param identity what the parent opened (see {@link FileIdentity}); null for a remote file
     *                 (identified by {@link RemoteRef}) or where the platform has none
     */
    public record Dataset(Hdf5Array array, String path, String column, FileIdentity identity) {
        /**
         * A dataset of a file the parent opened with {@link FileIdentity#open} (whose identity
         * was recorded then), of a remote file, or else of the file its path names now.
         *
         * @param array  the parent's description of it
         * @param path   its path in the file
         * @param column a column of the compound dataset at {@code path}, or null
         */
        public Dataset(Hdf5Array array, String path, String column) {
            this(array, path, column, FileIdentity.opened(array.file()));
        }

        PoolState.Entry entry() {
            // the parent's parse travels with the source, so the child need not parse the file;
            // only where the child provably opens the very file the parent parsed (its identity)
            byte[] image = identity == null ? null : ArrayImage.of(array);
            return new PoolState.Entry(array, new Wire.DatasetRef(array.file().location(), identity,
                    RemoteRef.of(array.file()), path, column, image));
        }
    }

    /**
     * @param arrays      the datasets (or columns) read, in source order
     * @param arena       the shared memory all buffers come from; the control sockets are bound
     *                    in its directory
     * @param jvmOptions  options of the child JVMs, after the defaults so they win (see the class
     *                    comment for how the default GC and heap flags give way)
     * @param maxFailures failures in a row (deaths, failed starts, timeouts) of one worker's child
     *                    before its read fails
     */
    public ChildPool(List<Dataset> arrays, SharedArena arena, List<String> jvmOptions, int maxFailures) {
        this(arrays.get(0).array().file().location(), arena, jvmOptions, maxFailures);
        for (Dataset d : arrays) {
            state.sources.add(d.entry());
        }
    }

    /**
     * A pool whose datasets are added later with {@link #register} (the Reader opens datasets on
     * demand).
     *
     * @param file        the file named in messages (a path or a URI)
     * @param arena       the shared memory all buffers come from; the control sockets are bound
     *                    in its directory
     * @param jvmOptions  options of the child JVMs, after the defaults so they win (see the class
     *                    comment for how the default GC and heap flags give way)
     * @param maxFailures failures in a row (deaths, failed starts, timeouts) of one worker's child
     *                    before its read fails
     */
    public ChildPool(String file, SharedArena arena, List<String> jvmOptions, int maxFailures) {
        if (maxFailures < 1) {
            throw new InvalidConfigurationException("maxFailures must be at least 1, got " + maxFailures);
        }
        this.state = new PoolState(file, arena, maxFailures);
        this.launcher = new ChildLauncher(state, jvmOptions);
    }

    /**
     * Sets how long a child may take to answer one request (a block decode, a run read, opening a
     * dataset, or the greeting after its start) before it is treated as dead: killed, restarted
     * and the request repeated, counting as a failure. Set it well above the slowest read (a
     * large chunk on a slow disk). Default: none, a hung child blocks its worker until
     * {@link #close()}.
     *
     * @param timeout the limit, or null or zero for none
     * @return this pool
     */
    public ChildPool readTimeout(Duration timeout) {
        if (timeout != null && timeout.isNegative()) {
            throw new InvalidConfigurationException("the worker read timeout must not be negative, got " + timeout);
        }
        long nanos = timeout == null ? 0 : saturatedNanos(timeout);
        synchronized (this) {
            state.readTimeoutNanos = nanos;
            if (nanos > 0 && !children.isEmpty()) {
                startWatchdog();
            }
        }
        return this;
    }

    /**
     * Sets how long a new child may take to connect (its JVM start) before it is killed and its
     * start counted as a failure; default 60 s. A child that exits at start is noticed at once,
     * whatever this limit.
     *
     * @param timeout the limit, positive
     * @return this pool
     */
    public ChildPool startTimeout(Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new InvalidConfigurationException("the worker start timeout must be positive, got " + timeout);
        }
        state.startTimeoutNanos = saturatedNanos(timeout);
        return this;
    }

    /**
     * Lets each worker do its first {@code reads} reads itself, in this process, while its child's
     * first start is under way (the JVM start, tens to hundreds of milliseconds), instead of
     * waiting for it: the reads go to the same shared memory from the very file this process
     * opened, so what they deliver is the same. Only the first start of each child is overlapped
     * and only that many reads: then, or as soon as the child has connected or exited, reads wait
     * for the child as without this, so a child that fails at every start still fails, and a
     * start that hangs still times out. Not with a {@linkplain #readTimeout read timeout}: a child
     * stopped while it starts would then be noticed by the start timeout only. Set before the
     * first {@link #io}; default 0 (off).
     *
     * @param reads reads per worker, 0 for none
     * @return this pool
     */
    public ChildPool readWhileStarting(int reads) {
        if (reads < 0) {
            throw new InvalidConfigurationException("reads while a worker process starts must not be negative, got " + reads);
        }
        state.readsWhileStarting = reads;
        return this;
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 4;
        }
    }

    /**
     * Makes the reader of worker {@code index} and starts its child at once (the JVM starts while
     * the caller goes on).
     *
     * @param index worker index
     * @return the worker's reads, executed by its child
     */
    public synchronized BlockIo io(int index) {
        ChildHandle c = new ChildHandle(index, state, launcher);
        children.add(c);
        if (state.readTimeoutNanos > 0) {
            startWatchdog();
        }
        c.startQuietly();
        return c;
    }

    /**
     * Makes a dataset readable by the children; running children open it before their next read.
     *
     * @param dataset the dataset
     */
    public synchronized void register(Dataset dataset) {
        for (PoolState.Entry e : state.sources) {
            if (e.array() == dataset.array()) {
                return;
            }
        }
        state.sources.add(dataset.entry());
    }

    /** @return process ids of the children alive now */
    public synchronized List<Long> pids() {
        List<Long> out = new ArrayList<>();
        for (ChildHandle c : children) {
            Process p = c.process();
            if (p != null && p.isAlive()) {
                out.add(p.pid());
            }
        }
        return out;
    }

    /** @return children started again after one died, failed to start or timed out, over the pool's life */
    public long restarts() {
        return state.restarts.get();
    }

    /**
     * @return the directory of the control sockets: the shared-memory directory, or a shorter
     *         one when a socket path there would be too long
     */
    public Path socketDirectory() {
        return launcher.socketDirectory();
    }

    /**
     * The command line of a child.
     *
     * @param socket the control socket it connects to
     * @return java, its options, the classpath, {@link ChildMain} and the socket
     */
    List<String> command(Path socket) {
        return launcher.command(socket);
    }

    /** Starts the thread that kills children past their read deadline; caller holds the pool lock. */
    private void startWatchdog() {
        if (watchdog != null || state.closed) {
            return;
        }
        Thread t = new Thread(this::watch, "multitables4j-child-watchdog");
        t.setDaemon(true);
        watchdog = t;
        t.start();
    }

    private void watch() {
        while (!state.closed) {
            long timeout = state.readTimeoutNanos;
            List<ChildHandle> cs;
            synchronized (this) {
                cs = new ArrayList<>(children);
            }
            long now = System.nanoTime();
            for (ChildHandle c : cs) {
                c.killIfLate(now);
            }
            long nap = timeout > 0 ? Math.min(timeout / 8, TimeUnit.MILLISECONDS.toNanos(200)) : TimeUnit.MILLISECONDS.toNanos(200);
            try {
                TimeUnit.NANOSECONDS.sleep(Math.max(nap, TimeUnit.MILLISECONDS.toNanos(5)));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * Ends every child: shuts down its control socket (a child finishes the read it is doing,
     * then exits), kills any that has not exited within 2 s and at once those still starting,
     * and deletes their socket files. Safe to call from another thread while workers wait for answers:
     * they are woken with {@link IteratorClosedException}. Idempotent.
     */
    @Override
    public void close() {
        List<ChildHandle> cs;
        Thread w;
        synchronized (this) {
            state.closed = true;
            cs = new ArrayList<>(children);
            w = watchdog;
            watchdog = null;
        }
        if (w != null) {
            w.interrupt();
        }
        // without the children's locks: a worker may be waiting for an answer; it gets the
        // answer (a child finishes its read before it sees the end of its socket) or end of file
        List<Process> ps = new ArrayList<>();
        for (ChildHandle c : cs) {
            boolean starting = c.starting();
            c.hangUp();
            Process p = c.process();
            if (p != null) {
                if (starting) {
                    p.destroyForcibly(); // not connected yet, so it has no read to finish
                }
                ps.add(p);
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        boolean interrupted = false;
        for (Process p : ps) {
            try {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !p.waitFor(left, TimeUnit.NANOSECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                interrupted = true;
                p.destroyForcibly();
            }
            ChildLauncher.LIVE.remove(p);
        }
        for (ChildHandle c : cs) {
            try {
                c.release(1000);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (w != null) {
            try {
                w.join(1000);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
