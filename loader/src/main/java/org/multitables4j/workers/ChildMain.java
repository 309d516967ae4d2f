package org.multitables4j.workers;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import org.multitables4j.hdf5.BlockDecoder;
import org.multitables4j.hdf5.Hdf5Array;
import org.multitables4j.hdf5.Hdf5File;

/**
 * Entry point of a worker process. It opens the HDF5 file and the shared memory itself, then
 * executes the reads its parent sends over stdin and answers each on stdout (see
 * {@link ChildPool} for the protocol). It exits when stdin ends, i.e. when the parent closes the
 * pipe or dies. Not meant to be started by hand.
 */
public final class ChildMain {
    private ChildMain() {
    }

    /**
     * @param args unused; the configuration arrives on stdin
     * @throws IOException when the pipes fail
     */
    public static void main(String[] args) throws IOException {
        DataInputStream in = new DataInputStream(new BufferedInputStream(new FileInputStream(FileDescriptor.in), 1 << 16));
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16));
        System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true));
        int exit = 0;
        try {
            run(in, out);
        } catch (EOFException e) {
            // the parent closed the pipe
        } catch (Throwable t) {
            t.printStackTrace();
            exit = 1;
        }
        System.exit(exit);
    }

    private static void run(DataInputStream in, DataOutputStream out) throws IOException {
        if (in.readInt() != ChildPool.MAGIC) {
            throw new IOException("not a multitables4j parent");
        }
        int n = in.readInt();
        String[][] sources = new String[n][3];
        for (int i = 0; i < n; i++) {
            sources[i][2] = in.readUTF();
            sources[i][0] = in.readUTF();
            sources[i][1] = in.readBoolean() ? in.readUTF() : null;
        }
        Path shm = Path.of(in.readUTF());
        Map<String, Hdf5File> files = new HashMap<>();
        java.util.List<Hdf5Array> arrays = new java.util.ArrayList<>();
        FileChannel channel;
        try {
            for (int i = 0; i < n; i++) {
                Hdf5File file = files.computeIfAbsent(sources[i][2], p -> Hdf5File.open(Path.of(p)));
                arrays.add(sources[i][1] == null ? file.array(sources[i][0]) : file.column(sources[i][0], sources[i][1]));
            }
            channel = FileChannel.open(shm, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (RuntimeException | IOException e) {
            ChildPool.writeError(out, e);
            out.flush();
            return;
        }
        out.writeByte(ChildPool.OK);
        out.flush();
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
                    String dataset = in.readUTF();
                    String column = in.readBoolean() ? in.readUTF() : null;
                    try {
                        Hdf5File file = files.computeIfAbsent(path, p -> Hdf5File.open(Path.of(p)));
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
