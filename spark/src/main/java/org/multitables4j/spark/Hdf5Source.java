package org.multitables4j.spark;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.Objects;
import org.apache.spark.SparkFiles;
import org.multitables4j.InvalidConfigurationException;

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

    /** the file's path, or the distributed file's name */
    private final String path;
    /** true when resolved with SparkFiles */
    private final boolean sparkFile;

    private Hdf5Source(String path, boolean sparkFile) {
        if (path == null || path.isEmpty()) {
            throw new InvalidConfigurationException("the HDF5 file name must not be empty");
        }
        this.path = path;
        this.sparkFile = sparkFile;
    }

    /**
     * @param path the file's path, the same on every executor
     * @return a source naming that path
     */
    public static Hdf5Source path(String path) {
        return new Hdf5Source(path, false);
    }

    /**
     * @param path the file's path, the same on every executor
     * @return a source naming that path
     */
    public static Hdf5Source path(Path path) {
        return new Hdf5Source(path == null ? null : path.toAbsolutePath().toString(), false);
    }

    /**
     * @param fileName the name of a file distributed with {@code spark-submit --files} or
     *                 {@code SparkContext.addFile} (its last path element)
     * @return a source that each executor resolves with {@link SparkFiles#get(String)}
     */
    public static Hdf5Source sparkFile(String fileName) {
        return new Hdf5Source(fileName, true);
    }

    /**
     * Resolves the file on the calling JVM (an executor, or the driver in local mode).
     *
     * @return the local path of the file
     */
    public Path resolve() {
        return sparkFile ? Path.of(SparkFiles.get(path)) : Path.of(path);
    }

    /** @return the path, or for a distributed file {@code spark-files/<name>}, for messages and batch names */
    public String describe() {
        return sparkFile ? "spark-files/" + path : path;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hdf5Source s && s.path.equals(path) && s.sparkFile == sparkFile;
    }

    @Override
    public int hashCode() {
        return Objects.hash(path, sparkFile);
    }

    @Override
    public String toString() {
        return describe();
    }
}
