package org.multitables4j.workers;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.multitables4j.CorruptDataException;
import org.multitables4j.InvalidConfigurationException;
import org.multitables4j.MultitablesException;
import org.multitables4j.UnsupportedHdf5Exception;
import org.multitables4j.hdf5.Hdf5Array;

/**
 * Worker processes: one child JVM per worker, started with this JVM's classpath and
 * {@link ChildMain}. Each child opens the HDF5 file and the {@link SharedArena} itself and
 * executes reads (decode block {@code b} into shared memory at an offset; read runs of contiguous
 * rows into shared memory), answering each on its stdout pipe.
 *
 * <p>Protocol (big-endian, {@code DataOutputStream}): the parent sends {@link #MAGIC}, the sources
 * (HDF5 file, dataset path, optional column) and the arena path; the child answers
 * {@link #OK} or an error. A request is an op byte, the source index and its arguments; an answer
 * is {@link #OK} or {@link #ERROR} followed by the exception's class, message and stack.
 *
 * <p>A child that dies (signal, {@code OutOfMemoryError}, crash) is noticed at once: the pipe
 * reaches end of file while its worker waits for the answer. The request is repeated on a fresh
 * child; reads are idempotent and the parent's scheduling state never moved, so no row is lost or
 * delivered twice. After {@code maxFailures} deaths in a row on one worker the read fails with the
 * exit status and the child's last output. An exception inside the child (a corrupt chunk) is not
 * retried: it is rebuilt in the parent with the child's message and stack.
 */
public final class ChildPool implements AutoCloseable {
    static final int MAGIC = 0x6d743464;
    static final int OK = 0;
    static final int ERROR = 1;
    static final int OP_BLOCK = 1;
    static final int OP_RUNS = 2;
    static final int OP_OPEN = 3;
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
                "multitables4j-child-cleanup"));
    }

    private final Path file;
    private final List<Dataset> arrays = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final SharedArena arena;
    private final List<String> jvmOptions;
    private final int maxFailures;
    private final List<Child> children = new ArrayList<>();
    private final String classpath;
    private volatile boolean closed;
    private final java.util.concurrent.atomic.AtomicLong restarts = new java.util.concurrent.atomic.AtomicLong();

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
     * @param arena       the shared memory all buffers come from
     * @param jvmOptions  options of the child JVMs (after the defaults, so they win)
     * @param maxFailures deaths in a row of one worker's child before its read fails
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
     * @param arena       the shared memory all buffers come from
     * @param jvmOptions  options of the child JVMs (after the defaults, so they win)
     * @param maxFailures deaths in a row of one worker's child before its read fails
     */
    public ChildPool(Path file, SharedArena arena, List<String> jvmOptions, int maxFailures) {
        this.file = file.toAbsolutePath();
        this.arena = arena;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.maxFailures = maxFailures;
        this.classpath = System.getProperty("multitables4j.workerClasspath", System.getProperty("java.class.path"));
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

    /** @return children started again after one died, over the pool's life */
    public long restarts() {
        return restarts.get();
    }

    /** Ends every child (closes its stdin, then kills it if it has not exited within 2 s). */
    @Override
    public void close() {
        List<Child> cs;
        synchronized (this) {
            closed = true;
            cs = new ArrayList<>(children);
        }
        // without the children's locks: a worker may be waiting for an answer; it gets the
        // answer (a child finishes its read before it sees the end of stdin) or end of file
        List<Process> ps = new ArrayList<>();
        for (Child c : cs) {
            Process p = c.process;
            if (p != null) {
                ps.add(p);
                try {
                    p.getOutputStream().close();
                } catch (IOException ignored) {
                    // already gone
                }
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
            Thread d = c.drainer;
            if (d != null) {
                try {
                    d.join(1000);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

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

    /** Writes one request. */
    private interface Request {
        void write(DataOutputStream out) throws IOException;
    }

    /** One worker's child process, restarted when it dies. Used by one worker thread at a time. */
    private final class Child implements BlockIo {
        private final int index;
        private volatile Process process;
        private DataOutputStream out;
        private DataInputStream in;
        private boolean greeted;
        private int known;
        private final ArrayDeque<String> tail = new ArrayDeque<>();
        private Throwable startFailure;
        private volatile Thread drainer;

        Child(int index) {
            this.index = index;
        }

        void startQuietly() {
            try {
                start();
            } catch (IOException e) {
                // a child that started and died at once is seen by its first read
                if (process == null) {
                    startFailure = e;
                }
            }
        }

        private synchronized void start() throws IOException {
            if (closed) {
                throw new org.multitables4j.IteratorClosedException("the worker processes are closed");
            }
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("-XX:+UseSerialGC");
            cmd.add("-XX:+ExitOnOutOfMemoryError");
            cmd.add("-XX:-UsePerfData");
            cmd.add("-Xmx1g");
            cmd.addAll(jvmOptions);
            cmd.add("-cp");
            cmd.add(classpath);
            cmd.add(ChildMain.class.getName());
            Process p = new ProcessBuilder(cmd).start();
            LIVE.add(p);
            process = p;
            greeted = false;
            synchronized (tail) {
                tail.clear();
            }
            Thread drain = new Thread(() -> drain(p), "multitables4j-child-" + index + "-stderr");
            drain.setDaemon(true);
            drain.start();
            drainer = drain;
            out = new DataOutputStream(new BufferedOutputStream(p.getOutputStream(), 1 << 16));
            in = new DataInputStream(new BufferedInputStream(p.getInputStream(), 1 << 12));
            List<Dataset> now = List.copyOf(arrays);
            out.writeInt(MAGIC);
            out.writeInt(now.size());
            for (Dataset a : now) {
                writeDataset(out, a);
            }
            out.writeUTF(arena.path().toString());
            out.flush();
            known = now.size();
        }

        private void writeDataset(DataOutputStream o, Dataset a) throws IOException {
            o.writeUTF(a.file().toAbsolutePath().toString());
            o.writeUTF(a.path());
            o.writeBoolean(a.column() != null);
            if (a.column() != null) {
                o.writeUTF(a.column());
            }
        }

        private void drain(Process p) {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (tail) {
                        tail.add(line);
                        while (tail.size() > 20) {
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
            int src = source(array);
            SharedArena.Ref r = arena.ref(dst);
            int len = Math.min(dst.capacity(), array.blockBytes());
            call(o -> {
                o.writeByte(OP_BLOCK);
                o.writeInt(src);
                o.writeInt(block);
                o.writeLong(r.segmentStart());
                o.writeInt(r.segmentBytes());
                o.writeInt(r.offset());
                o.writeInt(len);
            });
        }

        @Override
        public void readBlock(Hdf5Array array, int block, ByteBuffer dst, int offset) {
            int src = source(array);
            SharedArena.Ref r = arena.ref(dst);
            int len = array.blockBytes();
            if (offset < 0 || (long) offset + len > dst.capacity()) {
                throw new IndexOutOfBoundsException("block " + block + " at " + offset + " does not fit the buffer");
            }
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
                            throw f instanceof IOException io ? io : new IOException(f);
                        }
                        start();
                    }
                    if (!greeted) {
                        answer();
                        greeted = true;
                    }
                    while (known < arrays.size()) {
                        out.writeByte(OP_OPEN);
                        writeDataset(out, arrays.get(known));
                        out.flush();
                        answer();
                        known++;
                    }
                    req.write(out);
                    out.flush();
                    answer();
                    return;
                } catch (IOException e) {
                    String why = buried(e);
                    failures++;
                    if (closed) {
                        throw new org.multitables4j.IteratorClosedException("the worker processes were closed (" + why + ")");
                    }
                    if (failures >= maxFailures) {
                        throw new MultitablesException("worker process " + index + " for " + file + " died " + failures
                                + " times in a row; last: " + why, e);
                    }
                    restarts.incrementAndGet();
                }
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

        /** Reaps a dead (or broken) child and describes how it ended. */
        private String buried(IOException e) {
            Process p = process;
            Thread d = drainer;
            process = null;
            drainer = null;
            startFailure = null;
            greeted = false;
            if (p == null) {
                return String.valueOf(e.getMessage());
            }
            try {
                p.getOutputStream().close();
            } catch (IOException ignored) {
                // already broken
            }
            boolean exited;
            try {
                exited = p.waitFor(2, TimeUnit.SECONDS);
                if (!exited) {
                    p.destroyForcibly();
                    p.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
                exited = false;
            }
            LIVE.remove(p);
            String status = exited ? "exit status " + p.exitValue() + describeSignal(p.exitValue()) : "did not exit; killed";
            // the child's stderr ends with it: wait for its last lines
            if (d != null) {
                try {
                    d.join(1000);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
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
            synchronized (this) {
                p = process;
                process = null;
                d = drainer;
                drainer = null;
            }
            if (p == null) {
                return;
            }
            try {
                p.getOutputStream().close();
            } catch (IOException ignored) {
                // already gone
            }
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
