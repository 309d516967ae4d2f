package org.multitables4j.internal.hdf5;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Node;
import io.jhdf.exceptions.HdfException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;
import org.multitables4j.CorruptDataException;
import org.multitables4j.InvalidConfigurationException;
import org.multitables4j.MultitablesException;

/**
 * An HDF5 file opened once and shared by every worker thread.
 *
 * <p>Metadata (object headers, chunk indexes, filters) is parsed by jhdf, which is given a
 * channel whose {@code map()} is refused, so jhdf never memory-maps chunks (mapping each small
 * chunk exhausts the kernel's map count on large files). Chunk bytes are then read by this class
 * with positional reads on its own {@link FileChannel}, which is safe to use from many threads.
 * Worker threads must never be interrupted while reading: an interrupt closes a
 * {@code FileChannel} for every thread.
 */
public final class Hdf5File implements AutoCloseable {
    private final Path path;
    private final HdfFile hdf;
    private final FileChannel channel;
    private final long baseAddress;
    private final long fileSize;
    private final Map<String, Hdf5Array> arrays = new ConcurrentHashMap<>();

    private Hdf5File(Path path, HdfFile hdf, FileChannel channel) throws IOException {
        this.path = path;
        this.hdf = hdf;
        this.channel = channel;
        this.baseAddress = hdf.getUserBlockSize();
        this.fileSize = channel.size();
    }

    /**
     * Opens a file for reading.
     *
     * @param path the HDF5 file
     * @return the open file
     * @throws InvalidConfigurationException if the file does not exist or may not be read (permission denied)
     * @throws CorruptDataException if it is not a readable HDF5 file
     */
    public static Hdf5File open(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new InvalidConfigurationException("HDF5 file not found: " + path);
        }
        SeekableByteChannel metaChannel = null;
        FileChannel dataChannel = null;
        try {
            metaChannel = new NoMapChannel(FileChannel.open(path, StandardOpenOption.READ));
            HdfFile hdf = new HdfFile(metaChannel, path.toUri());
            dataChannel = FileChannel.open(path, StandardOpenOption.READ);
            return new Hdf5File(path, hdf, dataChannel);
        } catch (NoSuchFileException e) {
            closeQuietly(metaChannel, dataChannel);
            throw new InvalidConfigurationException("HDF5 file not found: " + path, e);
        } catch (java.nio.file.AccessDeniedException e) {
            closeQuietly(metaChannel, dataChannel);
            throw new InvalidConfigurationException("HDF5 file cannot be read: permission denied: " + path, e);
        } catch (IOException | HdfException | IllegalArgumentException | IllegalStateException
                 | IndexOutOfBoundsException | java.nio.BufferUnderflowException e) {
            closeQuietly(metaChannel, dataChannel);
            throw new CorruptDataException("Not a readable HDF5 file: " + path + ": " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(AutoCloseable... cs) {
        for (AutoCloseable c : cs) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // already failing
                }
            }
        }
    }

    /** @return the file's path */
    public Path path() {
        return path;
    }

    /** @return the file size in bytes when it was opened */
    public long size() {
        return fileSize;
    }

    /**
     * Describes a dataset; the description is made once and cached.
     *
     * @param datasetPath an absolute path inside the file such as {@code /train/x}
     * @return the dataset
     * @throws InvalidConfigurationException if there is no dataset at that path
     * @throws org.multitables4j.UnsupportedHdf5Exception if its type, filter or layout is unsupported
     */
    public Hdf5Array array(String datasetPath) {
        return arrays.computeIfAbsent(datasetPath, this::describe);
    }

    /**
     * Describes one column (member) of a compound dataset (a PyTables table, a numpy structured
     * array) as rows of that column's values; made once and cached.
     *
     * <p>A member of a nested compound member is named by a column path whose segments are
     * separated by {@code '/'}, as PyTables names nested columns ({@code table.cols._f_col("meta/sub/vec")}):
     * {@code "pos/x"}, {@code "meta/sub/vec"}, at any depth. The path must end at a leaf: a
     * number, a boolean or a fixed-size array of them (its dimensions become the row shape);
     * big-endian members are read as such. A member whose own name contains {@code '/'} is found
     * by its full name first.
     *
     * @param datasetPath the table's path
     * @param column      the member name, or a {@code '/'}-separated path into nested members
     * @return the column
     * @throws InvalidConfigurationException if there is no such table or column (the message lists
     *     the names available where the path went wrong), or if the path ends at a nested
     *     compound rather than a leaf (the message lists its fields)
     * @throws org.multitables4j.UnsupportedHdf5Exception if the path goes through an array of
     *     compounds or the leaf's type is unsupported
     */
    public Hdf5Array column(String datasetPath, String column) {
        return arrays.computeIfAbsent(datasetPath + "#" + column, k -> describe(datasetPath, column));
    }

    private Hdf5Array describe(String datasetPath) {
        return describe(datasetPath, null);
    }

    private Hdf5Array describe(String datasetPath, String column) {
        Node node;
        try {
            node = hdf.getByPath(datasetPath);
        } catch (HdfException e) {
            throw new InvalidConfigurationException("No dataset '" + datasetPath + "' in " + path, e);
        } catch (RuntimeException e) {
            throw new CorruptDataException("Cannot read the object '" + datasetPath + "' in " + path + ": " + e, e);
        }
        if (!(node instanceof Dataset)) {
            throw new InvalidConfigurationException("'" + datasetPath + "' in " + path + " is a "
                    + node.getType().name().toLowerCase() + ", not a dataset");
        }
        try {
            return new Hdf5Array(this, (Dataset) node, column);
        } catch (MultitablesException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CorruptDataException("Cannot read the metadata of '" + datasetPath + "' in " + path + ": " + e, e);
        }
    }

    /**
     * Reads {@code dst.remaining()} bytes at a file address (relative to the HDF5 base address).
     *
     * @param address   file address as stored in HDF5 metadata
     * @param dst       destination; filled from its position to its limit
     * @param what      description of what is being read, for error messages
     */
    void readFully(long address, ByteBuffer dst, String what) {
        long pos = address + baseAddress;
        int want = dst.remaining();
        if (address < 0 || pos + want > fileSize) {
            throw new CorruptDataException(what + ": bytes [" + pos + ", " + (pos + want)
                    + ") lie outside the file of " + fileSize + " bytes (" + path + ")");
        }
        try {
            while (dst.hasRemaining()) {
                int n = channel.read(dst, pos);
                if (n < 0) {
                    throw new CorruptDataException(what + ": unexpected end of file at byte " + pos + " (" + path + ")");
                }
                pos += n;
            }
        } catch (IOException e) {
            throw new CorruptDataException(what + ": I/O error at byte " + pos + " (" + path + "): " + e.getMessage(), e);
        }
    }

    /** Closes the file. Idempotent. */
    @Override
    public void close() {
        closeQuietly(channel);
        try {
            hdf.close();
        } catch (RuntimeException ignored) {
            // closing twice or after a failure
        }
    }

    /**
     * A read-only channel around a {@link FileChannel} that jhdf cannot map: jhdf wraps any
     * non-{@code FileChannel} into its own adapter whose {@code map()} is unsupported, and falls
     * back to positional reads.
     */
    private static final class NoMapChannel implements SeekableByteChannel {
        private final FileChannel fc;

        NoMapChannel(FileChannel fc) {
            this.fc = fc;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return fc.read(dst);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            throw new IOException("read-only");
        }

        @Override
        public long position() throws IOException {
            return fc.position();
        }

        @Override
        public SeekableByteChannel position(long newPosition) throws IOException {
            fc.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return fc.size();
        }

        @Override
        public SeekableByteChannel truncate(long size) throws IOException {
            throw new IOException("read-only");
        }

        @Override
        public boolean isOpen() {
            return fc.isOpen();
        }

        @Override
        public void close() throws IOException {
            fc.close();
        }
    }
}
