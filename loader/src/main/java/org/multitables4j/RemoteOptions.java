package org.multitables4j;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How remote files ({@code hdfs://}, {@code s3a://}, any URI scheme a Hadoop {@code FileSystem}
 * serves) are opened and read. Immutable: every setter returns a copy.
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
 * RemoteOptions remote = RemoteOptions.defaults().hadoopConfiguration(conf).stats(stats);
 * Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(URI.create("hdfs://nn:8020/data/train.h5"), remote)
 *         .features("/x").labels("/y").batchSize(256).build();
 * }</pre>
 */
public final class RemoteOptions {
    /** Smallest metadata block: 4 KiB. */
    public static final int MIN_BLOCK_BYTES = 4 << 10;

    private final Object configuration;
    private final Map<String, String> properties;
    private final int metadataBlockBytes;
    private final long metadataCacheBytes;
    private final ReadStats stats;

    private RemoteOptions(Object configuration, Map<String, String> properties, int metadataBlockBytes,
                          long metadataCacheBytes, ReadStats stats) {
        this.configuration = configuration;
        this.properties = properties;
        this.metadataBlockBytes = metadataBlockBytes;
        this.metadataCacheBytes = metadataCacheBytes;
        this.stats = stats;
    }

    /**
     * @return no configuration (Hadoop's defaults: {@code core-site.xml} etc. from the classpath),
     *     no extra properties, 128 KiB metadata blocks, a 32 MiB metadata cache, no statistics
     */
    public static RemoteOptions defaults() {
        return new RemoteOptions(null, Map.of(), 128 << 10, 32L << 20, null);
    }

    /**
     * @param configuration an {@code org.apache.hadoop.conf.Configuration} (checked when a remote
     *                      file is opened); null: Hadoop's defaults. It is copied at open, then
     *                      {@link #property} values are set on the copy.
     * @return a copy with this configuration
     */
    public RemoteOptions hadoopConfiguration(Object configuration) {
        return new RemoteOptions(configuration, properties, metadataBlockBytes, metadataCacheBytes, stats);
    }

    /**
     * Sets one Hadoop property on top of the configuration, e.g.
     * {@code property("fs.s3a.endpoint", "http://127.0.0.1:9000")}.
     *
     * @param key   the property name
     * @param value its value
     * @return a copy with this property
     * @throws InvalidConfigurationException if either is null
     */
    public RemoteOptions property(String key, String value) {
        if (key == null || value == null) {
            throw new InvalidConfigurationException("a remote property needs a key and a value, got " + key + "=" + value);
        }
        Map<String, String> p = new LinkedHashMap<>(properties);
        p.put(key, value);
        return new RemoteOptions(configuration, Collections.unmodifiableMap(p), metadataBlockBytes, metadataCacheBytes, stats);
    }

    /**
     * @param bytes size of a metadata read: a power of two from 4 KiB to 16 MiB (default 128 KiB)
     * @return a copy with this block size
     * @throws InvalidConfigurationException if out of range or not a power of two
     */
    public RemoteOptions metadataBlockBytes(int bytes) {
        if (bytes < MIN_BLOCK_BYTES || bytes > (16 << 20) || Integer.bitCount(bytes) != 1) {
            throw new InvalidConfigurationException("metadataBlockBytes must be a power of two from 4 KiB to 16 MiB, got " + bytes);
        }
        return new RemoteOptions(configuration, properties, bytes, metadataCacheBytes, stats);
    }

    /**
     * @param bytes metadata blocks kept per open file (default 32 MiB); the least recently used
     *              block goes first
     * @return a copy with this cache size
     * @throws InvalidConfigurationException if below one block
     */
    public RemoteOptions metadataCacheBytes(long bytes) {
        if (bytes < metadataBlockBytes) {
            throw new InvalidConfigurationException("metadataCacheBytes must hold at least one block of "
                    + metadataBlockBytes + " bytes, got " + bytes);
        }
        return new RemoteOptions(configuration, properties, metadataBlockBytes, bytes, stats);
    }

    /**
     * @param stats counters every remote file opened with these options adds its reads to; null:
     *              none
     * @return a copy with these counters
     */
    public RemoteOptions stats(ReadStats stats) {
        return new RemoteOptions(configuration, properties, metadataBlockBytes, metadataCacheBytes, stats);
    }

    /** @return the Hadoop configuration, or null */
    public Object hadoopConfiguration() {
        return configuration;
    }

    /** @return the extra Hadoop properties, in the order set */
    public Map<String, String> properties() {
        return properties;
    }

    /** @return the metadata block size */
    public int metadataBlockBytes() {
        return metadataBlockBytes;
    }

    /** @return the metadata cache size */
    public long metadataCacheBytes() {
        return metadataCacheBytes;
    }

    /** @return the counters, or null */
    public ReadStats stats() {
        return stats;
    }

    /**
     * Copies these options with every property given and no configuration object; worker
     * processes receive them this way.
     *
     * @param all the properties (a flattened configuration plus the extra ones)
     * @return the copy
     */
    public RemoteOptions withOnlyProperties(Map<String, String> all) {
        return new RemoteOptions(null, Collections.unmodifiableMap(new LinkedHashMap<>(all)), metadataBlockBytes, metadataCacheBytes, null);
    }
}
