package org.multitables4j.internal.workers;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.multitables4j.MultitablesException;
import org.multitables4j.internal.hdf5.ArrayImage;

/**
 * The frames exchanged by the parent ({@link ChildHandle}) and a worker process
 * ({@link ChildMain}), big-endian through {@code DataOutputStream}; both sides use only these
 * methods, so the encoding lives in one place.
 *
 * <p>Configuration, on the child's stdin: {@link #MAGIC}, the child's and the parent's token, the
 * connect timeout, the parent's process id, the sources ({@link #writeSource}) and the path of
 * the shared memory. A remote file's source carries its settings ({@link RemoteRef}: the Hadoop
 * configuration with its credentials), which is why sources travel only on stdin or the
 * authenticated socket, never on the command line. Requests: an op byte ({@link #OP_BLOCK},
 * {@link #OP_RUNS}, {@link #OP_OPEN}) and its arguments. Answers: {@link #OK}, or {@link #ERROR} followed by the exception
 * ({@link #writeError}).
 */
final class Wire {
    /** First word of a child's configuration. */
    static final int MAGIC = 0x6d743465;
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
    private static final int MAX_FRAMES = 64;
    private static final int MAX_CAUSES = 8;
    private static final int MAX_MESSAGE = 16000;
    /** Largest remote settings accepted (a flattened Hadoop configuration is some 100 KB). */
    private static final int MAX_SETTINGS = 64 << 20;
    /** Largest dataset image accepted (its chunk table is capped at {@link ArrayImage#MAX_CHUNKS}). */
    private static final int MAX_IMAGE = 16 * ArrayImage.MAX_CHUNKS + (1 << 20);

    private Wire() {
    }

    /**
     * A dataset as the child learns it.
     *
     * @param file     the file the parent opened: a local file's absolute path, a remote file's URI
     * @param identity what the parent opened there (null for a remote file, or where the
     *                 platform has no inode numbers)
     * @param remote   how to open a remote file and what identifies it; null for a local file
     * @param path     the dataset's path in the file
     * @param column   a column of the compound dataset, or null
     * @param image    the parent's description of the dataset ({@link ArrayImage}), so that the
     *                 child need not parse the file; null: the child parses it
     */
    record DatasetRef(String file, FileIdentity identity, RemoteRef remote, String path, String column, byte[] image) {
        /** A dataset the child describes itself by parsing the file. */
        DatasetRef(String file, FileIdentity identity, RemoteRef remote, String path, String column) {
            this(file, identity, remote, path, column, null);
        }
    }

    /** A block request: decode {@code block} of source {@code source} into {@code len} bytes at {@code offset} of a segment. */
    record Block(int source, int block, long segmentStart, int segmentBytes, int offset, int len) {
    }

    static void writeSource(DataOutputStream o, DatasetRef s) throws IOException {
        o.writeUTF(s.file());
        o.writeBoolean(s.identity() != null);
        if (s.identity() != null) {
            FileIdentity id = s.identity();
            o.writeLong(id.dev());
            o.writeLong(id.ino());
            o.writeLong(id.size());
            o.writeLong(id.modifiedNanos());
        }
        o.writeBoolean(s.remote() != null);
        if (s.remote() != null) {
            RemoteRef r = s.remote();
            o.writeInt(r.settings().length);
            o.write(r.settings());
            o.writeLong(r.size());
            o.writeLong(r.modificationTime());
        }
        o.writeUTF(s.path());
        o.writeBoolean(s.column() != null);
        if (s.column() != null) {
            o.writeUTF(s.column());
        }
        o.writeInt(s.image() == null ? -1 : s.image().length);
        if (s.image() != null) {
            o.write(s.image());
        }
    }

    static DatasetRef readSource(DataInputStream in) throws IOException {
        String file = in.readUTF();
        FileIdentity id = in.readBoolean() ? new FileIdentity(in.readLong(), in.readLong(), in.readLong(), in.readLong()) : null;
        RemoteRef remote = null;
        if (in.readBoolean()) {
            int n = in.readInt();
            if (n < 0 || n > MAX_SETTINGS) {
                throw new IOException("malformed source: " + n + " bytes of remote settings");
            }
            byte[] settings = in.readNBytes(n);
            if (settings.length != n) {
                throw new EOFException("the remote settings of " + file + " ended early");
            }
            remote = new RemoteRef(settings, in.readLong(), in.readLong());
        }
        String path = in.readUTF();
        String column = in.readBoolean() ? in.readUTF() : null;
        int n = in.readInt();
        if (n < -1 || n > MAX_IMAGE) {
            throw new IOException("malformed source: a dataset image of " + n + " bytes");
        }
        byte[] image = null;
        if (n >= 0) {
            image = in.readNBytes(n);
            if (image.length != n) {
                throw new EOFException("the dataset image of " + path + " in " + file + " ended early");
            }
        }
        return new DatasetRef(file, id, remote, path, column, image);
    }

    static void writeOpen(DataOutputStream o, DatasetRef s) throws IOException {
        o.writeByte(OP_OPEN);
        writeSource(o, s);
    }

    static void writeBlock(DataOutputStream o, Block b) throws IOException {
        o.writeByte(OP_BLOCK);
        o.writeInt(b.source());
        o.writeInt(b.block());
        o.writeLong(b.segmentStart());
        o.writeInt(b.segmentBytes());
        o.writeInt(b.offset());
        o.writeInt(b.len());
    }

    /** Reads a block request after its op byte. */
    static Block readBlock(DataInputStream in) throws IOException {
        return new Block(in.readInt(), in.readInt(), in.readLong(), in.readInt(), in.readInt(), in.readInt());
    }

    /**
     * Writes a runs request: {@code runs} runs of source {@code source} into a segment at
     * {@code base} plus each run's offset.
     */
    static void writeRuns(DataOutputStream o, int source, SharedArena.Ref r, long[] rows, int[] counts, int[] offsets,
                          int runs) throws IOException {
        o.writeByte(OP_RUNS);
        o.writeInt(source);
        o.writeInt(runs);
        o.writeLong(r.segmentStart());
        o.writeInt(r.segmentBytes());
        o.writeInt(r.offset());
        for (int i = 0; i < runs; i++) {
            o.writeLong(rows[i]);
            o.writeInt(counts[i]);
            o.writeInt(offsets[i]);
        }
    }

    /** A runs request as read by the child; the arrays may be longer than {@code runs}. */
    static final class Runs {
        int source;
        int runs;
        long segmentStart;
        int segmentBytes;
        int base;
        long[] rows = new long[16];
        int[] counts = new int[16];
        int[] offsets = new int[16];

        /** Reads a runs request after its op byte into this object. */
        void read(DataInputStream in) throws IOException {
            source = in.readInt();
            runs = in.readInt();
            segmentStart = in.readLong();
            segmentBytes = in.readInt();
            base = in.readInt();
            if (runs < 0) {
                throw new IOException("negative run count " + runs);
            }
            if (rows.length < runs) {
                rows = new long[runs];
                counts = new int[runs];
                offsets = new int[runs];
            }
            for (int i = 0; i < runs; i++) {
                rows[i] = in.readLong();
                counts[i] = in.readInt();
                offsets[i] = in.readInt();
            }
        }
    }

    /**
     * Writes an {@link #ERROR} answer: for the exception and each of its causes (up to 8), the
     * class, the message and up to 64 frames of stack.
     *
     * @param out     the answer stream
     * @param t       the failure
     * @param rewrite applied to every message (the child names files by the parent's paths)
     * @throws IOException when the stream fails
     */
    static void writeError(DataOutputStream out, Throwable t, UnaryOperator<String> rewrite) throws IOException {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable c = t; c != null && chain.size() < MAX_CAUSES && !chain.contains(c); c = c.getCause()) {
            chain.add(c);
        }
        out.writeByte(ERROR);
        out.writeInt(chain.size());
        for (Throwable c : chain) {
            out.writeUTF(c.getClass().getName());
            out.writeBoolean(c.getMessage() != null);
            if (c.getMessage() != null) {
                out.writeUTF(truncate(rewrite.apply(c.getMessage())));
            }
            StackTraceElement[] st = c.getStackTrace();
            int n = Math.min(st.length, MAX_FRAMES);
            out.writeInt(n);
            for (int i = 0; i < n; i++) {
                out.writeUTF(st[i].getClassName());
                out.writeUTF(st[i].getMethodName());
                out.writeUTF(st[i].getFileName() == null ? "" : st[i].getFileName());
                out.writeInt(st[i].getLineNumber());
            }
        }
    }

    private static String truncate(String s) {
        return s.length() > MAX_MESSAGE ? s.substring(0, MAX_MESSAGE) + "..." : s;
    }

    /**
     * Reads the exception of an {@link #ERROR} answer (after its status byte) and rebuilds it in
     * this JVM (see {@link #rebuild}).
     *
     * @param in    the answer stream
     * @param where names the child in the cause's message ("worker process 1 (pid 123)")
     * @return the exception to throw: a {@code RuntimeException} or an {@code Error}
     * @throws IOException when the stream fails
     */
    static Throwable readError(DataInputStream in, String where) throws IOException {
        int n = in.readInt();
        if (n < 1 || n > MAX_CAUSES) {
            throw new IOException("malformed error answer: " + n + " exceptions");
        }
        String[] classes = new String[n];
        String[] messages = new String[n];
        StackTraceElement[][] stacks = new StackTraceElement[n][];
        for (int k = 0; k < n; k++) {
            classes[k] = in.readUTF();
            messages[k] = in.readBoolean() ? in.readUTF() : null;
            int frames = in.readInt();
            if (frames < 0 || frames > MAX_FRAMES) {
                throw new IOException("malformed error answer: " + frames + " frames");
            }
            StackTraceElement[] st = new StackTraceElement[frames];
            for (int i = 0; i < frames; i++) {
                String c = in.readUTF();
                String m = in.readUTF();
                String f = in.readUTF();
                st[i] = new StackTraceElement(c, m, f.isEmpty() ? null : f, in.readInt());
            }
            stacks[k] = st;
        }
        return rebuild(classes, messages, stacks, where);
    }

    /**
     * Rebuilds a child's exception. The result has the child's class where this JVM has it, it is
     * unchecked (a {@code RuntimeException}, or an {@code Error} other than a
     * {@code VirtualMachineError}, which belongs to the child's JVM) and it has a public {@code (String, Throwable)} or {@code (String)} constructor;
     * otherwise it is a {@link MultitablesException} naming the child's class (with the checked
     * exception, rebuilt, inside its cause). Its cause is a {@link ChildStack} with the child's
     * message and stack, whose own causes are the child's causes; its stack is the child's frames
     * followed by this thread's, so the place of the failure in both processes shows.
     */
    static Throwable rebuild(String[] classes, String[] messages, StackTraceElement[][] stacks, String where) {
        Throwable below = null;
        for (int k = classes.length - 1; k >= 1; k--) {
            Throwable c = instantiate(classes[k], messages[k], below);
            if (c == null) {
                c = new ChildStack(classes[k] + (messages[k] == null ? "" : ": " + messages[k]), below);
            }
            c.setStackTrace(stacks[k]);
            below = c;
        }
        ChildStack stack = new ChildStack("thrown in " + where + " as " + classes[0]
                + (messages[0] == null ? "" : ": " + messages[0]), below);
        stack.setStackTrace(stacks[0]);
        Throwable top = instantiate(classes[0], messages[0], stack);
        Throwable out;
        if (top instanceof RuntimeException || top instanceof Error) {
            out = top;
        } else {
            out = new MultitablesException(where + " failed: " + classes[0]
                    + (messages[0] == null ? "" : ": " + messages[0]), top instanceof Exception ? top : stack);
            if (top instanceof Exception) {
                top.setStackTrace(stacks[0]);
            }
        }
        StackTraceElement[] here = new Throwable().getStackTrace();
        StackTraceElement[] both = new StackTraceElement[stacks[0].length + here.length];
        System.arraycopy(stacks[0], 0, both, 0, stacks[0].length);
        System.arraycopy(here, 0, both, stacks[0].length, here.length);
        out.setStackTrace(both);
        return out;
    }

    /**
     * @return a new {@code cls(message, cause)} (or {@code cls(message)} with the cause set), or
     *         null when this JVM has no such class, it is a {@code VirtualMachineError} (the
     *         child's JVM's trouble, not this one's), or it has neither constructor
     */
    private static Throwable instantiate(String cls, String message, Throwable cause) {
        Class<?> c;
        try {
            c = Class.forName(cls, false, Wire.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
        if (!Throwable.class.isAssignableFrom(c) || VirtualMachineError.class.isAssignableFrom(c)) {
            return null;
        }
        try {
            Constructor<?> k = c.getConstructor(String.class, Throwable.class);
            return (Throwable) k.newInstance(message, cause);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            // try the message-only constructor
        }
        try {
            Constructor<?> k = c.getConstructor(String.class);
            Throwable t = (Throwable) k.newInstance(message);
            if (cause != null) {
                t.initCause(cause);
            }
            return t;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null;
        }
    }

    /**
     * Throws a rebuilt exception.
     *
     * @param t a result of {@link #readError}
     * @return never
     */
    static RuntimeException unchecked(Throwable t) {
        if (t instanceof Error e) {
            throw e;
        }
        throw (RuntimeException) t;
    }

    /**
     * The stack of an exception thrown in a worker process: the cause of the exception rebuilt in
     * the parent. Its message names the child and the original class.
     */
    static final class ChildStack extends Exception {
        private static final long serialVersionUID = 1L;

        ChildStack(String message, Throwable cause) {
            super(message, cause, false, true);
        }
    }
}
