package org.multitables4j.datasets;

import static org.bytedeco.hdf5.global.hdf5.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.zip.Deflater;
import org.bytedeco.javacpp.BytePointer;

/**
 * Appends whole rows to one dataset of an {@link H5Writer}. Rows are staged into chunk-sized
 * blocks; full chunks are shuffled and deflated on the writer's thread pool and written in order
 * with {@code H5Dwrite_chunk}, so memory stays bounded by a few chunks per compression thread.
 * Values are given in little-endian byte order (or as Java arrays).
 */
public final class RowWriter {
    private static final ThreadLocal<Deflater[]> DEFLATERS = ThreadLocal.withInitial(() -> new Deflater[10]);

    private final H5Writer file;
    private final String path;
    private final ElementKind kind;
    private final long[] rowShape;
    private final int rowBytes;
    private final int chunkRows;
    private final WriteOptions options;
    private final ExecutorService pool;
    private final ArrayDeque<Future<byte[]>> pending = new ArrayDeque<>();
    private final ArrayDeque<byte[]> spare = new ArrayDeque<>();
    private long did;
    private byte[] staging;
    private int staged;
    private long rows;
    private long chunksWritten;
    private long extent;
    private boolean finished;

    RowWriter(H5Writer file, String path, ElementKind kind, long[] rowShape, WriteOptions options) {
        this.file = file;
        this.path = path;
        this.kind = kind;
        this.rowShape = rowShape.clone();
        this.options = options;
        long rb = kind.size();
        for (long d : rowShape) {
            if (d < 1) {
                throw new DatasetsException("Row dimensions of '" + path + "' must be positive");
            }
            rb = Math.multiplyExact(rb, d);
        }
        if (rb > Integer.MAX_VALUE / 2) {
            throw new DatasetsException("Rows of '" + path + "' are too large (" + rb + " bytes)");
        }
        this.rowBytes = (int) rb;
        this.chunkRows = (int) Math.min(options.chunkRows(rowBytes), (Integer.MAX_VALUE / 2) / rowBytes);
        this.staging = new byte[chunkRows * rowBytes];
        this.pool = file.pool(options.threads());
        int rank = rowShape.length + 1;
        long[] dims = new long[rank];
        long[] max = new long[rank];
        long[] chunk = new long[rank];
        max[0] = H5S_UNLIMITED;
        chunk[0] = chunkRows;
        for (int d = 1; d < rank; d++) {
            dims[d] = rowShape[d - 1];
            max[d] = rowShape[d - 1];
            chunk[d] = rowShape[d - 1];
        }
        long space = H5Screate_simple(rank, dims, max);
        long dcpl = H5Pcreate(H5P_CLS_DATASET_CREATE_ID_g());
        long lcpl = H5Pcreate(H5P_CLS_LINK_CREATE_ID_g());
        try {
            H5Pset_create_intermediate_group(lcpl, 1);
            file.check(H5Pset_chunk(dcpl, rank, chunk), "set the chunk shape of '" + path + "'");
            if (options.gzip() > 0 && options.shuffle()) {
                file.check(H5Pset_shuffle(dcpl), "set shuffle on '" + path + "'");
            }
            if (options.gzip() > 0) {
                file.check(H5Pset_deflate(dcpl, options.gzip()), "set deflate on '" + path + "'");
            }
            did = H5Dcreate2(file.fid(), path, kind.fileType(), space, lcpl, dcpl, H5P_DEFAULT);
            if (did < 0) {
                throw new DatasetsException("Cannot create dataset '" + path + "' in " + file.target()
                        + " (does it exist already?)");
            }
        } finally {
            H5Pclose(lcpl);
            H5Pclose(dcpl);
            H5Sclose(space);
        }
    }

    /** @return rows appended so far */
    public long rows() {
        return rows;
    }

    /** @return rows per chunk */
    public int chunkRows() {
        return chunkRows;
    }

    /** @return bytes per row */
    public int rowBytes() {
        return rowBytes;
    }

    /**
     * Appends rows given as little-endian bytes; {@code src.remaining()} must be a whole number
     * of rows. The buffer's position advances to its limit.
     *
     * @param src the rows
     */
    public void append(ByteBuffer src) {
        if (finished) {
            throw new IllegalStateException("dataset '" + path + "' is finished");
        }
        if (src.remaining() % rowBytes != 0) {
            throw new DatasetsException("Appending " + src.remaining() + " bytes to '" + path + "', not a whole number of "
                    + rowBytes + "-byte rows");
        }
        while (src.hasRemaining()) {
            int n = Math.min(src.remaining(), staging.length - staged * rowBytes);
            src.get(staging, staged * rowBytes, n);
            staged += n / rowBytes;
            rows += n / rowBytes;
            if (staged == chunkRows) {
                submitChunk();
            }
        }
    }

    /** @param values rows of a FLOAT32 dataset, row-major */
    public void append(float[] values) {
        requireKind(ElementKind.FLOAT32);
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        append(b);
    }

    /** @param values rows of a FLOAT64 dataset, row-major */
    public void append(double[] values) {
        requireKind(ElementKind.FLOAT64);
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asDoubleBuffer().put(values);
        append(b);
    }

    /** @param values rows of an INT64 dataset */
    public void append(long[] values) {
        requireKind(ElementKind.INT64);
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        append(b);
    }

    /** @param values rows of an INT32 dataset */
    public void append(int[] values) {
        requireKind(ElementKind.INT32);
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(values);
        append(b);
    }

    /** @param values rows of a UINT8 or INT8 dataset */
    public void append(byte[] values) {
        if (kind.size() != 1) {
            throw new DatasetsException("'" + path + "' stores " + kind + "; byte[] rows need uint8 or int8");
        }
        append(ByteBuffer.wrap(values));
    }

    private void requireKind(ElementKind k) {
        if (kind != k) {
            throw new DatasetsException("'" + path + "' stores " + kind + ", not " + k);
        }
    }

    private void submitChunk() {
        byte[] data = staging;
        staging = spare.isEmpty() ? new byte[data.length] : spare.poll();
        staged = 0;
        int elem = kind.size();
        boolean shuffle = options.gzip() > 0 && options.shuffle() && elem > 1;
        int level = options.gzip();
        pending.add(pool.submit(() -> encode(data, elem, shuffle, level)));
        while (pending.size() > 2 * options.threads()) {
            writeOldest();
        }
    }

    private byte[] encode(byte[] data, int elem, boolean shuffle, int level) {
        byte[] src = data;
        if (shuffle) {
            byte[] sh = new byte[data.length];
            int n = data.length / elem;
            for (int b = 0; b < elem; b++) {
                int base = b * n;
                for (int i = 0; i < n; i++) {
                    sh[base + i] = data[i * elem + b];
                }
            }
            src = sh;
        }
        if (level == 0) {
            return src == data ? data.clone() : src;
        }
        Deflater[] ds = DEFLATERS.get();
        Deflater d = ds[level];
        if (d == null) {
            d = new Deflater(level);
            ds[level] = d;
        }
        d.reset();
        d.setInput(src);
        d.finish();
        byte[] out = new byte[src.length + src.length / 1000 + 64];
        int len = 0;
        while (!d.finished()) {
            if (len == out.length) {
                out = java.util.Arrays.copyOf(out, out.length * 2);
            }
            len += d.deflate(out, len, out.length - len);
        }
        return java.util.Arrays.copyOf(out, len);
    }

    private void writeOldest() {
        byte[] chunk;
        try {
            chunk = pending.poll().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatasetsException("Interrupted while writing '" + path + "'", e);
        } catch (ExecutionException e) {
            throw new DatasetsException("Compressing a chunk of '" + path + "' failed: " + e.getCause(), e.getCause());
        }
        long first = chunksWritten * chunkRows;
        extendTo(first + chunkRows);
        long[] offset = new long[rowShape.length + 1];
        offset[0] = first;
        try (BytePointer p = new BytePointer(chunk)) {
            file.check(H5Dwrite_chunk(did, H5P_DEFAULT, (short) 0, offset, chunk.length, p),
                    "write the chunk at row " + first + " of '" + path + "'");
        }
        chunksWritten++;
    }

    private void extendTo(long n) {
        if (n > extent) {
            long[] dims = new long[rowShape.length + 1];
            dims[0] = n;
            System.arraycopy(rowShape, 0, dims, 1, rowShape.length);
            file.check(H5Dset_extent(did, dims), "extend '" + path + "' to " + n + " rows");
            extent = n;
        }
    }

    void finish() {
        if (finished) {
            return;
        }
        if (staged > 0) {
            java.util.Arrays.fill(staging, staged * rowBytes, staging.length, (byte) 0);
            staged = 0;
            byte[] data = staging;
            int elem = kind.size();
            boolean shuffle = options.gzip() > 0 && options.shuffle() && elem > 1;
            int level = options.gzip();
            pending.add(pool.submit(() -> encode(data, elem, shuffle, level)));
        }
        while (!pending.isEmpty()) {
            writeOldest();
        }
        long[] dims = new long[rowShape.length + 1];
        dims[0] = rows;
        System.arraycopy(rowShape, 0, dims, 1, rowShape.length);
        file.check(H5Dset_extent(did, dims), "set the final extent of '" + path + "'");
        extent = rows;
        finished = true;
        H5Dclose(did);
        did = -1;
    }

    void closeQuietly() {
        for (Future<byte[]> f : pending) {
            f.cancel(true);
        }
        pending.clear();
        if (did >= 0) {
            H5Dclose(did);
            did = -1;
        }
        finished = true;
    }
}
