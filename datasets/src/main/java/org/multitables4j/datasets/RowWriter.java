package org.multitables4j.datasets;

import static org.bytedeco.hdf5.global.hdf5.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import org.bytedeco.javacpp.BytePointer;

/**
 * Appends whole rows to one extensible dataset of an {@link H5Writer}.
 *
 * <p>Rows are copied into a chunk-sized staging block; each full block is shuffled and deflated on
 * a small thread pool ({@link WriteOptions#threads()}) in HDF5's own filter formats, and the
 * encoded chunks are written in row order with {@code H5Dwrite_chunk} (direct chunk write: the
 * library stores the bytes as they are), growing the dataset as they land. Memory stays bounded
 * at about {@code 5 * threads + 1} chunks, whatever the number of rows. The last chunk is padded
 * with zeros past the final row, as HDF5 stores edge chunks at full size.
 *
 * <p>Appended bytes are little endian (the stored byte order); the typed {@code append} methods
 * convert Java arrays. Every call must hold a whole number of rows. A failed call poisons the
 * dataset and its {@link H5Writer}, which then deletes its output at close. Use from one thread
 * at a time.
 */
public final class RowWriter {
    private enum State { OPEN, FINISHED, FAILED }

    private final H5Writer file;
    private final String path;
    private final ElementKind kind;
    private final long[] rowShape;
    private final int rowBytes;
    private final int rowElements;
    private final int chunkRows;
    private final int chunkBytes;
    private final WriteOptions options;
    private final boolean shuffle;
    private final int maxPending;
    private final ConcurrentLinkedQueue<ChunkEncoder> encoders = new ConcurrentLinkedQueue<>();
    private final ArrayDeque<Chunk> pending = new ArrayDeque<>();
    private final ArrayDeque<Chunk> free = new ArrayDeque<>();
    private final long[] dims;
    private final long[] offset;
    private ExecutorService pool;
    private Chunk current;
    private int staged;
    private long rows;
    private long chunksSubmitted;
    private long extent;
    private long did = -1;
    private State state = State.OPEN;

    /** A staging block and its encoded form. */
    private static final class Chunk {
        final byte[] raw;
        final ByteBuffer view;
        ByteBuffer out;
        ByteBuffer pointed;
        BytePointer pointer;
        long firstRow;
        int rows;
        FutureTask<Void> future;

        Chunk(int bytes) {
            raw = new byte[bytes];
            view = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
            out = ByteBuffer.allocateDirect(ChunkEncoder.outputBound(bytes));
        }

        BytePointer pointer() {
            if (pointed != out) {
                pointed = out;
                pointer = new BytePointer(out.duplicate().clear());
            }
            return pointer;
        }
    }

    RowWriter(H5Writer file, String path, ElementKind kind, long[] rowShape, WriteOptions options) {
        this.file = file;
        this.path = path.startsWith("/") ? path : "/" + path;
        this.kind = kind;
        this.rowShape = rowShape.clone();
        this.options = options;
        long rb = kind.size();
        long re = 1;
        for (long d : rowShape) {
            if (d < 1) {
                throw new DatasetsException("Row dimensions of '" + this.path + "' in " + file.target()
                        + " must be positive, got " + Arrays.toString(rowShape));
            }
            re = Math.multiplyExact(re, d);
            rb = Math.multiplyExact(rb, d);
        }
        if (rb > WriteOptions.MAX_CHUNK_BYTES) {
            throw new DatasetsException("Rows of '" + this.path + "' in " + file.target() + " are too large (" + rb
                    + " bytes; at most " + WriteOptions.MAX_CHUNK_BYTES + ")");
        }
        this.rowBytes = (int) rb;
        this.rowElements = (int) re;
        this.chunkRows = (int) Math.max(1, Math.min(options.chunkRows(rowBytes), WriteOptions.MAX_CHUNK_BYTES / rowBytes));
        this.chunkBytes = chunkRows * rowBytes;
        this.shuffle = options.gzip() > 0 && options.shuffle() && kind.size() > 1;
        this.maxPending = 2 * options.threads();
        int rank = rowShape.length + 1;
        this.dims = new long[rank];
        this.offset = new long[rank];
        System.arraycopy(rowShape, 0, dims, 1, rowShape.length);
        long[] max = dims.clone();
        max[0] = H5S_UNLIMITED;
        long[] chunk = dims.clone();
        chunk[0] = chunkRows;
        synchronized (Hdf5.LOCK) {
            Hdf5.init();
            long space = H5Screate_simple(rank, dims, max);
            long dcpl = H5Pcreate(H5P_CLS_DATASET_CREATE_ID_g());
            long lcpl = H5Pcreate(H5P_CLS_LINK_CREATE_ID_g());
            try {
                H5Pset_create_intermediate_group(lcpl, 1);
                Hdf5.check(H5Pset_chunk(dcpl, rank, chunk), "set the chunk shape of '" + this.path + "'");
                if (shuffle) {
                    Hdf5.check(H5Pset_shuffle(dcpl), "set shuffle on '" + this.path + "'");
                }
                if (options.gzip() > 0) {
                    Hdf5.check(H5Pset_deflate(dcpl, options.gzip()), "set deflate on '" + this.path + "'");
                }
                if (H5Lexists(file.fid(), this.path, H5P_DEFAULT) > 0) {
                    throw new DatasetsException("Cannot create dataset '" + this.path + "' in " + file.target()
                            + ": it exists already");
                }
                H5Eclear2(H5E_DEFAULT);
                did = H5Dcreate2(file.fid(), this.path, kind.fileType(), space, lcpl, dcpl, H5P_DEFAULT);
                if (did < 0) {
                    throw Hdf5.failure("Cannot create dataset '" + this.path + "' in " + file.target());
                }
            } finally {
                H5Pclose(lcpl);
                H5Pclose(dcpl);
                H5Sclose(space);
            }
        }
    }

    /** @return the dataset's path in the file */
    public String path() {
        return path;
    }

    /** @return the element type */
    public ElementKind kind() {
        return kind;
    }

    /** @return the shape of one row (a copy) */
    public long[] rowShape() {
        return rowShape.clone();
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
     * Appends rows given as little-endian bytes. {@code src.remaining()} must be a whole number of
     * rows; the buffer's position advances to its limit (its byte order setting is ignored).
     *
     * @param src the rows
     */
    public void append(ByteBuffer src) {
        ensureOpen();
        if (src.remaining() % rowBytes != 0) {
            throw new DatasetsException("Appending " + src.remaining() + " bytes to '" + path + "', not a whole number of "
                    + rowBytes + "-byte rows");
        }
        try {
            while (src.hasRemaining()) {
                Chunk c = current();
                int n = Math.min(src.remaining(), (chunkRows - staged) * rowBytes);
                src.get(c.raw, staged * rowBytes, n);
                advance(n / rowBytes);
            }
        } catch (RuntimeException e) {
            throw fail(e);
        }
    }

    /** @param values whole rows of a FLOAT32 dataset, row-major */
    public void append(float[] values) {
        requireKind(values.length, ElementKind.FLOAT32);
        appendElements(values.length, (dst, from, n) -> dst.asFloatBuffer().put(values, from, n));
    }

    /** @param values whole rows of a FLOAT64 dataset, row-major */
    public void append(double[] values) {
        requireKind(values.length, ElementKind.FLOAT64);
        appendElements(values.length, (dst, from, n) -> dst.asDoubleBuffer().put(values, from, n));
    }

    /** @param values whole rows of an INT64 dataset, row-major */
    public void append(long[] values) {
        requireKind(values.length, ElementKind.INT64);
        appendElements(values.length, (dst, from, n) -> dst.asLongBuffer().put(values, from, n));
    }

    /** @param values whole rows of an INT32 or UINT32 dataset (bit patterns), row-major */
    public void append(int[] values) {
        requireKind(values.length, ElementKind.INT32, ElementKind.UINT32);
        appendElements(values.length, (dst, from, n) -> dst.asIntBuffer().put(values, from, n));
    }

    /** @param values whole rows of an INT16 or UINT16 dataset (bit patterns), row-major */
    public void append(short[] values) {
        requireKind(values.length, ElementKind.INT16, ElementKind.UINT16);
        appendElements(values.length, (dst, from, n) -> dst.asShortBuffer().put(values, from, n));
    }

    /** @param values whole rows of an INT8 or UINT8 dataset (bit patterns), row-major */
    public void append(byte[] values) {
        requireKind(values.length, ElementKind.INT8, ElementKind.UINT8);
        append(ByteBuffer.wrap(values));
    }

    /** Copies elements {@code [from, from + n)} of a Java array to the start of {@code dst}. */
    private interface ElementCopy {
        void copy(ByteBuffer dst, int from, int n);
    }

    private void appendElements(int length, ElementCopy copy) {
        ensureOpen();
        try {
            int done = 0;
            while (done < length) {
                Chunk c = current();
                int n = Math.min(length - done, (chunkRows - staged) * rowElements);
                copy.copy(c.view.clear().position(staged * rowBytes).slice().order(ByteOrder.LITTLE_ENDIAN), done, n);
                done += n;
                advance(n / rowElements);
            }
        } catch (RuntimeException e) {
            throw fail(e);
        }
    }

    private void requireKind(int length, ElementKind... kinds) {
        ensureOpen();
        if (!Arrays.asList(kinds).contains(kind)) {
            throw fail(new DatasetsException("'" + path + "' stores " + kind + "; this append takes "
                    + Arrays.toString(kinds)));
        }
        if (length % rowElements != 0) {
            throw fail(new DatasetsException("Appending " + length + " values to '" + path
                    + "', not a whole number of " + rowElements + "-value rows"));
        }
    }

    private Chunk current() {
        if (current == null) {
            current = free.isEmpty() ? new Chunk(chunkBytes) : free.poll();
            staged = 0;
        }
        return current;
    }

    private void advance(int n) {
        staged += n;
        rows += n;
        if (staged == chunkRows) {
            submit();
        }
    }

    private void submit() {
        Chunk c = current;
        current = null;
        c.firstRow = chunksSubmitted * chunkRows;
        c.rows = staged;
        chunksSubmitted++;
        if (staged < chunkRows) {
            Arrays.fill(c.raw, staged * rowBytes, chunkBytes, (byte) 0);
        }
        staged = 0;
        c.future = new FutureTask<>(() -> encode(c), null);
        pool().execute(c.future);
        pending.add(c);
        while (pending.size() > maxPending) {
            writeOldest();
        }
    }

    private ExecutorService pool() {
        if (pool == null) {
            String name = "multitables4j-compress" + path;
            pool = Executors.newFixedThreadPool(options.threads(), r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                return t;
            });
        }
        return pool;
    }

    private void encode(Chunk c) {
        ChunkEncoder e = encoders.poll();
        if (e == null) {
            e = new ChunkEncoder(options.gzip(), shuffle, kind.size());
        }
        try {
            c.out = e.encode(c.raw, chunkBytes, c.out);
        } finally {
            encoders.add(e);
        }
    }

    private void writeOldest() {
        Chunk c = pending.poll();
        try {
            c.future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatasetsException("Interrupted while writing '" + path + "' of " + file.target(), e);
        } catch (ExecutionException e) {
            throw new DatasetsException("Compressing rows " + c.firstRow + ".." + (c.firstRow + c.rows) + " of '" + path
                    + "' failed: " + e.getCause(), e.getCause());
        }
        long end = c.firstRow + c.rows;
        synchronized (Hdf5.LOCK) {
            if (end > extent) {
                dims[0] = end;
                Hdf5.check(H5Dset_extent(did, dims), "Cannot extend '" + path + "' of " + file.target() + " to " + end + " rows");
                extent = end;
            }
            offset[0] = c.firstRow;
            Hdf5.check(H5Dwrite_chunk(did, H5P_DEFAULT, (short) 0, offset, c.out.position(), c.pointer()),
                    "Cannot write rows " + c.firstRow + ".." + end + " of '" + path + "' to " + file.target());
        }
        c.future = null;
        free.add(c);
    }

    private void ensureOpen() {
        if (state != State.OPEN) {
            throw new IllegalStateException("dataset '" + path + "' of " + file.target() + " is "
                    + state.name().toLowerCase());
        }
    }

    private RuntimeException fail(RuntimeException e) {
        state = State.FAILED;
        file.markFailed();
        return e;
    }

    /** Writes the staged rows and the pending chunks, sets the final extent, closes the dataset. */
    void finish() {
        if (state == State.FINISHED) {
            return;
        }
        ensureOpen();
        try {
            if (staged > 0) {
                submit();
            }
            while (!pending.isEmpty()) {
                writeOldest();
            }
            synchronized (Hdf5.LOCK) {
                if (extent != rows) {
                    dims[0] = rows;
                    Hdf5.check(H5Dset_extent(did, dims), "Cannot set the extent of '" + path + "' of " + file.target());
                    extent = rows;
                }
                long d = did;
                did = -1;
                Hdf5.check(H5Dclose(d), "Cannot close '" + path + "' of " + file.target());
            }
            state = State.FINISHED;
        } catch (RuntimeException e) {
            throw fail(e);
        } finally {
            release();
        }
    }

    /** Abandons the dataset: drops pending chunks, closes the HDF5 handle. */
    void closeQuietly() {
        for (Chunk c : pending) {
            c.future.cancel(true);
        }
        pending.clear();
        if (state == State.OPEN) {
            state = State.FAILED;
        }
        release();
        synchronized (Hdf5.LOCK) {
            if (did >= 0) {
                H5Dclose(did);
                did = -1;
            }
        }
    }

    private void release() {
        if (pool != null) {
            pool.shutdownNow();
            pool = null;
        }
        ChunkEncoder e;
        while ((e = encoders.poll()) != null) {
            e.end();
        }
        free.clear();
        current = null;
    }
}
