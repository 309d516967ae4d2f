package org.multitables4j.spark;

import java.net.URI;
import java.net.URISyntaxException;
import org.multitables4j.InvalidConfigurationException;

/**
 * The name of one batch of one shard, as dl4j-spark's {@code fitPaths} carries it to the
 * executors: {@code file:/<file>#<shard>.<shards>.<epoch>.<batch>}. The path part names the
 * HDF5 file for logs and the Spark UI; only the fragment is read. dl4j-spark opens a Hadoop
 * {@code FileSystem} for the scheme, which {@code file:} always has; nothing is read from it.
 *
 * @param shard  the shard
 * @param shards the number of shards
 * @param epoch  the epoch
 * @param batch  the batch within the shard's epoch
 */
record BatchName(int shard, int shards, long epoch, int batch) implements java.io.Serializable {
    /**
     * @param source the file, for the path part
     * @return the name as a URI string
     */
    String format(Hdf5Source source) {
        String p = source.describe();
        try {
            return new URI("file", null, p.startsWith("/") ? p : "/" + p,
                    shard + "." + shards + "." + epoch + "." + batch).toString();
        } catch (URISyntaxException e) {
            throw new InvalidConfigurationException("cannot name batches of " + p + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param name a name made by {@link #format}
     * @return the batch it names
     * @throws InvalidConfigurationException if it was not made by {@link #format}
     */
    static BatchName parse(String name) {
        try {
            String f = new URI(name).getFragment();
            String[] p = f == null ? new String[0] : f.split("\\.");
            if (p.length == 4) {
                return new BatchName(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Long.parseLong(p[2]),
                        Integer.parseInt(p[3]));
            }
        } catch (URISyntaxException | NumberFormatException e) {
            // reported below
        }
        throw new InvalidConfigurationException("not a multitables4j batch name: " + name
                + " (expected file:/<file>#<shard>.<shards>.<epoch>.<batch>)");
    }
}
