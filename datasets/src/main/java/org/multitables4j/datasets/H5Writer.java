package org.multitables4j.datasets;

import static org.bytedeco.hdf5.global.hdf5.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Writes an HDF5 file with the HDF Group's C library, streaming: datasets grow by appended rows
 * ({@link RowWriter}), so a dataset larger than memory (and than 2 GB) is written in bounded
 * memory. Files are plain HDF5 (chunked, extensible along rows, gzip + shuffle filters) that
 * h5py, PyTables and jhdf read.
 *
 * <p><b>No half-written output.</b> The file is written under a temporary name
 * ({@code .NAME.<pid>-<host>-<random>.partial}) in the target's directory and renamed atomically
 * to the target by a successful {@link #close()}. If a write fails, or {@link #abort()} is called,
 * or the JVM exits before the close, the temporary file is deleted; one that a killed process
 * (SIGKILL, OOM killer) left behind is deleted by the next writer into that directory. Because {@code close()} cannot see an
 * exception thrown by the caller's own code inside a try-with-resources block, code that may fail
 * between appends should call {@link #abort()} in a {@code catch}, or use {@link #write(Path, Body)},
 * which commits only when its body returns normally:
 *
 * <pre>{@code
 * H5Writer.write(Path.of("out.h5"), w -> {
 *     RowWriter x = w.dataset("/train/x", ElementKind.FLOAT32, new long[] {784},
 *             WriteOptions.builder().gzip(4).shuffle(true).chunkBytes(1 << 20).build());
 *     x.append(rows);                      // float[] of whole rows, any number of times
 *     w.attribute("/", "source", "my data");
 * });
 * }</pre>
 *
 * <p>The HDF5 library build is not thread-safe; every call into it holds one JVM-wide lock, so
 * several writers may run on several threads. One writer is meant to be used from one thread.
 */
public final class H5Writer implements AutoCloseable {
    /** The value of the {@code created_by} attribute that the converters and generators write. */
    public static final String CREATED_BY = "multitables4j-datasets";
    /**
     * Most strings a list attribute holds. An attribute lives in its object's header, at most
     * 64 KiB, and a variable-length string takes 16 bytes there (its text is stored elsewhere), so
     * about 4090 strings fit; {@link #attribute(String, String, List)} stores longer lists as a
     * dataset.
     */
    public static final int MAX_ATTRIBUTE_STRINGS = 4000;

    private final Path target;
    private final Path temp;
    private final long fid;
    private final List<RowWriter> datasets = new ArrayList<>();
    private final Thread cleanup;
    private boolean closed;
    private boolean failed;

    /** What {@link #write(Path, Body)} runs with the open writer. */
    @FunctionalInterface
    public interface Body {
        /**
         * @param writer the open writer
         * @throws Exception anything; the output is then deleted and the exception rethrown
         *                   (checked exceptions wrapped in {@link DatasetsException})
         */
        void write(H5Writer writer) throws Exception;
    }

    private H5Writer(Path target) {
        this.target = target.toAbsolutePath().normalize();
        Path dir = this.target.getParent();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new DatasetsException("Cannot create the directory of " + this.target + ": " + e, e);
        }
        PartialFiles.sweep(dir);
        // a fresh name next to the target, created exclusively by the library (so with the usual
        // permissions, unlike Files.createTempFile's 0600)
        Path name = null;
        long id = -1;
        synchronized (Hdf5.LOCK) {
            Hdf5.init();
            for (int attempt = 0; attempt < 5 && id < 0; attempt++) {
                name = PartialFiles.fresh(this.target);
                if (!Files.exists(name, LinkOption.NOFOLLOW_LINKS)) {
                    id = H5Fcreate(name.toString(), H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT);
                    if (id < 0 && Files.exists(name, LinkOption.NOFOLLOW_LINKS)) {
                        Hdf5.errorStack();
                        continue;
                    }
                    if (id < 0) {
                        throw Hdf5.failure("Cannot create the HDF5 file " + name);
                    }
                }
            }
        }
        if (id < 0) {
            throw new DatasetsException("Cannot find a free temporary name next to " + this.target);
        }
        this.temp = name;
        this.fid = id;
        this.cleanup = new Thread(this::deleteTemp, "multitables4j-datasets-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
    }

    /**
     * Starts writing a file.
     *
     * @param target the final file name; an existing file is replaced at a successful close
     * @return the writer
     */
    public static H5Writer create(Path target) {
        return new H5Writer(target);
    }

    /**
     * Writes a file in one go: creates the writer, runs {@code body}, and commits the file if the
     * body returns normally; otherwise deletes the output and rethrows.
     *
     * @param target the final file name
     * @param body   what to write
     */
    public static void write(Path target, Body body) {
        H5Writer w = create(target);
        try {
            body.write(w);
        } catch (RuntimeException | Error e) {
            w.abort();
            throw e;
        } catch (Exception e) {
            w.abort();
            throw new DatasetsException("Writing " + target + " failed: " + e, e);
        }
        w.close();
    }

    /** @return the final path of the file */
    public Path target() {
        return target;
    }

    /** @return true until {@link #close()} or {@link #abort()} */
    public boolean isOpen() {
        return !closed;
    }

    long fid() {
        return fid;
    }

    void markFailed() {
        failed = true;
    }

    /**
     * Creates an extensible, chunked dataset of rows; parent groups are created as needed.
     *
     * @param path     absolute path such as {@code /train/x}
     * @param kind     element type
     * @param rowShape shape of one row ({@code new long[0]} for one value per row)
     * @param options  chunking, compression and threads
     * @return the dataset's appender
     */
    public RowWriter dataset(String path, ElementKind kind, long[] rowShape, WriteOptions options) {
        ensureOpen();
        try {
            RowWriter w = new RowWriter(this, path, kind, rowShape, options);
            datasets.add(w);
            return w;
        } catch (RuntimeException e) {
            failed = true;
            throw e;
        }
    }

    /**
     * Creates a group (and its parents) if it does not exist yet, e.g. to hold attributes.
     *
     * @param path absolute path such as {@code /train}
     */
    public void group(String path) {
        ensureOpen();
        synchronized (Hdf5.LOCK) {
            if ("/".equals(path) || H5Lexists(fid, path, H5P_DEFAULT) > 0) {
                H5Eclear2(H5E_DEFAULT);
                return;
            }
            H5Eclear2(H5E_DEFAULT);
            long lcpl = H5Pcreate(H5P_CLS_LINK_CREATE_ID_g());
            try {
                H5Pset_create_intermediate_group(lcpl, 1);
                long g = H5Gcreate2(fid, path, lcpl, H5P_DEFAULT, H5P_DEFAULT);
                if (g < 0) {
                    failed = true;
                    throw Hdf5.failure("Cannot create group '" + path + "' in " + target);
                }
                H5Gclose(g);
            } finally {
                H5Pclose(lcpl);
            }
        }
    }

    /**
     * Writes a string attribute (variable-length UTF-8, read by h5py as {@code str}); an existing
     * attribute of that name is replaced.
     *
     * @param objectPath a group or dataset, e.g. {@code /} or {@code /train/x}
     * @param name       attribute name
     * @param value      attribute value
     */
    public void attribute(String objectPath, String name, String value) {
        writeStrings(objectPath, name, List.of(value), true);
    }

    /**
     * Writes a list of strings (variable-length UTF-8; h5py reads an array of {@code str}), e.g.
     * class names in label order or the column names of a CSV.
     *
     * <p>Up to {@link #MAX_ATTRIBUTE_STRINGS} strings: the one-dimensional attribute {@code name}
     * of {@code objectPath}. A longer list does not fit in an attribute (HDF5 fails with "object
     * header message is too large"); it goes to a one-dimensional string dataset
     * {@code OBJECT_NAME} beside the object ({@code /x_columns} for {@code /x} and {@code columns};
     * {@code /NAME} for the root group), and the object gets the string attribute
     * {@code NAME_dataset} holding that dataset's path. {@link Inspect#names} reads both forms.
     *
     * @param objectPath a group or dataset
     * @param name       the list's name
     * @param values     the strings
     */
    public void attribute(String objectPath, String name, List<String> values) {
        if (values.size() <= MAX_ATTRIBUTE_STRINGS) {
            writeStrings(objectPath, name, values, false);
            return;
        }
        String path = "/".equals(objectPath) ? "/" + name : objectPath + "_" + name;
        stringDataset(path, values);
        attribute(objectPath, name + "_dataset", path);
    }

    /** Writes a one-dimensional variable-length UTF-8 string dataset (contiguous). */
    private void stringDataset(String path, List<String> values) {
        ensureOpen();
        synchronized (Hdf5.LOCK) {
            List<BytePointer> strings = new ArrayList<>();
            long type = H5Tcopy(H5T_C_S1_g());
            long space = H5Screate_simple(1, new long[] {values.size()}, null);
            long lcpl = H5Pcreate(H5P_CLS_LINK_CREATE_ID_g());
            try (PointerPointer<BytePointer> pp = new PointerPointer<>(values.size())) {
                H5Tset_size(type, H5T_VARIABLE());
                H5Tset_cset(type, H5T_CSET_UTF8);
                H5Pset_create_intermediate_group(lcpl, 1);
                for (int i = 0; i < values.size(); i++) {
                    BytePointer s = new BytePointer(values.get(i), StandardCharsets.UTF_8);
                    strings.add(s);
                    pp.put(i, s);
                }
                long did = H5Dcreate2(fid, path, type, space, lcpl, H5P_DEFAULT, H5P_DEFAULT);
                if (did < 0) {
                    failed = true;
                    throw Hdf5.failure("Cannot create the string dataset '" + path + "' in " + target);
                }
                try {
                    if (H5Dwrite(did, type, H5S_ALL(), H5S_ALL(), H5P_DEFAULT, pp) < 0) {
                        failed = true;
                        throw Hdf5.failure("Cannot write the string dataset '" + path + "' in " + target);
                    }
                } finally {
                    H5Dclose(did);
                }
            } finally {
                H5Pclose(lcpl);
                H5Sclose(space);
                H5Tclose(type);
                strings.forEach(Pointer::close);
            }
        }
    }

    /**
     * Writes a scalar int64 attribute.
     *
     * @param objectPath a group or dataset
     * @param name       attribute name
     * @param value      attribute value
     */
    public void attribute(String objectPath, String name, long value) {
        synchronized (Hdf5.LOCK) {
            try (LongPointer p = new LongPointer(1).put(value)) {
                writeAttribute(objectPath, name, H5T_STD_I64LE_g(), H5T_NATIVE_LLONG_g(), -1, p);
            }
        }
    }

    /**
     * Writes a scalar float64 attribute.
     *
     * @param objectPath a group or dataset
     * @param name       attribute name
     * @param value      attribute value
     */
    public void attribute(String objectPath, String name, double value) {
        synchronized (Hdf5.LOCK) {
            try (DoublePointer p = new DoublePointer(1).put(value)) {
                writeAttribute(objectPath, name, H5T_IEEE_F64LE_g(), H5T_NATIVE_DOUBLE_g(), -1, p);
            }
        }
    }

    private void writeStrings(String objectPath, String name, List<String> values, boolean scalar) {
        synchronized (Hdf5.LOCK) {
            List<BytePointer> strings = new ArrayList<>();
            long type = H5Tcopy(H5T_C_S1_g());
            try (PointerPointer<BytePointer> pp = new PointerPointer<>(Math.max(1, values.size()))) {
                H5Tset_size(type, H5T_VARIABLE());
                H5Tset_cset(type, H5T_CSET_UTF8);
                for (int i = 0; i < values.size(); i++) {
                    BytePointer s = new BytePointer(values.get(i), StandardCharsets.UTF_8);
                    strings.add(s);
                    pp.put(i, s);
                }
                writeAttribute(objectPath, name, type, type, scalar ? -1 : values.size(), pp);
            } finally {
                H5Tclose(type);
                strings.forEach(Pointer::close);
            }
        }
    }

    /** Creates (or replaces) an attribute; {@code length < 0} makes it scalar. Holds the lock. */
    private void writeAttribute(String objectPath, String name, long fileType, long memType, long length, Pointer data) {
        ensureOpen();
        long obj = H5Oopen(fid, objectPath, H5P_DEFAULT);
        if (obj < 0) {
            failed = true;
            throw Hdf5.failure("No object '" + objectPath + "' in " + target + " for attribute '" + name + "'");
        }
        long space = length < 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, new long[] {length}, null);
        try {
            if (H5Aexists(obj, name) > 0) {
                H5Adelete(obj, name);
            }
            long attr = H5Acreate2(obj, name, fileType, space, H5P_DEFAULT, H5P_DEFAULT);
            if (attr < 0) {
                failed = true;
                throw Hdf5.failure("Cannot create attribute '" + name + "' on '" + objectPath + "' in " + target);
            }
            try {
                if (H5Awrite(attr, memType, data) < 0) {
                    failed = true;
                    throw Hdf5.failure("Cannot write attribute '" + name + "' on '" + objectPath + "' in " + target);
                }
            } finally {
                H5Aclose(attr);
            }
        } finally {
            H5Sclose(space);
            H5Oclose(obj);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("the writer of " + target + " is closed");
        }
    }

    /**
     * Finishes every dataset (writes the rows still staged), closes the file and renames it to its
     * final name. If anything failed, now or earlier, the temporary file is deleted and a
     * {@link DatasetsException} thrown. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (failed) {
            abort();
            throw new DatasetsException("Not writing " + target + ": an earlier write failed");
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
        int status;
        synchronized (Hdf5.LOCK) {
            status = H5Fclose(fid);
            if (status < 0) {
                DatasetsException e = Hdf5.failure("Cannot close " + temp);
                finishCleanup();
                throw e;
            }
        }
        try {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            finishCleanup();
            throw new DatasetsException("Cannot rename " + temp + " to " + target + ": " + e, e);
        }
        finishCleanup();
    }

    /** Abandons the file: stops every dataset, closes the file and deletes it. Idempotent. */
    public void abort() {
        if (closed) {
            return;
        }
        closed = true;
        for (RowWriter w : datasets) {
            w.closeQuietly();
        }
        synchronized (Hdf5.LOCK) {
            H5Fclose(fid);
            H5Eclear2(H5E_DEFAULT);
        }
        finishCleanup();
    }

    private void finishCleanup() {
        deleteTemp();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException ignored) {
            // the JVM is shutting down; the hook deletes the file
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
