package org.multitables4j.internal.workers;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.regex.Pattern;
import org.multitables4j.IteratorClosedException;
import org.multitables4j.internal.hdf5.ByteSources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts child JVMs: builds the command line, starts the process, binds its control socket while
 * it boots, writes its configuration on its stdin ({@link Wire}), captures its output, and
 * completes the handshake when it connects. Every process started is killed by a shutdown hook
 * if this JVM exits first.
 */
final class ChildLauncher {
    private static final int TAIL_LINES = 20;
    private static final int TAIL_LINE_CHARS = 1000;
    private static final Pattern SELECTS_GC = Pattern.compile("-XX:[+-]Use\\w*GC");
    private static final Pattern SETS_MAX_HEAP = Pattern.compile(
            "-Xmx.*|-XX:(MaxHeapSize|MaxRAMPercentage|MaxRAMFraction|MaxRAM|MinRAMPercentage|MinRAMFraction)=.*");
    private static final Pattern SETS_ERROR_FILE = Pattern.compile("-XX:ErrorFile=.*");
    /** Processes started and not yet reaped. */
    static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
                "multitables4j-child-cleanup"));
    }

    private final PoolState state;
    private final List<String> jvmOptions;
    private String classpath;
    private final Path socketDir;
    private final Path errorDir;

    /**
     * @param state      the pool's datasets, shared memory and limits
     * @param jvmOptions options of the child JVMs, after the defaults so they win
     */
    ChildLauncher(PoolState state, List<String> jvmOptions) {
        this.state = state;
        this.jvmOptions = List.copyOf(jvmOptions);
        Path shmDir = state.arena.path().toAbsolutePath().getParent();
        this.socketDir = ControlSocket.directory(shmDir);
        this.errorDir = shmDir;
    }

    /** @return the directory of the control sockets */
    Path socketDirectory() {
        return socketDir;
    }

    /**
     * @return the class path of the children: {@code multitables4j.workerClasspath} when set;
     *     this JVM's whole class path when a file is remote (Hadoop's client and whatever its
     *     configuration names); else only the entries a child loads from ({@link ChildClasspath})
     */
    synchronized String classpath() {
        if (classpath == null) {
            String given = System.getProperty("multitables4j.workerClasspath");
            String all = System.getProperty("java.class.path");
            boolean remote = ByteSources.remoteUri(state.file) != null;
            for (PoolState.Entry e : state.sources) {
                remote |= e.source().remote() != null;
            }
            classpath = given != null ? given : remote ? all : ChildClasspath.trimmed(all, ChildLauncher.class.getClassLoader());
        }
        return classpath;
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
        if (jvmOptions.stream().noneMatch(o -> SETS_ERROR_FILE.matcher(o).matches())) {
            // a crash report goes next to the shared memory, never into the user's working directory
            cmd.add("-XX:ErrorFile=" + errorDir.resolve("multitables4j-hs_err_pid%p.log"));
        }
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(classpath());
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

    /**
     * Starts a child JVM, binds its control socket while it boots and writes its configuration
     * (the datasets known now) on its stdin; does not wait for it.
     *
     * @param index the worker's index, in thread names and log lines
     * @return the started child
     * @throws IOException when the process cannot be started
     */
    Started start(int index) throws IOException {
        if (state.closed) {
            throw new IteratorClosedException("the worker processes are closed");
        }
        Path sock = ControlSocket.newPath(socketDir);
        byte[] tokens = ControlSocket.randomBytes(2 * ControlSocket.TOKEN_BYTES);
        Process p = new ProcessBuilder(command(sock)).redirectErrorStream(true).start();
        LIVE.add(p);
        Started s = new Started(index, p, Arrays.copyOfRange(tokens, ControlSocket.TOKEN_BYTES, tokens.length));
        byte[] childToken = Arrays.copyOf(tokens, ControlSocket.TOKEN_BYTES);
        // the output thread binds the socket while the JVM boots (the child retries until it
        // exists): the first bind of a JVM loads the socket classes, tens of milliseconds
        // this thread need not wait for before it starts the next worker's child
        Thread drain = new Thread(() -> {
            s.pending.bind(sock, childToken, p);
            s.drain();
        }, "multitables4j-child-" + index + "-output");
        drain.setDaemon(true);
        drain.start();
        s.drainer = drain;
        List<PoolState.Entry> now = List.copyOf(state.sources);
        try (DataOutputStream cfg = new DataOutputStream(new BufferedOutputStream(p.getOutputStream(), 1 << 16))) {
            cfg.writeInt(Wire.MAGIC);
            cfg.write(tokens);
            cfg.writeLong(state.startTimeoutNanos);
            cfg.writeLong(ProcessHandle.current().pid());
            cfg.writeInt(now.size());
            for (PoolState.Entry e : now) {
                Wire.writeSource(cfg, e.source());
            }
            cfg.writeUTF(state.arena.path().toString());
        } catch (IOException e) {
            // it died already; its first read says how
        }
        s.known = now.size();
        if (state.closed) {
            // the pool's close() may have looked before this process was published
            s.hangUp();
            p.destroyForcibly();
            LIVE.remove(p);
            throw new IteratorClosedException("the worker processes are closed");
        }
        return s;
    }

    /** One started child JVM: its process, control socket and captured output. */
    final class Started {
        final int index;
        final Process process;
        private final PendingSocket pending = new PendingSocket();
        private volatile boolean connecting = true;
        private final byte[] parentToken;
        private final ArrayDeque<String> tail = new ArrayDeque<>();
        volatile Thread drainer;
        volatile SocketChannel channel;
        /** Datasets the child has been told of. */
        int known;

        private Started(int index, Process process, byte[] parentToken) {
            this.index = index;
            this.process = process;
            this.parentToken = parentToken;
        }

        /** @return whether it has not connected yet (so it has no read to finish) */
        boolean connecting() {
            return connecting;
        }

        /**
         * Waits for the child to connect, then proves to it that this is its parent.
         *
         * @return the request and answer streams
         * @throws IOException when it exits, does not connect in time, or the pool closes meanwhile
         */
        Connection connect() throws IOException {
            SocketChannel ch;
            try {
                ch = pending.listener().accept(process, state.startTimeoutNanos, () -> state.closed);
            } finally {
                connecting = false;
                pending.abandon();
            }
            channel = ch;
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(ControlSocket.out(ch), 1 << 16));
            DataInputStream in = new DataInputStream(new BufferedInputStream(ControlSocket.in(ch), 1 << 12));
            if (state.closed) {
                throw new IOException("closed while the worker process connected");
            }
            out.write(parentToken);
            out.flush();
            return new Connection(in, out);
        }

        /** Stops listening and shuts the control socket's output down; the child then exits. */
        void hangUp() {
            pending.abandon();
            SocketChannel ch = channel;
            if (ch != null) {
                try {
                    ch.shutdownOutput();
                } catch (IOException ignored) {
                    // already closed
                }
            }
        }

        /** Closes the control socket; a live child sees end of file and exits. */
        void closeChannel() {
            pending.abandon();
            SocketChannel ch = channel;
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // already closed
                }
            }
        }

        /** @return its last lines of output, joined with " | " */
        String lastOutput() {
            synchronized (tail) {
                return String.join(" | ", tail);
            }
        }

        private void drain() {
            Process p = process;
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
    }

    /** The request and answer streams of a connected child. */
    record Connection(DataInputStream in, DataOutputStream out) {
    }

    /** The logger, initialised on first use only. */
    private static final class Log {
        static final Logger LOG = LoggerFactory.getLogger("org.multitables4j.internal.workers.ChildPool");
    }

    /** The listening socket of one start, bound by the child's output thread. */
    private static final class PendingSocket {
        private final CompletableFuture<ControlSocket.Listener> bound = new CompletableFuture<>();

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
                throw new ClosedByInterruptException();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            }
        }

        /** Closes the listener (deleting its file) now or as soon as it is bound. */
        void abandon() {
            bound.thenAccept(ControlSocket.Listener::close);
        }
    }
}
