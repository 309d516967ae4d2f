package org.multitables4j.datasets;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads IDX files (the MNIST / Fashion-MNIST format), plain or gzip-compressed (detected by the
 * gzip magic bytes), as a stream of rows. Only unsigned-byte IDX files are accepted.
 */
public final class Idx implements AutoCloseable {
    private final Path file;
    private final DataInputStream in;
    private final long[] dims;

    private Idx(Path file) throws IOException {
        this.file = file;
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        InputStream s = b0 == 0x1f && b1 == 0x8b ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw;
        this.in = new DataInputStream(s);
        int magic;
        try {
            magic = in.readInt();
        } catch (EOFException e) {
            in.close();
            throw new DatasetsException("Malformed IDX file " + file + ": shorter than its 4-byte magic number");
        }
        if ((magic >>> 16) != 0 || ((magic >>> 8) & 0xff) != 0x08 || (magic & 0xff) < 1 || (magic & 0xff) > 4) {
            in.close();
            throw new DatasetsException(String.format("Malformed IDX file %s: magic number 0x%08x, expected "
                    + "0x000008NN (unsigned bytes, NN dimensions)", file, magic));
        }
        int nd = magic & 0xff;
        dims = new long[nd];
        for (int d = 0; d < nd; d++) {
            dims[d] = in.readInt() & 0xffffffffL;
        }
    }

    /**
     * Opens an IDX file.
     *
     * @param file the file (.gz or plain)
     * @return the reader
     */
    public static Idx open(Path file) {
        try {
            return new Idx(file);
        } catch (NoSuchFileException e) {
            throw new DatasetsException("No such file: " + file, e);
        } catch (IOException e) {
            throw new DatasetsException("Cannot read IDX file " + file + ": " + e.getMessage(), e);
        }
    }

    /** @return the dimensions; the first is the number of rows */
    public long[] dims() {
        return dims.clone();
    }

    /** @return the shape of one row */
    public long[] rowShape() {
        return java.util.Arrays.copyOfRange(dims, 1, dims.length);
    }

    /** @return bytes per row */
    public int rowBytes() {
        long n = 1;
        for (int d = 1; d < dims.length; d++) {
            n *= dims[d];
        }
        return (int) n;
    }

    /**
     * Reads up to {@code rows} rows.
     *
     * @param rows  rows wanted
     * @param dst   destination of at least {@code rows * rowBytes()} bytes (position 0, then flipped)
     * @return rows read
     */
    public int read(int rows, ByteBuffer dst) {
        dst.clear();
        int n = rows * rowBytes();
        try {
            in.readFully(dst.array(), 0, n);
        } catch (EOFException e) {
            throw new DatasetsException("Malformed IDX file " + file + ": ends before the " + dims[0] + " rows its header announces");
        } catch (IOException e) {
            throw new DatasetsException("Cannot read IDX file " + file + ": " + e.getMessage(), e);
        }
        dst.limit(n);
        return rows;
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
