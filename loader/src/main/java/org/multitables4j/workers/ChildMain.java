package org.multitables4j.workers;

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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import org.multitables4j.hdf5.BlockDecoder;
import org.multitables4j.hdf5.Hdf5Array;
import org.multitables4j.hdf5.Hdf5File;

/**
 * Entry point of a worker process. It reads its configuration on stdin (see {@link ChildPool}
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
                    + ChildPool.class.getName());
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
        if (cfg.readInt() != ChildPool.MAGIC) {
            throw new IOException("not a multitables4j parent");
        }
        byte[] mine = cfg.readNBytes(ControlSocket.TOKEN_BYTES);
        byte[] parents = cfg.readNBytes(ControlSocket.TOKEN_BYTES);
        long connectNanos = cfg.readLong();
        long parentPid = cfg.readLong();
        if (parents.length != ControlSocket.TOKEN_BYTES) {
            throw new EOFException("the configuration ended early");
        }
        // connect while the files are opened
        FutureTask<SocketChannel> connecting = new FutureTask<>(() -> {
            SocketChannel ch = ControlSocket.connect(socket, connectNanos, parentPid);
            ControlSocket.out(ch).write(mine);
            return ch;
        });
        Thread connector = new Thread(connecting, "multitables4j-child-connect");
        connector.setDaemon(true);
        connector.start();
        int n = cfg.readInt();
        String[][] sources = new String[n][3];
        byte[][] settings = new byte[n][];
        for (int i = 0; i < n; i++) {
            sources[i][2] = cfg.readUTF();
            settings[i] = readSettings(cfg);
            sources[i][0] = cfg.readUTF();
            sources[i][1] = cfg.readBoolean() ? cfg.readUTF() : null;
        }
        Path shm = Path.of(cfg.readUTF());
        Map<String, Hdf5File> files = new HashMap<>();
        List<Hdf5Array> arrays = new ArrayList<>();
        FileChannel channel = null;
        Exception failure = null;
        try {
            for (int i = 0; i < n; i++) {
                byte[] how = settings[i];
                Hdf5File file = files.computeIfAbsent(sources[i][2], p -> Hdf5File.open(p, how));
                arrays.add(sources[i][1] == null ? file.array(sources[i][0]) : file.column(sources[i][0], sources[i][1]));
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
            ChildPool.writeError(out, failure);
            out.flush();
            return;
        }
        out.writeByte(ChildPool.OK);
        out.flush();
        serve(in, out, files, arrays, channel);
    }

    private static void serve(DataInputStream in, DataOutputStream out, Map<String, Hdf5File> files,
                              List<Hdf5Array> arrays, FileChannel channel) throws IOException {
        Map<Long, MappedByteBuffer> segments = new HashMap<>();
        long[] rows = new long[16];
        int[] counts = new int[16];
        int[] offsets = new int[16];
        try (BlockDecoder dec = new BlockDecoder()) {
            while (true) {
                int op = in.read();
                if (op < 0) {
                    return;
                }
                if (op == ChildPool.OP_OPEN) {
                    String path = in.readUTF();
                    byte[] how = readSettings(in);
                    String dataset = in.readUTF();
                    String column = in.readBoolean() ? in.readUTF() : null;
                    try {
                        Hdf5File file = files.computeIfAbsent(path, p -> Hdf5File.open(p, how));
                        arrays.add(column == null ? file.array(dataset) : file.column(dataset, column));
                        out.writeByte(ChildPool.OK);
                    } catch (RuntimeException e) {
                        ChildPool.writeError(out, e);
                    }
                    out.flush();
                    continue;
                }
                try {
                    Hdf5Array a = arrays.get(in.readInt());
                    if (op == ChildPool.OP_BLOCK) {
                        int block = in.readInt();
                        ByteBuffer seg = segment(segments, channel, in.readLong(), in.readInt());
                        int off = in.readInt();
                        int len = in.readInt();
                        a.readBlock(block, dec, seg.slice(off, len));
                    } else if (op == ChildPool.OP_RUNS) {
                        int runs = in.readInt();
                        ByteBuffer seg = segment(segments, channel, in.readLong(), in.readInt());
                        int base = in.readInt();
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
                        for (int i = 0; i < runs; i++) {
                            ByteBuffer d = seg.slice(base + offsets[i], counts[i] * a.rowBytes());
                            a.readRows(rows[i], counts[i], d);
                        }
                    } else {
                        throw new IOException("unknown request " + op);
                    }
                    out.writeByte(ChildPool.OK);
                } catch (RuntimeException e) {
                    ChildPool.writeError(out, e);
                }
                out.flush();
            }
        }
    }

    /**
     * Reads what {@link Hdf5File#reopenSettings()} gave the parent: empty for a local file; for a
     * remote one (the location is then a URI) the remote options and Hadoop configuration.
     */
    private static byte[] readSettings(DataInputStream in) throws IOException {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return b;
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
