package org.multitables4j.spark;

import java.io.Serializable;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.SparkFiles;
import org.multitables4j.Hdf5DataSetIterator;
import org.multitables4j.Hdf5MultiDataSetIterator;
import org.multitables4j.InvalidConfigurationException;
import org.multitables4j.RemoteOptions;

/**
 * Where the HDF5 file is found on every executor. Only this description travels with the
 * tasks; each executor opens the file itself and reads its own shard, so no row of the file
 * passes through Spark's serialisation.
 *
 * <ul>
 * <li>{@link #path(String)}: the file is at the same path on every executor (a shared
 * volume such as NFS, or a copy placed on every node; in local mode, any local file);</li>
 * <li>{@link #sparkFile(String)}: the file was shipped with {@code spark-submit --files} or
 * {@code SparkContext.addFile} and is found with {@link SparkFiles#get(String)} on each
 * executor.</li>
 * </ul>
 */
public final class Hdf5Source implements Serializable {
    private static final long serialVersionUID = 1L;

    /** the file's path, the distributed file's name, or the remote file's URI */
    private final String path;
    /** true when resolved with SparkFiles */
    private final boolean sparkFile;
    /** Hadoop properties of a remote file, or null for a local one */
    private final LinkedHashMap<String, String> hadoop;

    private Hdf5Source(String path, boolean sparkFile, Map<String, String> hadoop) {
        if (path == null || path.isEmpty()) {
            throw new InvalidConfigurationException("the HDF5 file name must not be empty");
        }
        this.path = path;
        this.sparkFile = sparkFile;
        this.hadoop = hadoop == null ? null : new LinkedHashMap<>(hadoop);
    }

    /**
     * @param path the file's path, the same on every executor
     * @return a source naming that path
     */
    public static Hdf5Source path(String path) {
        return new Hdf5Source(path, false, null);
    }

    /**
     * @param path the file's path, the same on every executor
     * @return a source naming that path
     */
    public static Hdf5Source path(Path path) {
        return new Hdf5Source(path == null ? null : path.toAbsolutePath().toString(), false, null);
    }

    /**
     * @param fileName the name of a file distributed with {@code spark-submit --files} or
     *                 {@code SparkContext.addFile} (its last path element)
     * @return a source that each executor resolves with {@link SparkFiles#get(String)}
     */
    public static Hdf5Source sparkFile(String fileName) {
        return new Hdf5Source(fileName, true, null);
    }

    /**
     * @param uri        the file in a Hadoop {@code FileSystem}: {@code hdfs://nn:8020/data/train.h5},
     *                   {@code s3a://bucket/train.h5}, ...
     * @param properties Hadoop properties set for reading it on every executor (e.g. an S3
     *                   endpoint); they travel with the tasks, so prefer credentials from the
     *                   executors' own configuration. May be empty.
     * @return a source that each executor reads through Hadoop's {@code FileSystem}
     */
    public static Hdf5Source uri(String uri, Map<String, String> properties) {
        if (uri == null || URI.create(uri).getScheme() == null) {
            throw new InvalidConfigurationException("a remote HDF5 source needs a URI with a scheme (hdfs://, s3a://, ...), got "
                    + uri);
        }
        return new Hdf5Source(uri, false, properties == null ? Map.of() : properties);
    }

    /**
     * Resolves a local file on the calling JVM (an executor, or the driver in local mode).
     *
     * @return the local path of the file
     * @throws InvalidConfigurationException for a remote source ({@link #uri(String, Map)})
     */
    public Path resolve() {
        if (hadoop != null) {
            throw new InvalidConfigurationException(path + " is a remote file: it has no local path");
        }
        return sparkFile ? Path.of(SparkFiles.get(path)) : Path.of(path);
    }

    /** @return a builder of an {@link Hdf5DataSetIterator} over this file, on the calling JVM */
    Hdf5DataSetIterator.Builder dataSetBuilder() {
        return hadoop == null ? Hdf5DataSetIterator.builder(resolve())
                : Hdf5DataSetIterator.builder(URI.create(path), remoteOptions());
    }

    /** @return a builder of an {@link Hdf5MultiDataSetIterator} over this file, on the calling JVM */
    Hdf5MultiDataSetIterator.Builder multiDataSetBuilder() {
        return hadoop == null ? Hdf5MultiDataSetIterator.builder(resolve())
                : Hdf5MultiDataSetIterator.builder(URI.create(path), remoteOptions());
    }

    private RemoteOptions remoteOptions() {
        return RemoteOptions.defaults().withProperties(hadoop);
    }

    /** @return the path, or for a distributed file {@code spark-files/<name>}, for messages and batch names */
    public String describe() {
        return sparkFile ? "spark-files/" + path : path;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hdf5Source s && s.path.equals(path) && s.sparkFile == sparkFile
                && Objects.equals(s.hadoop, hadoop);
    }

    @Override
    public int hashCode() {
        return Objects.hash(path, sparkFile, hadoop);
    }

    @Override
    public String toString() {
        return describe();
    }
}
