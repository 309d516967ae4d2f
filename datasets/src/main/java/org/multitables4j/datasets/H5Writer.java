package org.multitables4j.datasets;

import static org.bytedeco.hdf5.global.hdf5.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.bytedeco.javacpp.BytePointer;

/**
 * Writes an HDF5 file with the HDF Group's C library, streaming: datasets grow by appended
 * rows, so a dataset larger than memory (and than 2 GB) is written in bounded memory.
 *
 * <p>The file is written under a temporary name ({@code NAME.partial}) next to the target and
 * renamed at {@link #close()}; if anything fails, {@link #abort()} (or a failing close) deletes
 * it, so a failed conversion leaves no output file. Chunks are compressed (shuffle + deflate,
 * HDF5's own filter format) on a thread pool and written with {@code H5Dwrite_chunk}; every
 * HDF5 call happens on the thread that uses the writer. Not thread-safe.
 *
 * <pre>{@code
 * try (H5Writer w = H5Writer.create(Path.of("out.h5"))) {
 *     RowWriter x = w.dataset("/train/x", ElementKind.FLOAT32, new long[] {784}, WriteOptions.DEFAULT);
 *     x.append(rows);                      // float[] of whole rows, any number of times
 *     w.attribute("/", "source", "my data");
 * }
 * }</pre>
 */
public final class H5Writer implements AutoCloseable {
    private static final Object LOCK = new Object();

    private final Path target;
    private final Path temp;
    private final long fid;
    private final List<RowWriter> datasets = new ArrayList<>();
    private ExecutorService pool;
    private int poolThreads;
    private boolean closed;

    private H5Writer(Path target) {
        this.target = target.toAbsolutePath();
        this.temp = this.target.resolveSibling(this.target.getFileName() + ".partial");
        synchronized (LOCK) {
            H5open();
            H5Eset_auto2(H5E_DEFAULT, null, null);
        }
        try {
            Files.createDirectories(this.target.getParent());
        } catch (IOException e) {
            throw new DatasetsException("Cannot create the directory of " + target + ": " + e.getMessage(), e);
        }
        this.fid = H5Fcreate(temp.toString(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
        if (fid < 0) {
            throw new DatasetsException("Cannot create the HDF5 file " + temp);
        }
    }

    /**
     * Starts writing a file.
     *
     * @param target the final file name (replaced at close if it exists)
     * @return the writer
     */
    public static H5Writer create(Path target) {
        return new H5Writer(target);
    }

    /** @return the final path of the file */
    public Path target() {
        return target;
    }

    ExecutorService pool(int threads) {
        if (pool == null || poolThreads < threads) {
            if (pool != null) {
                pool.shutdown();
            }
            pool = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "multitables4j-datasets-compress");
                t.setDaemon(true);
                return t;
            });
            poolThreads = threads;
        }
        return pool;
    }

    long fid() {
        return fid;
    }

    /**
     * Creates an extensible, chunked dataset (parent groups are created as needed).
     *
     * @param path     absolute path such as {@code /train/x}
     * @param kind     element type
     * @param rowShape shape of one row (empty for one value per row)
     * @param options  chunking and compression
     * @return the dataset's appender
     */
    public RowWriter dataset(String path, ElementKind kind, long[] rowShape, WriteOptions options) {
        ensureOpen();
        RowWriter w = new RowWriter(this, path, kind, rowShape, options);
        datasets.add(w);
        return w;
    }

    /**
     * Writes a string attribute.
     *
     * @param objectPath a group or dataset, e.g. {@code /} or {@code /train/x}
     * @param name       attribute name
     * @param value      attribute value (UTF-8)
     */
    public void attribute(String objectPath, String name, String value) {
        ensureOpen();
        long obj = H5Oopen(fid, objectPath, H5P_DEFAULT);
        if (obj < 0) {
            throw new DatasetsException("No object '" + objectPath + "' in " + temp + " for attribute '" + name + "'");
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        long type = H5Tcopy(H5T_C_S1_g());
        long space = H5Screate(H5S_SCALAR);
        try {
            H5Tset_size(type, Math.max(1, bytes.length));
            long attr = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
            if (attr < 0) {
                throw new DatasetsException("Cannot create attribute '" + name + "' on '" + objectPath + "' in " + temp);
            }
            try (BytePointer p = new BytePointer(bytes.length == 0 ? new byte[1] : bytes)) {
                check(H5Awrite(attr, type, p), "write attribute '" + name + "'");
            } finally {
                H5Aclose(attr);
            }
        } finally {
            H5Sclose(space);
            H5Tclose(type);
            H5Oclose(obj);
        }
    }

    void check(int status, String what) {
        if (status < 0) {
            throw new DatasetsException("HDF5 failed to " + what + " in " + temp);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the writer of " + target + " is closed");
        }
    }

    /**
     * Finishes every dataset, closes the file and renames it to its final name. If anything
     * fails the partial file is deleted and the error is thrown.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        try {
            for (RowWriter w : datasets) {
                w.finish();
            }
        } catch (RuntimeException e) {
            abort();
            throw e;
        }
        closed = true;
        shutdownPool();
        if (H5Fclose(fid) < 0) {
            deleteTemp();
            throw new DatasetsException("HDF5 failed to close " + temp);
        }
        try {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            deleteTemp();
            throw new DatasetsException("Cannot rename " + temp + " to " + target + ": " + e.getMessage(), e);
        }
    }

    /** Abandons the file: closes it and deletes the partial output. Idempotent. */
    public void abort() {
        if (closed) {
            return;
        }
        closed = true;
        for (RowWriter w : datasets) {
            w.closeQuietly();
        }
        shutdownPool();
        H5Fclose(fid);
        deleteTemp();
    }

    private void shutdownPool() {
        if (pool != null) {
            pool.shutdownNow();
            pool = null;
        }
    }

    private void deleteTemp() {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException ignored) {
            // nothing more to do
        }
    }
}
