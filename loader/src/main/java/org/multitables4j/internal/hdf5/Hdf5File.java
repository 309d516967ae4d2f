package org.multitables4j.internal.hdf5;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Node;
import io.jhdf.exceptions.HdfException;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
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
import org.multitables4j.ReadStats;
import org.multitables4j.RemoteOptions;
import org.multitables4j.RemoteReadException;

/**
 * An HDF5 file opened once and shared by every worker thread: a local file, or a remote one
 * ({@code hdfs://}, {@code s3a://}, any scheme of a Hadoop {@code FileSystem}).
 *
 * <p>Metadata (object headers, chunk indexes, filters) is parsed by jhdf, which is given a
 * channel whose {@code map()} is refused, so jhdf never memory-maps chunks (mapping each small
 * chunk exhausts the kernel's map count on large files). For a remote file that channel serves
 * jhdf's many small reads from a cache of aligned blocks ({@link BlockCachedChannel}). Chunk
 * bytes are then read by this class with one positional read each on its {@link ByteSource},
 * which is safe to use from many threads. Worker threads must never be interrupted while
 * reading: an interrupt closes a {@code FileChannel} for every thread.
 */
public final class Hdf5File implements AutoCloseable {
    private final Path path;
    private final URI remoteUri;
    private final RemoteOptions remoteOptions;
    private final ReadStats stats;
    private final HdfFile hdf;
    private final ByteSource source;
    private final long baseAddress;
    private final long fileSize;
    private final Map<String, Hdf5Array> arrays = new ConcurrentHashMap<>();
    private volatile byte[] reopen;
    /** Chunk reads started ahead of need; null for a local file. */
    private final ReadAhead ahead;

    private Hdf5File(Path path, URI remoteUri, RemoteOptions remoteOptions, HdfFile hdf, ByteSource source) {
        this(path, remoteUri, remoteOptions, hdf, source, hdf.getUserBlockSize());
    }

    private Hdf5File(Path path, URI remoteUri, RemoteOptions remoteOptions, HdfFile hdf, ByteSource source,
                     long baseAddress) {
        this.path = path;
        this.remoteUri = remoteUri;
        this.remoteOptions = remoteOptions;
        this.stats = remoteOptions == null ? null : remoteOptions.stats();
        this.hdf = hdf;
        this.source = source;
        this.baseAddress = baseAddress;
        this.fileSize = source.size();
        this.ahead = remoteUri == null ? null : new ReadAhead(source, baseAddress, fileSize, stats);
    }

    /**
     * Opens a local file for reading its data only, without parsing its metadata with jhdf: a
     * worker process whose datasets the parent describes ({@link ArrayImage#read}) opens the
     * parent's file this way, which saves the parse and jhdf's class loading at its start.
     * {@link #array} and {@link #tree} are not available on it.
     *
     * @param path        the file (the very file the parent opened)
     * @param baseAddress the HDF5 base address (user block size) the parent read
     * @return the open file
     * @throws InvalidConfigurationException if the file does not exist or may not be read
     */
    public static Hdf5File openData(Path path, long baseAddress) {
        if (!Files.isRegularFile(path)) {
            throw new InvalidConfigurationException("HDF5 file not found: " + path);
        }
        try {
            return new Hdf5File(path, null, null, null, new FileByteSource(path), baseAddress);
        } catch (NoSuchFileException e) {
            throw new InvalidConfigurationException("HDF5 file not found: " + path, e);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new InvalidConfigurationException("HDF5 file cannot be read: permission denied: " + path, e);
        } catch (IOException e) {
            throw new CorruptDataException("Cannot open " + path + ": " + e.getMessage(), e);
        }
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
        ByteSource dataSource = null;
        try {
            metaChannel = new NoMapChannel(FileChannel.open(path, StandardOpenOption.READ));
            HdfFile hdf = new HdfFile(metaChannel, path.toUri());
            dataSource = new FileByteSource(path);
            return new Hdf5File(path, null, null, hdf, dataSource);
        } catch (NoSuchFileException e) {
            closeQuietly(metaChannel, dataSource);
            throw new InvalidConfigurationException("HDF5 file not found: " + path, e);
        } catch (java.nio.file.AccessDeniedException e) {
            closeQuietly(metaChannel, dataSource);
            throw new InvalidConfigurationException("HDF5 file cannot be read: permission denied: " + path, e);
        } catch (IOException | HdfException | IllegalArgumentException | IllegalStateException
                 | IndexOutOfBoundsException | java.nio.BufferUnderflowException e) {
            closeQuietly(metaChannel, dataSource);
            throw new CorruptDataException("Not a readable HDF5 file: " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Opens a file named by a path or a URI: a plain path or a {@code file:} URI is opened as
     * {@link #open(Path)}; any other scheme through Hadoop's {@code FileSystem} (which must be on
     * the classpath).
     *
     * @param location a path or a URI
     * @param options  how remote files are read; null: {@link RemoteOptions#defaults()}
     * @return the open file
     * @throws InvalidConfigurationException if the file does not exist, or Hadoop is missing
     * @throws CorruptDataException if it is not a readable HDF5 file
     * @throws RemoteReadException if the remote storage fails
     */
    public static Hdf5File open(String location, RemoteOptions options) {
        URI uri = ByteSources.remoteUri(location);
        return uri == null ? open(ByteSources.localPath(location)) : openRemote(uri, options);
    }

    /**
     * Opens a file named by a URI ({@code hdfs://nn:8020/d/train.h5}, {@code s3a://bucket/key.h5},
     * {@code file:/d/train.h5}); a URI without a scheme is a local path.
     *
     * @param uri     the file
     * @param options how remote files are read; null: {@link RemoteOptions#defaults()}
     * @return the open file
     * @throws InvalidConfigurationException if the file does not exist, or Hadoop is missing
     * @throws CorruptDataException if it is not a readable HDF5 file
     * @throws RemoteReadException if the remote storage fails
     */
    public static Hdf5File open(URI uri, RemoteOptions options) {
        if (uri == null) {
            throw new InvalidConfigurationException("the URI must not be null");
        }
        if (uri.getScheme() == null) {
            return open(Path.of(uri.getPath()));
        }
        return open(uri.toString(), options);
    }

    private static Hdf5File openRemote(URI uri, RemoteOptions options) {
        RemoteOptions o = options == null ? RemoteOptions.defaults() : options;
        ByteSource src = null;
        BlockCachedChannel meta = null;
        try {
            src = ByteSources.openRemote(uri, o);
            meta = new BlockCachedChannel(src, o.metadataBlockBytes(), o.metadataCacheBytes(), o.stats());
            HdfFile hdf = new HdfFile(meta, uri);
            return new Hdf5File(null, uri, o, hdf, src);
        } catch (FileNotFoundException e) {
            closeQuietly(meta, src);
            throw new InvalidConfigurationException("HDF5 file not found: " + uri + " (" + e.getMessage() + ")", e);
        } catch (IOException | HdfException | IllegalArgumentException | IllegalStateException
                 | IndexOutOfBoundsException | java.nio.BufferUnderflowException | UncheckedIOException e) {
            closeQuietly(meta, src);
            IOException io = ioCause(e);
            if (io != null && !(io instanceof EOFException)) {
                throw new RemoteReadException("Cannot read " + uri + ": " + io, e);
            }
            throw new CorruptDataException("Not a readable HDF5 file: " + uri + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(meta, src);
            throw e;
        }
    }

    private static IOException ioCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException io) {
                return io;
            }
        }
        return null;
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

    /** @return the file's path; null for a remote file (see {@link #location()}) */
    public Path path() {
        return path;
    }

    /**
     * @return what names this file in messages and what a worker process opens: the absolute
     *     path of a local file, the URI of a remote one
     */
    public String location() {
        return path != null ? path.toAbsolutePath().toString() : remoteUri.toString();
    }

    /** @return what names this file in messages: its path as given, or its URI */
    public String name() {
        return path != null ? path.toString() : remoteUri.toString();
    }

    /** @return whether the file is read through Hadoop's {@code FileSystem} */
    public boolean isRemote() {
        return remoteUri != null;
    }

    /**
     * @return the file's modification time (ms since the epoch) when it was opened; with
     *     {@link #size()} it tells whether a second opening (a worker process) sees the same file
     */
    public long modificationTime() {
        return source.modificationTime();
    }

    /**
     * @return what a worker process needs besides {@link #location()} to open this file the same
     *     way ({@link #open(String, byte[])}): empty for a local file; for a remote one the
     *     remote options with the Hadoop configuration flattened to properties (credentials
     *     included: send it only over a private channel)
     */
    public byte[] reopenSettings() {
        if (remoteUri == null) {
            return new byte[0];
        }
        byte[] b = reopen;
        if (b == null) {
            b = ByteSources.encode(remoteUri, remoteOptions);
            reopen = b;
        }
        return b.clone();
    }

    /**
     * Opens a file again in a worker process.
     *
     * @param location from {@link #location()}
     * @param settings from {@link #reopenSettings()}
     * @return the open file
     */
    public static Hdf5File open(String location, byte[] settings) {
        return open(location, ByteSources.decode(settings));
    }

    /**
     * @return jhdf's tree of this file, for attributes read once at build (class names); shared
     *     by the file's datasets: not to be closed
     */
    public HdfFile tree() {
        return hdf;
    }

    /** @return the HDF5 base address: file addresses are relative to it */
    long baseAddress() {
        return baseAddress;
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
        if (hdf == null) {
            throw new IllegalStateException(name() + " was opened for data reads only; '" + datasetPath
                    + "' was not described by the parent process");
        }
        Node node;
        try {
            node = hdf.getByPath(datasetPath);
        } catch (HdfException e) {
            throw new InvalidConfigurationException("No dataset '" + datasetPath + "' in " + name(), e);
        } catch (RuntimeException e) {
            throw new CorruptDataException("Cannot read the object '" + datasetPath + "' in " + name() + ": " + e, e);
        }
        if (!(node instanceof Dataset)) {
            throw new InvalidConfigurationException("'" + datasetPath + "' in " + name() + " is a "
                    + node.getType().name().toLowerCase() + ", not a dataset");
        }
        try {
            return new Hdf5Array(this, (Dataset) node, column);
        } catch (MultitablesException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CorruptDataException("Cannot read the metadata of '" + datasetPath + "' in " + name() + ": " + e, e);
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
                    + ") lie outside the file of " + fileSize + " bytes (" + name() + ")");
        }
        if (ahead != null && ahead.take(address, dst)) {
            return;
        }
        try {
            source.readFully(pos, dst);
        } catch (EOFException e) {
            throw new CorruptDataException(what + ": unexpected end of file in bytes [" + pos + ", " + (pos + want)
                    + ") (" + name() + ")", e);
        } catch (IOException e) {
            if (remoteUri != null) {
                throw new RemoteReadException(what + ": reading bytes [" + pos + ", " + (pos + want) + ") of " + remoteUri
                        + " failed: " + e, e);
            }
            throw new CorruptDataException(what + ": I/O error at byte " + pos + " (" + path + "): " + e.getMessage(), e);
        }
        if (stats != null) {
            stats.addDataRead(want);
        }
    }

    /**
     * Starts reading the stored chunks of a block in the background, so that the read the block's
     * decode makes later finds them in memory: the workers call this with the blocks the epoch
     * plan needs next. Only remote files read ahead (a local read costs no round trip); see
     * {@link ReadAhead} for the limits. Each prefetched chunk is consumed by exactly one read of
     * the same address, so no byte is read twice.
     *
     * @param array a dataset of this file
     * @param block the block that will be decoded soon
     */
    public void prefetchBlock(Hdf5Array array, int block) {
        if (ahead == null || array.chunkCount() == 0 || block < 0 || block >= array.blockCount()) {
            return;
        }
        int per = array.chunkCount() / array.blockCount();
        for (int c = block * per; c < (block + 1) * per; c++) {
            long addr = array.chunkAddress(c);
            if (addr >= 0) {
                ahead.prefetch(addr, array.chunkStoredSize(c));
            }
        }
    }

    /** Closes the file. Idempotent. */
    @Override
    public void close() {
        if (ahead != null) {
            ahead.close();
        }
        closeQuietly(source);
        if (hdf == null) {
            return;
        }
        try {
            hdf.close();
        } catch (RuntimeException ignored) {
            // closing twice or after a failure
        }
    }
}
