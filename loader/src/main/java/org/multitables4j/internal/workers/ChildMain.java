package org.multitables4j.internal.workers;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import org.multitables4j.internal.hdf5.ArrayImage;
import org.multitables4j.internal.hdf5.BlockDecoder;
import org.multitables4j.internal.hdf5.Hdf5Array;
import org.multitables4j.internal.hdf5.Hdf5File;

/**
 * Entry point of a worker process. It reads its configuration on stdin (see {@link Wire}
 * for the protocol) and opens the HDF5 files and the shared memory while it connects to the
 * control socket its argument names; after the parent has proved itself with its token it
 * executes the reads the parent sends and answers each over the socket. Its stdout and stderr are
 * plain log output, read by the parent. It exits when the socket ends, i.e. when the parent closes
 * it or dies. Not meant to be started by hand.
 */
public final class ChildMain {
    private ChildMain() {
    }

    /**
     * @param args the path of the parent's control socket; the rest of the configuration arrives
     *             on stdin
     */
    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: ChildMain CONTROL_SOCKET, configuration on stdin; started by "
                    + "org.multitables4j.internal.workers.ChildPool");
            System.exit(2);
        }
        int exit = 0;
        try {
            run(Path.of(args[0]));
        } catch (EOFException e) {
            // the parent closed the socket
        } catch (Throwable t) {
            t.printStackTrace();
            exit = 1;
        }
        System.exit(exit);
    }

    private static void run(Path socket) throws Exception {
        DataInputStream cfg = new DataInputStream(new BufferedInputStream(new FileInputStream(FileDescriptor.in), 1 << 16));
        if (cfg.readInt() != Wire.MAGIC) {
            throw new IOException("not a multitables4j parent");
        }
        byte[] mine = cfg.readNBytes(ControlSocket.TOKEN_BYTES);
        byte[] parents = cfg.readNBytes(ControlSocket.TOKEN_BYTES);
        long connectNanos = cfg.readLong();
        long parentPid = cfg.readLong();
        if (parents.length != ControlSocket.TOKEN_BYTES) {
            throw new EOFException("the configuration ended early");
        }
        // connect while the files are opened (a class, not a lambda: the first lambda of a JVM
        // costs its start tens of milliseconds of method-handle set-up)
        FutureTask<SocketChannel> connecting = new FutureTask<>(new Connect(socket, connectNanos, parentPid, mine));
        Thread connector = new Thread(connecting, "multitables4j-child-connect");
        connector.setDaemon(true);
        connector.start();
        int n = cfg.readInt();
        List<Wire.DatasetRef> sources = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            sources.add(Wire.readSource(cfg));
        }
        Path shm = Path.of(cfg.readUTF());
        OpenedFiles files = new OpenedFiles(parentPid);
        List<Hdf5Array> arrays = new ArrayList<>();
        FileChannel channel = null;
        Exception failure = null;
        try {
            for (Wire.DatasetRef s : sources) {
                arrays.add(files.array(s));
            }
            channel = FileChannel.open(shm, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (RuntimeException | IOException e) {
            failure = e;
        }
        SocketChannel ch;
        try {
            ch = connecting.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception x ? x : e;
        }
        DataInputStream in = new DataInputStream(new BufferedInputStream(ControlSocket.in(ch), 1 << 16));
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(ControlSocket.out(ch), 1 << 16));
        byte[] got = new byte[ControlSocket.TOKEN_BYTES];
        in.readFully(got);
        if (!ControlSocket.sameToken(got, parents)) {
            throw new IOException("the process at " + socket + " is not this worker's parent");
        }
        if (failure != null) {
            Wire.writeError(out, failure, files::parentsNames);
            out.flush();
            return;
        }
        out.writeByte(Wire.OK);
        out.flush();
        serve(in, out, files, arrays, channel);
    }

    /** Connects to the parent's control socket and sends this child's token. */
    private static final class Connect implements Callable<SocketChannel> {
        private final Path socket;
        private final long connectNanos;
        private final long parentPid;
        private final byte[] token;

        Connect(Path socket, long connectNanos, long parentPid, byte[] token) {
            this.socket = socket;
            this.connectNanos = connectNanos;
            this.parentPid = parentPid;
            this.token = token;
        }

        @Override
        public SocketChannel call() throws IOException {
            SocketChannel ch = ControlSocket.connect(socket, connectNanos, parentPid);
            ControlSocket.out(ch).write(token);
            return ch;
        }
    }

    /**
     * The HDF5 files this child opened: the parent's, found by {@link FileIdentity#locate}, or a
     * remote file checked by {@link RemoteRef#open}. A dataset that arrives with the parent's
     * description ({@link ArrayImage}) is read from a file opened for data reads only, without
     * parsing its metadata; one without is described by parsing the file as the parent did.
     */
    private static final class OpenedFiles {
        private final long parentPid;
        private final Map<String, Hdf5File> byParentPath = new HashMap<>();
        /** What this child opened (a /proc/PID/fd entry) and the parent's path for it. */
        private final Map<String, String> names = new HashMap<>();

        OpenedFiles(long parentPid) {
            this.parentPid = parentPid;
        }

        Hdf5Array array(Wire.DatasetRef s) {
            boolean described = s.image() != null && s.remote() == null;
            // a file opened for data reads only cannot parse a dataset that comes without an image
            String key = (described ? "data:" : "parsed:") + s.file();
            Hdf5File file = byParentPath.get(key);
            if (file == null) {
                if (s.remote() != null) {
                    file = s.remote().open(s.file());
                } else {
                    Path p = Path.of(s.file());
                    Path at = s.identity() == null ? p : s.identity().locate(p, parentPid);
                    file = described ? Hdf5File.openData(at, ArrayImage.baseAddress(s.image())) : Hdf5File.open(at);
                    if (!at.equals(p)) {
                        names.put(file.path().toString(), s.file());
                        names.put(at.toString(), s.file());
                    }
                }
                byParentPath.put(key, file);
            }
            if (described) {
                return ArrayImage.read(s.image(), file);
            }
            return s.column() == null ? file.array(s.path()) : file.column(s.path(), s.column());
        }

        /** @return {@code message} naming files by the parent's paths */
        String parentsNames(String message) {
            String m = message;
            for (Map.Entry<String, String> e : names.entrySet()) {
                m = m.replace(e.getKey(), e.getValue());
            }
            return m;
        }
    }

    private static void serve(DataInputStream in, DataOutputStream out, OpenedFiles files,
                              List<Hdf5Array> arrays, FileChannel channel) throws IOException {
        Map<Long, MappedByteBuffer> segments = new HashMap<>();
        Wire.Runs runs = new Wire.Runs();
        try (BlockDecoder dec = new BlockDecoder()) {
            while (true) {
                int op = in.read();
                if (op < 0) {
                    return;
                }
                try {
                    if (op == Wire.OP_OPEN) {
                        Wire.DatasetRef s = Wire.readSource(in);
                        arrays.add(files.array(s));
                    } else if (op == Wire.OP_BLOCK) {
                        Wire.Block b = Wire.readBlock(in);
                        Hdf5Array a = arrays.get(b.source());
                        ByteBuffer seg = segment(segments, channel, b.segmentStart(), b.segmentBytes());
                        a.readBlock(b.block(), dec, seg.slice(b.offset(), b.len()));
                    } else if (op == Wire.OP_RUNS) {
                        runs.read(in);
                        Hdf5Array a = arrays.get(runs.source);
                        ByteBuffer seg = segment(segments, channel, runs.segmentStart, runs.segmentBytes);
                        for (int i = 0; i < runs.runs; i++) {
                            ByteBuffer d = seg.slice(runs.base + runs.offsets[i], runs.counts[i] * a.rowBytes());
                            a.readRows(runs.rows[i], runs.counts[i], d);
                        }
                    } else {
                        throw new IOException("unknown request " + op);
                    }
                    out.writeByte(Wire.OK);
                } catch (RuntimeException | LinkageError | AssertionError e) {
                    Wire.writeError(out, e, files::parentsNames);
                }
                out.flush();
            }
        }
    }

    private static ByteBuffer segment(Map<Long, MappedByteBuffer> segments, FileChannel ch, long start, int size)
            throws IOException {
        MappedByteBuffer m = segments.get(start);
        if (m == null) {
            m = ch.map(FileChannel.MapMode.READ_WRITE, start, size);
            segments.put(start, m);
        }
        return m;
    }
}
