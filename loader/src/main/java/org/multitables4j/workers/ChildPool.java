package org.multitables4j.workers;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.multitables4j.CorruptDataException;
import org.multitables4j.InvalidConfigurationException;
import org.multitables4j.IteratorClosedException;
import org.multitables4j.MultitablesException;
import org.multitables4j.UnsupportedHdf5Exception;
import org.multitables4j.hdf5.Hdf5Array;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * <p>Protocol (big-endian, {@code DataOutputStream}). On the child's stdin, written at start and
 * closed: {@link #MAGIC}, the child's and the parent's token, the connect timeout, the parent's
 * process id, the sources (HDF5 file, dataset path, optional column) and the arena path. The
 * child opens them while it connects to the socket named by its argument, sends its token, reads
 * the parent's and answers {@link #OK} or an error. Then a request is an op byte, the source index
 * and its arguments; an answer is {@link #OK} or {@link #ERROR} followed by the exception's class,
 * message and stack.
 *
 * <p><b>Faults.</b> A child that dies (signal, {@code OutOfMemoryError}, crash) is noticed at
 * once: its socket reaches end of file while its worker waits for the answer. A child that dies
 * before it connects is noticed when it exits; one that neither connects nor exits within the
 * {@linkplain #startTimeout start timeout} is killed. The request is repeated on a fresh child;
 * reads are idempotent and the parent's scheduling state never moved, so no row is lost or
 * delivered twice. After {@code maxFailures} failures in a row on one worker the read fails with
 * the exit status and the child's last output. An exception inside the child (a corrupt chunk) is
 * not retried: it is rebuilt in the parent with the child's message and stack.
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
 * {@code -XX:MaxRAM}, ...); for the remaining flags HotSpot takes the last occurrence.
 */
public final class ChildPool implements AutoCloseable {
    /** First word of a child's configuration. */
    static final int MAGIC = 0x6d743464;
    /** Answer: done. */
    static final int OK = 0;
    /** Answer: failed, an exception follows. */
    static final int ERROR = 1;
    /** Request: decode one block into shared memory. */
    static final int OP_BLOCK = 1;
    /** Request: read runs of rows of a contiguous dataset into shared memory. */
    static final int OP_RUNS = 2;
    /** Request: open one more dataset. */
    static final int OP_OPEN = 3;
    private static final int TAIL_LINES = 20;
    private static final int TAIL_LINE_CHARS = 1000;
    private static final long NO_DEADLINE = Long.MIN_VALUE;
    private static final Pattern SELECTS_GC = Pattern.compile("-XX:[+-]Use\\w*GC");
    private static final Pattern SETS_MAX_HEAP = Pattern.compile(
            "-Xmx.*|-XX:(MaxHeapSize|MaxRAMPercentage|MaxRAMFraction|MaxRAM|MinRAMPercentage|MinRAMFraction)=.*");
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
                "multitables4j-child-cleanup"));
    }

    private final Path file;
    private final List<Dataset> arrays = new CopyOnWriteArrayList<>();
    private final SharedArena arena;
    private final List<String> jvmOptions;
    private final int maxFailures;
    private final List<Child> children = new ArrayList<>();
    private final String classpath;
    private final Path socketDir;
    private volatile boolean closed;
    private volatile long readTimeoutNanos;
    private volatile long startTimeoutNanos = TimeUnit.SECONDS.toNanos(60);
    private Thread watchdog;
    private final AtomicLong restarts = new AtomicLong();

    /**
     * A dataset the children read.
     *
     * @param array  the parent's description of it
     * @param file   the HDF5 file holding it
     * @param path   its path in the file
     * @param column a column of the compound dataset at {@code path}, or null
     */
    public record Dataset(Hdf5Array array, Path file, String path, String column) {
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
        this(arrays.get(0).file(), arena, jvmOptions, maxFailures);
        this.arrays.addAll(arrays);
    }

    /**
     * A pool whose datasets are added later with {@link #register} (the Reader opens datasets on
     * demand).
     *
     * @param file        the file named in messages
     * @param arena       the shared memory all buffers come from; the control sockets are bound
     *                    in its directory
     * @param jvmOptions  options of the child JVMs, after the defaults so they win (see the class
     *                    comment for how the default GC and heap flags give way)
     * @param maxFailures failures in a row (deaths, failed starts, timeouts) of one worker's child
     *                    before its read fails
     */
    public ChildPool(Path file, SharedArena arena, List<String> jvmOptions, int maxFailures) {
        if (maxFailures < 1) {
            throw new InvalidConfigurationException("maxFailures must be at least 1, got " + maxFailures);
        }
        this.file = file == null ? null : file.toAbsolutePath();
        this.arena = arena;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.maxFailures = maxFailures;
        this.classpath = System.getProperty("multitables4j.workerClasspath", System.getProperty("java.class.path"));
        this.socketDir = ControlSocket.directory(arena.path().toAbsolutePath().getParent());
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
            readTimeoutNanos = nanos;
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
        startTimeoutNanos = saturatedNanos(timeout);
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
        Child c = new Child(index);
        children.add(c);
        if (readTimeoutNanos > 0) {
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
        for (Dataset d : arrays) {
            if (d.array() == dataset.array()) {
                return;
            }
        }
        arrays.add(dataset);
    }

    /** @return process ids of the children alive now */
    public synchronized List<Long> pids() {
        List<Long> out = new ArrayList<>();
        for (Child c : children) {
            Process p = c.process;
            if (p != null && p.isAlive()) {
                out.add(p.pid());
            }
        }
        return out;
    }

    /** @return children started again after one died, failed to start or timed out, over the pool's life */
    public long restarts() {
        return restarts.get();
    }

    /**
     * @return the directory of the control sockets: the shared-memory directory, or a shorter
     *         one when a socket path there would be too long
     */
    public Path socketDirectory() {
        return socketDir;
    }

    /**
     * The command line of a child.
     *
     * @param socket the control socket it connects to
     * @return java, its options, the classpath, {@link ChildMain} and the socket
     */
    List<String> command(Path socket) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(defaultOptions(jvmOptions, System.getenv()));
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(ChildMain.class.getName());
        cmd.add(socket.toString());
        return cmd;
    }

    /**
     * The default options of a child JVM that {@code options} do not override.
     *
     * @param options the pool's JVM options
     * @param env     the environment the child inherits (its {@code JAVA_TOOL_OPTIONS},
     *                {@code JDK_JAVA_OPTIONS} and {@code _JAVA_OPTIONS} may select a collector too)
     * @return the defaults to put before {@code options}
     */
    static List<String> defaultOptions(List<String> options, Map<String, String> env) {
        List<String> gcSources = new ArrayList<>(options);
        for (String var : List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS")) {
            String v = env.get(var);
            if (v != null && !v.isBlank()) {
                gcSources.addAll(List.of(v.trim().split("\\s+")));
            }
        }
        List<String> out = new ArrayList<>();
        if (gcSources.stream().noneMatch(o -> SELECTS_GC.matcher(o).matches())) {
            out.add("-XX:+UseSerialGC");
        }
        out.add("-XX:+ExitOnOutOfMemoryError");
        out.add("-XX:-UsePerfData");
        if (options.stream().noneMatch(o -> SETS_MAX_HEAP.matcher(o).matches())) {
            out.add("-Xmx1g");
        }
        return out;
    }

    /** Starts the thread that kills children past their read deadline; caller holds the pool lock. */
    private void startWatchdog() {
        if (watchdog != null || closed) {
            return;
        }
        Thread t = new Thread(this::watch, "multitables4j-child-watchdog");
        t.setDaemon(true);
        watchdog = t;
        t.start();
    }

    private void watch() {
        while (!closed) {
            long timeout = readTimeoutNanos;
            List<Child> cs;
            synchronized (this) {
                cs = new ArrayList<>(children);
            }
            long now = System.nanoTime();
            for (Child c : cs) {
                // the process first: a deadline read after it is never older than it
                Process p = c.process;
                long d = c.deadline;
                if (d != NO_DEADLINE && now - d > 0 && p != null && p.isAlive()) {
                    c.timedOut = true;
                    p.destroyForcibly();
                }
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
        List<Child> cs;
        Thread w;
        synchronized (this) {
            closed = true;
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
        for (Child c : cs) {
            boolean starting = c.pending != null;
            c.hangUp();
            Process p = c.process;
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
            LIVE.remove(p);
        }
        for (Child c : cs) {
            SocketChannel ch = c.channel;
            if (ch != null) {
                closeQuietly(ch);
            }
            Thread d = c.drainer;
            if (d != null) {
                try {
                    d.join(1000);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
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

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    /**
     * Writes an {@link #ERROR} answer: the exception's class, message and (up to 64 frames of)
     * stack, rebuilt by the parent.
     *
     * @param out the answer stream
     * @param t   the failure
     * @throws IOException when the stream fails
     */
    static void writeError(DataOutputStream out, Throwable t) throws IOException {
        out.writeByte(ERROR);
        out.writeUTF(t.getClass().getName());
        out.writeUTF(truncate(String.valueOf(t.getMessage())));
        StackTraceElement[] st = t.getStackTrace();
        int n = Math.min(st.length, 64);
        out.writeInt(n);
        for (int i = 0; i < n; i++) {
            out.writeUTF(st[i].getClassName());
            out.writeUTF(st[i].getMethodName());
            out.writeUTF(st[i].getFileName() == null ? "" : st[i].getFileName());
            out.writeInt(st[i].getLineNumber());
        }
    }

    private static String truncate(String s) {
        return s.length() > 16000 ? s.substring(0, 16000) + "..." : s;
    }

    private static RuntimeException readError(DataInputStream in) throws IOException {
        String cls = in.readUTF();
        String msg = in.readUTF();
        int n = in.readInt();
        StackTraceElement[] st = new StackTraceElement[n];
        for (int i = 0; i < n; i++) {
            String c = in.readUTF();
            String m = in.readUTF();
            String f = in.readUTF();
            st[i] = new StackTraceElement(c, m, f.isEmpty() ? null : f, in.readInt());
        }
        RuntimeException e;
        if (cls.equals(CorruptDataException.class.getName())) {
            e = new CorruptDataException(msg);
        } else if (cls.equals(UnsupportedHdf5Exception.class.getName())) {
            e = new UnsupportedHdf5Exception(msg);
        } else if (cls.equals(InvalidConfigurationException.class.getName())) {
            e = new InvalidConfigurationException(msg);
        } else if (cls.equals(MultitablesException.class.getName())) {
            e = new MultitablesException(msg);
        } else {
            e = new MultitablesException("a worker process failed: " + cls + ": " + msg);
        }
        e.setStackTrace(st);
        return e;
    }

    /** The logger, initialised on first use only (children call {@link #writeError} and need none). */
    private static final class Log {
        static final Logger LOG = LoggerFactory.getLogger(ChildPool.class);
    }

    /** The listening socket of one start, bound by the child's output thread. */
    private static final class PendingSocket {
        private final java.util.concurrent.CompletableFuture<ControlSocket.Listener> bound =
                new java.util.concurrent.CompletableFuture<>();

        /** Binds; a start abandoned meanwhile closes the listener at once. */
        void bind(Path path, byte[] token, Process child) {
            try {
                bound.complete(ControlSocket.Listener.bind(path, token));
            } catch (IOException | RuntimeException e) {
                bound.completeExceptionally(e);
                child.destroyForcibly(); // it could never connect
            }
        }

        /** @return the listener, once bound (within moments of the start) */
        ControlSocket.Listener listener() throws IOException {
            try {
                return bound.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.nio.channels.ClosedByInterruptException();
            } catch (java.util.concurrent.ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            }
        }

        /** Closes the listener (deleting its file) now or as soon as it is bound. */
        void abandon() {
            bound.thenAccept(ControlSocket.Listener::close);
        }
    }

    /** Writes one request. */
    private interface Request {
        void write(DataOutputStream out) throws IOException;
    }

    /** One worker's child process, restarted when it dies. Used by one worker thread at a time. */
    private final class Child implements BlockIo {
        private final int index;
        private volatile Process process;
        /** The control socket of the started child until it has connected, else null. */
        private volatile PendingSocket pending;
        private volatile SocketChannel channel;
        private DataOutputStream out;
        private DataInputStream in;
        private boolean greeted;
        private int known;
        private final ArrayDeque<String> tail = new ArrayDeque<>();
        private Throwable startFailure;
        private byte[] parentToken;
        private volatile Thread drainer;
        /** System.nanoTime() by which the pending request must be answered, or NO_DEADLINE. */
        private volatile long deadline = NO_DEADLINE;
        private volatile boolean timedOut;

        Child(int index) {
            this.index = index;
        }

        void startQuietly() {
            try {
                start();
            } catch (IOException | RuntimeException e) {
                // reported by the first read, which tries again
                if (process == null) {
                    startFailure = e;
                }
            }
        }

        /**
         * Starts the JVM, binds its control socket while it boots and writes its configuration
         * on its stdin; does not wait for it.
         */
        private synchronized void start() throws IOException {
            if (closed) {
                throw new IteratorClosedException("the worker processes are closed");
            }
            Path sock = ControlSocket.newPath(socketDir);
            byte[] tokens = ControlSocket.randomBytes(2 * ControlSocket.TOKEN_BYTES);
            Process p = new ProcessBuilder(command(sock)).redirectErrorStream(true).start();
            LIVE.add(p);
            process = p;
            greeted = false;
            timedOut = false;
            parentToken = java.util.Arrays.copyOfRange(tokens, ControlSocket.TOKEN_BYTES, tokens.length);
            synchronized (tail) {
                tail.clear();
            }
            PendingSocket ps = new PendingSocket();
            pending = ps;
            byte[] childToken = java.util.Arrays.copyOf(tokens, ControlSocket.TOKEN_BYTES);
            // the output thread binds the socket while the JVM boots (the child retries until it
            // exists): the first bind of a JVM loads the socket classes, tens of milliseconds
            // this thread need not wait for before it starts the next worker's child
            Thread drain = new Thread(() -> {
                ps.bind(sock, childToken, p);
                drain(p);
            }, "multitables4j-child-" + index + "-output");
            drain.setDaemon(true);
            drain.start();
            drainer = drain;
            List<Dataset> now = List.copyOf(arrays);
            try (DataOutputStream cfg = new DataOutputStream(new BufferedOutputStream(p.getOutputStream(), 1 << 16))) {
                cfg.writeInt(MAGIC);
                cfg.write(tokens);
                cfg.writeLong(startTimeoutNanos);
                cfg.writeLong(ProcessHandle.current().pid());
                cfg.writeInt(now.size());
                for (Dataset a : now) {
                    writeDataset(cfg, a);
                }
                cfg.writeUTF(arena.path().toString());
            } catch (IOException e) {
                // it died already; its first read says how
            }
            known = now.size();
            if (closed) {
                // close() may have looked before this process was set
                hangUp();
                p.destroyForcibly();
                LIVE.remove(p);
                throw new IteratorClosedException("the worker processes are closed");
            }
        }

        /** Waits for the started child to connect, then proves to it that this is its parent. */
        private void connect() throws IOException {
            PendingSocket ps = pending;
            if (ps == null) {
                throw new IOException("the worker process has no control socket");
            }
            SocketChannel ch;
            try {
                ch = ps.listener().accept(process, startTimeoutNanos, () -> closed);
            } finally {
                pending = null;
                ps.abandon();
            }
            channel = ch;
            out = new DataOutputStream(new BufferedOutputStream(ControlSocket.out(ch), 1 << 16));
            in = new DataInputStream(new BufferedInputStream(ControlSocket.in(ch), 1 << 12));
            if (closed) {
                throw new IOException("closed while the worker process connected");
            }
            out.write(parentToken);
            out.flush();
        }

        /** Stops listening and shuts the control socket's output down; the child then exits. */
        void hangUp() {
            PendingSocket ps = pending;
            if (ps != null) {
                ps.abandon();
            }
            SocketChannel ch = channel;
            if (ch != null) {
                try {
                    ch.shutdownOutput();
                } catch (IOException ignored) {
                    // already closed
                }
            }
        }

        private void writeDataset(DataOutputStream o, Dataset a) throws IOException {
            // a local file's absolute path or a remote file's URI, then how to open it (remote
            // options with the Hadoop configuration; private: stdin or the authenticated socket)
            o.writeUTF(a.array().file().location());
            byte[] how = a.array().file().reopenSettings();
            o.writeInt(how.length);
            o.write(how);
            o.writeUTF(a.path());
            o.writeBoolean(a.column() != null);
            if (a.column() != null) {
                o.writeUTF(a.column());
            }
        }

        private void drain(Process p) {
            boolean debug = Log.LOG.isDebugEnabled();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (debug) {
                        Log.LOG.debug("worker process {} (pid {}): {}", index, p.pid(), line);
                    }
                    String kept = line.length() > TAIL_LINE_CHARS ? line.substring(0, TAIL_LINE_CHARS) + "..." : line;
                    synchronized (tail) {
                        tail.add(kept);
                        while (tail.size() > TAIL_LINES) {
                            tail.poll();
                        }
                    }
                }
            } catch (IOException ignored) {
                // the child is gone
            }
        }

        private int source(Hdf5Array a) {
            for (int i = 0; i < arrays.size(); i++) {
                if (arrays.get(i).array() == a) {
                    return i;
                }
            }
            throw new IllegalArgumentException("dataset " + a.path() + " is not read by these worker processes");
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
            int src = source(array);
            SharedArena.Ref r = arena.ref(dst);
            call(o -> {
                o.writeByte(OP_BLOCK);
                o.writeInt(src);
                o.writeInt(block);
                o.writeLong(r.segmentStart());
                o.writeInt(r.segmentBytes());
                o.writeInt(r.offset() + offset);
                o.writeInt(len);
            });
        }

        @Override
        public void readRuns(Hdf5Array array, long[] rows, int[] counts, int[] offsets, int runs, ByteBuffer dst) {
            int src = source(array);
            SharedArena.Ref r = arena.ref(dst);
            int rowBytes = array.rowBytes();
            for (int i = 0; i < runs; i++) {
                if (offsets[i] < 0 || (long) offsets[i] + (long) counts[i] * rowBytes > dst.capacity()) {
                    throw new IndexOutOfBoundsException("run " + i + " does not fit the buffer");
                }
            }
            call(o -> {
                o.writeByte(OP_RUNS);
                o.writeInt(src);
                o.writeInt(runs);
                o.writeLong(r.segmentStart());
                o.writeInt(r.segmentBytes());
                o.writeInt(r.offset());
                for (int i = 0; i < runs; i++) {
                    o.writeLong(rows[i]);
                    o.writeInt(counts[i]);
                    o.writeInt(offsets[i]);
                }
            });
        }

        private synchronized void call(Request req) {
            int failures = 0;
            while (true) {
                try {
                    if (process == null) {
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
                    if (!greeted) {
                        connect();
                        exchange(null);
                        greeted = true;
                    }
                    while (known < arrays.size()) {
                        Dataset d = arrays.get(known);
                        exchange(o -> {
                            o.writeByte(OP_OPEN);
                            writeDataset(o, d);
                        });
                        known++;
                    }
                    exchange(req);
                    return;
                } catch (IOException e) {
                    boolean interrupted = e instanceof ClosedByInterruptException || Thread.currentThread().isInterrupted();
                    String why = buried(e);
                    failures++;
                    if (closed) {
                        throw new IteratorClosedException("the worker processes were closed (" + why + ")");
                    }
                    if (interrupted) {
                        Thread.currentThread().interrupt();
                        throw new MultitablesException("interrupted while worker process " + index + " read " + file
                                + "; the child was ended (" + why + ")", e);
                    }
                    if (failures >= maxFailures) {
                        throw new MultitablesException("worker process " + index + " for " + file + " died " + failures
                                + " times in a row; last: " + why, e);
                    }
                    restarts.incrementAndGet();
                }
            }
        }

        /** Sends {@code req} (none: the greeting was sent by connect) and reads its answer, under the read deadline. */
        private void exchange(Request req) throws IOException {
            long t = readTimeoutNanos;
            deadline = t > 0 ? System.nanoTime() + t : NO_DEADLINE;
            try {
                if (req != null) {
                    req.write(out);
                    out.flush();
                }
                answer();
            } finally {
                deadline = NO_DEADLINE;
            }
        }

        private void answer() throws IOException {
            int status = in.readByte();
            if (status == OK) {
                return;
            }
            if (status != ERROR) {
                throw new IOException("unexpected answer " + status + " from the worker process");
            }
            throw readError(in);
        }

        /** Reaps a dead (or broken, or hung) child and describes how it ended. */
        private String buried(IOException e) {
            Process p = process;
            Thread d = drainer;
            boolean late = timedOut;
            process = null;
            drainer = null;
            startFailure = null;
            greeted = false;
            timedOut = false;
            PendingSocket ps = pending;
            pending = null;
            if (ps != null) {
                ps.abandon();
            }
            SocketChannel ch = channel;
            channel = null;
            if (ch != null) {
                closeQuietly(ch); // a live child sees end of file and exits
            }
            if (p == null) {
                return String.valueOf(e.getMessage());
            }
            boolean neverConnected = e instanceof java.net.SocketTimeoutException;
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
            LIVE.remove(p);
            String status = exited ? "exit status " + p.exitValue() + describeSignal(p.exitValue()) : "did not exit";
            if (late) {
                status = "did not answer within " + TimeUnit.NANOSECONDS.toMillis(readTimeoutNanos) + " ms; killed ("
                        + status + ")";
            } else if (neverConnected) {
                status = "did not connect within " + TimeUnit.NANOSECONDS.toMillis(startTimeoutNanos) + " ms; killed ("
                        + status + ")";
            }
            // the child's output ends with it: wait for its last lines
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
            String last;
            synchronized (tail) {
                last = String.join(" | ", tail);
            }
            return status + (last.isEmpty() ? "" : "; its last output: " + last) + " (" + e + ")";
        }

        private String describeSignal(int code) {
            return code > 128 && code < 160 ? " (signal " + (code - 128) + ")" : "";
        }

        @Override
        public void close() {
            Process p;
            Thread d;
            SocketChannel ch;
            hangUp();
            synchronized (this) {
                p = process;
                process = null;
                d = drainer;
                drainer = null;
                ch = channel;
                channel = null;
            }
            if (p != null) {
                try {
                    if (!p.waitFor(2, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                        p.waitFor(5, TimeUnit.SECONDS);
                    }
                } catch (InterruptedException e) {
                    p.destroyForcibly();
                    Thread.currentThread().interrupt();
                }
                LIVE.remove(p);
            }
            if (ch != null) {
                closeQuietly(ch);
            }
            if (d != null) {
                try {
                    d.join(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
