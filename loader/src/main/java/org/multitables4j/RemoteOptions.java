package org.multitables4j;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How remote files ({@code hdfs://}, {@code s3a://}, any URI scheme a Hadoop {@code FileSystem}
 * serves) are opened and read: one value taken by the URI builders of the streaming iterators
 * ({@code Hdf5DataSetIterator.builder(uri, options)}) and by the Reader
 * ({@code Hdf5Reader.open(uri, options, ...)}). Immutable, as {@link ProcessOptions}: each
 * {@code with...} method returns a changed copy, so keep what it returns.
 *
 * <p>Remote files need {@code org.apache.hadoop:hadoop-client-api} and
 * {@code hadoop-client-runtime} (3.x) on the classpath, plus the connector of the scheme (e.g.
 * {@code hadoop-aws} for {@code s3a://}); they are optional dependencies of the loader, and
 * nothing of Hadoop is loaded for local files. This class names no Hadoop type, so it loads
 * without Hadoop: a {@code org.apache.hadoop.conf.Configuration} is passed as an {@code Object}.
 *
 * <p>Metadata (object headers, chunk indexes) is read through a cache of aligned blocks, so the
 * many small reads of the HDF5 parser become a few large ones; chunk data is read with one
 * positional read per chunk and never cached here (the iterators' block cache holds the decoded
 * rows).
 *
 * <pre>{@code
 * Configuration conf = new Configuration();          // core-site.xml, hdfs-site.xml, ...
 * ReadStats stats = new ReadStats();
 * RemoteOptions remote = RemoteOptions.defaults().withHadoopConfiguration(conf).withStats(stats);
 * Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(URI.create("hdfs://nn:8020/data/train.h5"), remote)
 *         .features("/x").labels("/y").batchSize(256).build();
 * }</pre>
 *
 * @param hadoopConfiguration an {@code org.apache.hadoop.conf.Configuration} (checked when a
 *                            remote file is opened); null: Hadoop's defaults
 *                            ({@code core-site.xml} etc. from the classpath). It is copied at
 *                            open, then {@code properties} are set on the copy.
 * @param properties          Hadoop properties set on top of the configuration, in order (e.g.
 *                            {@code fs.s3a.endpoint}); null: none
 * @param metadataBlockBytes  size of one metadata read: a power of two from 4 KiB to 16 MiB
 * @param metadataCacheBytes  metadata blocks kept per open file (the least recently used goes
 *                            first); at least one block
 * @param stats               counters every remote file opened with these options adds its
 *                            reads to; null: none
 */
public record RemoteOptions(Object hadoopConfiguration, Map<String, String> properties, int metadataBlockBytes,
                            long metadataCacheBytes, ReadStats stats) {
    /** Smallest metadata block: 4 KiB. */
    public static final int MIN_BLOCK_BYTES = 4 << 10;
    /** Largest metadata block: 16 MiB. */
    public static final int MAX_BLOCK_BYTES = 16 << 20;

    /** Validates and copies. */
    public RemoteOptions {
        if (metadataBlockBytes < MIN_BLOCK_BYTES || metadataBlockBytes > MAX_BLOCK_BYTES
                || Integer.bitCount(metadataBlockBytes) != 1) {
            throw new InvalidConfigurationException("metadataBlockBytes must be a power of two from 4 KiB to 16 MiB, got "
                    + metadataBlockBytes);
        }
        if (metadataCacheBytes < metadataBlockBytes) {
            throw new InvalidConfigurationException("metadataCacheBytes must hold at least one block of "
                    + metadataBlockBytes + " bytes, got " + metadataCacheBytes);
        }
        Map<String, String> p = new LinkedHashMap<>();
        if (properties != null) {
            for (Map.Entry<String, String> e : properties.entrySet()) {
                if (e.getKey() == null || e.getValue() == null) {
                    throw new InvalidConfigurationException("a remote property needs a key and a value, got "
                            + e.getKey() + "=" + e.getValue());
                }
                p.put(e.getKey(), e.getValue());
            }
        }
        properties = Collections.unmodifiableMap(p);
    }

    /**
     * @return no configuration (Hadoop's defaults: {@code core-site.xml} etc. from the classpath),
     *     no extra properties, 128 KiB metadata blocks, a 32 MiB metadata cache, no statistics
     */
    public static RemoteOptions defaults() {
        return new RemoteOptions(null, Map.of(), 128 << 10, 32L << 20, null);
    }

    /**
     * @param configuration an {@code org.apache.hadoop.conf.Configuration}; null: Hadoop's
     *                      defaults
     * @return a copy with this configuration
     */
    public RemoteOptions withHadoopConfiguration(Object configuration) {
        return new RemoteOptions(configuration, properties, metadataBlockBytes, metadataCacheBytes, stats);
    }

    /**
     * Sets one Hadoop property on top of the configuration, e.g.
     * {@code withProperty("fs.s3a.endpoint", "http://127.0.0.1:9000")}.
     *
     * @param key   the property name
     * @param value its value
     * @return a copy with this property (replacing an earlier value of the key)
     * @throws InvalidConfigurationException if either is null
     */
    public RemoteOptions withProperty(String key, String value) {
        if (key == null || value == null) {
            throw new InvalidConfigurationException("a remote property needs a key and a value, got " + key + "=" + value);
        }
        Map<String, String> p = new LinkedHashMap<>(properties);
        p.put(key, value);
        return new RemoteOptions(hadoopConfiguration, p, metadataBlockBytes, metadataCacheBytes, stats);
    }

    /**
     * @param all Hadoop properties set on top of the configuration, replacing those set before
     * @return a copy with these properties
     */
    public RemoteOptions withProperties(Map<String, String> all) {
        return new RemoteOptions(hadoopConfiguration, all, metadataBlockBytes, metadataCacheBytes, stats);
    }

    /**
     * @param bytes size of a metadata read: a power of two from 4 KiB to 16 MiB (default 128 KiB)
     * @return a copy with this block size
     * @throws InvalidConfigurationException if out of range, not a power of two, or larger than
     *     the metadata cache
     */
    public RemoteOptions withMetadataBlockBytes(int bytes) {
        return new RemoteOptions(hadoopConfiguration, properties, bytes, metadataCacheBytes, stats);
    }

    /**
     * @param bytes metadata blocks kept per open file (default 32 MiB)
     * @return a copy with this cache size
     * @throws InvalidConfigurationException if below one block
     */
    public RemoteOptions withMetadataCacheBytes(long bytes) {
        return new RemoteOptions(hadoopConfiguration, properties, metadataBlockBytes, bytes, stats);
    }

    /**
     * @param counters counters every remote file opened with these options adds its reads to;
     *                 null: none
     * @return a copy with these counters
     */
    public RemoteOptions withStats(ReadStats counters) {
        return new RemoteOptions(hadoopConfiguration, properties, metadataBlockBytes, metadataCacheBytes, counters);
    }

    /** Names the settings, never a property's value (it may be a credential). */
    @Override
    public String toString() {
        return "RemoteOptions[hadoopConfiguration=" + (hadoopConfiguration == null ? "defaults" : "given")
                + ", properties=" + properties.keySet() + ", metadataBlockBytes=" + metadataBlockBytes
                + ", metadataCacheBytes=" + metadataCacheBytes + ", stats=" + (stats != null) + "]";
    }
}
