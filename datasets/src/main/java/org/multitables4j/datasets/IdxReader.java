package org.multitables4j.datasets;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Reads IDX files (the MNIST / Fashion-MNIST format) as a stream of rows, plain or gzip-compressed
 * (detected by the gzip magic bytes {@code 1f 8b}, not by the file name).
 *
 * <p>The format: a 4-byte magic number {@code 00 00 TT NN} (TT the element type: 08 unsigned
 * byte, 09 signed byte, 0B int16, 0C int32, 0D float32, 0E float64; NN the number of dimensions),
 * NN big-endian uint32 dimensions, then the values in C order, big endian. The first dimension
 * counts rows. Rows are handed out little endian, ready for {@link RowWriter#append(ByteBuffer)}.
 */
public final class IdxReader implements AutoCloseable {
    private final Path file;
    private final DataInputStream in;
    private final ElementKind kind;
    private final long[] dims;
    private final int rowBytes;
    private long rowsRead;

    private IdxReader(Path file) throws IOException {
        this.file = file;
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        boolean ok = false;
        try {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            boolean gz = b0 == 0x1f && b1 == 0x8b;
            this.in = new DataInputStream(gz ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw);
            int magic;
            try {
                magic = in.readInt();
            } catch (EOFException e) {
                throw new DatasetsException("Malformed IDX file " + file + ": shorter than its 4-byte magic number");
            }
            int type = (magic >>> 8) & 0xff;
            int nd = magic & 0xff;
            this.kind = kindOf(type);
            if ((magic >>> 16) != 0 || kind == null || nd < 1) {
                throw new DatasetsException(String.format("Malformed IDX file %s: magic number 0x%08x, expected "
                        + "0x0000TTNN (TT: element type 08/09/0b/0c/0d/0e, NN: dimensions >= 1)", file, magic));
            }
            dims = new long[nd];
            long rb = kind.size();
            try {
                for (int d = 0; d < nd; d++) {
                    dims[d] = in.readInt() & 0xffffffffL;
                    if (d > 0) {
                        rb = Math.multiplyExact(rb, dims[d]);
                    }
                }
            } catch (EOFException e) {
                throw new DatasetsException("Malformed IDX file " + file + ": ends inside its header");
            }
            if (rb > WriteOptions.MAX_CHUNK_BYTES || rb == 0) {
                throw new DatasetsException("IDX file " + file + ": unsupported row size " + rb + " bytes (dims "
                        + Arrays.toString(dims) + ")");
            }
            rowBytes = (int) rb;
            if (!gz) {
                long need = 4 + 4L * nd + dims[0] * rowBytes;
                long size = Files.size(file);
                if (size < need) {
                    throw new DatasetsException("Malformed IDX file " + file + ": " + size + " bytes, its header "
                            + Arrays.toString(dims) + " needs " + need);
                }
            }
            ok = true;
        } finally {
            if (!ok) {
                raw.close();
            }
        }
    }

    private static ElementKind kindOf(int type) {
        switch (type) {
            case 0x08: return ElementKind.UINT8;
            case 0x09: return ElementKind.INT8;
            case 0x0B: return ElementKind.INT16;
            case 0x0C: return ElementKind.INT32;
            case 0x0D: return ElementKind.FLOAT32;
            case 0x0E: return ElementKind.FLOAT64;
            default: return null;
        }
    }

    /**
     * Opens an IDX file and reads its header.
     *
     * @param file the file (.gz or plain)
     * @return the reader
     * @throws DatasetsException if the file is missing or its magic number or header is malformed
     */
    public static IdxReader open(Path file) {
        try {
            return new IdxReader(file);
        } catch (NoSuchFileException e) {
            throw new DatasetsException("No such file: " + file, e);
        } catch (IOException e) {
            throw new DatasetsException("Cannot read IDX file " + file + ": " + e, e);
        }
    }

    /** @return the element type */
    public ElementKind kind() {
        return kind;
    }

    /** @return the dimensions (a copy); the first counts rows */
    public long[] dims() {
        return dims.clone();
    }

    /** @return the number of rows */
    public long rows() {
        return dims[0];
    }

    /** @return the shape of one row */
    public long[] rowShape() {
        return Arrays.copyOfRange(dims, 1, dims.length);
    }

    /** @return bytes per row */
    public int rowBytes() {
        return rowBytes;
    }

    /**
     * Reads the next rows, at most {@code maxRows} and at most as many as fit in {@code dst}.
     *
     * @param dst     a heap buffer; cleared, filled with little-endian rows, flipped
     * @param maxRows rows wanted
     * @return rows read (0 at the end)
     */
    public int read(ByteBuffer dst, int maxRows) {
        int n = (int) Math.min(Math.min(maxRows, dims[0] - rowsRead), dst.capacity() / rowBytes);
        int bytes = n * rowBytes;
        dst.clear();
        try {
            in.readFully(dst.array(), dst.arrayOffset(), bytes);
        } catch (EOFException e) {
            throw new DatasetsException("Malformed IDX file " + file + ": ends before the " + dims[0]
                    + " rows its header announces");
        } catch (IOException e) {
            throw new DatasetsException("Cannot read IDX file " + file + ": " + e, e);
        }
        dst.limit(bytes);
        if (kind.size() > 1) {
            Convert.swapBytes(dst, kind.size());
        }
        rowsRead += n;
        dst.order(ByteOrder.LITTLE_ENDIAN);
        return n;
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException ignored) {
            // read-only
        }
    }
}
