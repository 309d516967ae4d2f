package org.multitables4j.internal.workers;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The control connection of one child process: a Unix domain socket, so that the child's stdout
 * and stderr stay plain log output (JVM warnings, {@code -Xlog} lines, "Error occurred during
 * initialization of VM") and can never be mistaken for an answer.
 *
 * <p>For every start the parent picks a unique socket path ({@code multitables4j-<pid>-<random>.sock})
 * next to the shared-memory file, or in {@code java.io.tmpdir} or {@code /tmp} when that path
 * would be too long for a socket address, passes it to the child as its argument, and binds it
 * (mode 0600) while the child JVM boots. Two random tokens travel on the child's stdin with its
 * configuration: the child connects (retrying until the socket exists), sends the first, and
 * acts on nothing before it has read the second from the parent; the parent accepts only a
 * connection that sends the first. So neither side can be talked to by another local process.
 * The parent deletes the socket file once the child is connected (the connection lives on
 * without it), when the start fails and when the pool closes; a shutdown hook deletes pending
 * ones when the JVM exits first, and the stale-file sweep of {@link SharedArena#removeStale}
 * those a crashed JVM left.
 *
 * <p>The accepted connection carries the whole protocol; when the child dies its end is closed
 * by the kernel, so a parent waiting for an answer sees end of file at once.
 */
final class ControlSocket {
    /** Suffix of socket file names (their prefix and pid part are those of the arena files). */
    static final String SUFFIX = SharedArena.SOCKET_SUFFIX;
    /** Bytes of each token. */
    static final int TOKEN_BYTES = 16;
    /** sun_path holds 108 bytes with the terminating NUL; keep a margin. */
    private static final int MAX_PATH_BYTES = 100;
    private static final Set<Path> SWEPT = ConcurrentHashMap.newKeySet();

    private ControlSocket() {
    }

    /**
     * The directory of the sockets of a pool whose arena lies in {@code preferred}: that directory
     * when a socket path in it is short enough, else {@code java.io.tmpdir}, else {@code /tmp}.
     * Stale sockets of dead processes are removed from a fallback directory the first time it is
     * used.
     *
     * @param preferred the shared-memory directory
     * @return the directory to bind in
     */
    static Path directory(Path preferred) {
        List<Path> candidates = new ArrayList<>();
        candidates.add(preferred.toAbsolutePath());
        candidates.add(Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath());
        candidates.add(Path.of("/tmp"));
        String sample = name(Long.MAX_VALUE);
        for (Path d : candidates) {
            if (d.resolve(sample).toString().getBytes(StandardCharsets.UTF_8).length <= MAX_PATH_BYTES
                    && Files.isDirectory(d) && Files.isWritable(d)) {
                if (!d.equals(candidates.get(0)) && SWEPT.add(d)) {
                    SharedArena.removeStale(d);
                }
                return d;
            }
        }
        // let bind() report the problem with the path it could not use
        return candidates.get(0);
    }

    private static String name(long random) {
        return SharedArena.PREFIX + ProcessHandle.current().pid() + "-" + HexFormat.of().toHexDigits(random) + SUFFIX;
    }

    /**
     * @param dir the directory, from {@link #directory}
     * @return a socket path with a unique name in it, not yet bound
     */
    static Path newPath(Path dir) {
        return dir.resolve(name(ByteBuffer.wrap(randomBytes(8)).getLong()));
    }

    /**
     * @param n how many
     * @return random bytes from {@code /dev/urandom} (a {@link SecureRandom} would first load
     *         the security providers: tens of milliseconds at start-up), else a SecureRandom
     */
    static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        try (InputStream in = Files.newInputStream(Path.of("/dev/urandom"))) {
            if (in.readNBytes(b, 0, n) == n) {
                return b;
            }
        } catch (IOException | RuntimeException ignored) {
            // not there: use the JDK's
        }
        new SecureRandom().nextBytes(b);
        return b;
    }

    /**
     * Connects a child to its parent's socket, retrying while the parent has not bound it yet.
     *
     * @param path         the socket
     * @param timeoutNanos how long to keep trying
     * @param parentPid    the parent; trying stops when it is gone (this process was re-parented)
     * @return the connection, in blocking mode
     * @throws IOException when no connection was made in time or the parent is gone
     */
    static SocketChannel connect(Path path, long timeoutNanos, long parentPid) throws IOException {
        long deadline = System.nanoTime() + timeoutNanos;
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(path);
        while (true) {
            try {
                return SocketChannel.open(address);
            } catch (IOException e) {
                boolean orphaned = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L) != parentPid;
                // (looked up only here: ProcessHandle costs class loading at every child's start)
                if (orphaned || System.nanoTime() - deadline > 0) {
                    throw new IOException("cannot connect to " + path + (orphaned ? " (the parent is gone)" : "") + ": " + e, e);
                }
                try {
                    Thread.sleep(2);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while connecting to " + path);
                }
            }
        }
    }

    /**
     * @param a a token
     * @param b another
     * @return whether they are equal, compared in constant time (without loading
     *         {@code MessageDigest} in every child)
     */
    static boolean sameToken(byte[] a, byte[] b) {
        if (a.length != b.length) {
            return false;
        }
        int diff = 0;
        for (int i = 0; i < a.length; i++) {
            diff |= a[i] ^ b[i];
        }
        return diff == 0;
    }

    /** @return socket files bound by this JVM and not yet deleted (a child is connecting to each) */
    static Set<Path> pending() {
        return Set.copyOf(Listener.PENDING);
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // the stale-file sweep of a later run removes it
        }
    }

    /** A listening socket awaiting one child; closing it deletes its file. */
    static final class Listener implements AutoCloseable {
        private static final Set<Path> PENDING = ConcurrentHashMap.newKeySet();

        static {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> PENDING.forEach(ControlSocket::deleteQuietly),
                    "multitables4j-socket-cleanup"));
        }

        private final Path path;
        private final ServerSocketChannel server;
        private final byte[] token;
        private volatile boolean closed;

        private Listener(Path path, ServerSocketChannel server, byte[] token) {
            this.path = path;
            this.server = server;
            this.token = token;
        }

        /**
         * Binds the socket at {@code path} (mode 0600).
         *
         * @param path  from {@link #newPath}
         * @param token what the child must send first
         * @return the listener
         * @throws IOException when it cannot be bound (the path exists, is too long, ...)
         */
        static Listener bind(Path path, byte[] token) throws IOException {
            ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                s.bind(UnixDomainSocketAddress.of(path), 4);
            } catch (IOException | RuntimeException e) {
                s.close();
                throw new IOException("cannot bind the control socket " + path + ": " + e, e);
            }
            PENDING.add(path);
            try {
                Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
            } catch (IOException | UnsupportedOperationException ignored) {
                // the tokens still keep other processes out
            }
            return new Listener(path, s, token.clone());
        }

        /** @return the socket file */
        Path path() {
            return path;
        }

        /**
         * Waits for {@code child} to connect and send the token, and returns the connection in
         * blocking mode. Returns as soon as the child exits (end of file, naming that it ended
         * before it connected) or the wait is abandoned.
         *
         * @param child        the process expected to connect
         * @param timeoutNanos how long to wait
         * @param abandoned    true when the caller gives up (the pool closes)
         * @return the child's connection
         * @throws IOException when the child ended, did not connect in time, or the wait was
         *                     abandoned or interrupted
         */
        SocketChannel accept(Process child, long timeoutNanos, BooleanSupplier abandoned) throws IOException {
            long deadline = System.nanoTime() + timeoutNanos;
            List<SocketChannel> candidates = new ArrayList<>();
            SocketChannel chosen = null;
            try {
                try (Selector sel = Selector.open()) {
                    server.configureBlocking(false);
                    server.register(sel, SelectionKey.OP_ACCEPT);
                    child.onExit().thenRun(() -> {
                        try {
                            sel.wakeup();
                        } catch (RuntimeException ignored) {
                            // already closed
                        }
                    });
                    while (chosen == null) {
                        if (closed || abandoned.getAsBoolean()) {
                            throw new IOException("the wait for the worker process was abandoned");
                        }
                        if (Thread.currentThread().isInterrupted()) {
                            throw new ClosedByInterruptException();
                        }
                        if (!child.isAlive()) {
                            throw new EOFException("the worker process ended before it connected");
                        }
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            throw new SocketTimeoutException("the worker process did not connect within "
                                    + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
                        }
                        sel.select(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 250)));
                        for (Iterator<SelectionKey> i = sel.selectedKeys().iterator(); i.hasNext() && chosen == null; ) {
                            SelectionKey k = i.next();
                            i.remove();
                            if (!k.isValid()) {
                                continue;
                            }
                            if (k.isAcceptable()) {
                                SocketChannel c = server.accept();
                                if (c != null) {
                                    candidates.add(c);
                                    c.configureBlocking(false);
                                    c.register(sel, SelectionKey.OP_READ, ByteBuffer.allocate(TOKEN_BYTES));
                                }
                            } else if (k.isReadable()) {
                                SocketChannel c = (SocketChannel) k.channel();
                                ByteBuffer b = (ByteBuffer) k.attachment();
                                int n = c.read(b);
                                if (n < 0 || !b.hasRemaining() && !sameToken(b.array(), token)) {
                                    k.cancel();
                                    candidates.remove(c);
                                    c.close();
                                } else if (!b.hasRemaining()) {
                                    k.cancel();
                                    candidates.remove(c);
                                    chosen = c;
                                }
                            }
                        }
                    }
                }
                // the selector is closed, so the channel is deregistered and may block again
                chosen.configureBlocking(true);
                return chosen;
            } catch (IOException | RuntimeException e) {
                if (chosen != null) {
                    chosen.close();
                }
                throw e;
            } finally {
                for (SocketChannel c : candidates) {
                    try {
                        c.close();
                    } catch (IOException ignored) {
                        // not ours
                    }
                }
                close();
            }
        }

        /** Stops listening and deletes the socket file; an accepted connection stays open. */
        @Override
        public void close() {
            closed = true;
            try {
                server.close();
            } catch (IOException ignored) {
                // nothing to release
            }
            deleteQuietly(path);
            PENDING.remove(path);
        }
    }

    /**
     * @param ch a connected channel in blocking mode
     * @return its bytes as a stream (without the channel-stream locks, so another thread may shut
     *         the channel down while this one waits)
     */
    static InputStream in(SocketChannel ch) {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                return ch.read(ByteBuffer.wrap(b, off, len));
            }
        };
    }

    /**
     * @param ch a connected channel in blocking mode
     * @return a stream writing to it
     */
    static OutputStream out(SocketChannel ch) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                ByteBuffer buf = ByteBuffer.wrap(b, off, len);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            }
        };
    }
}
