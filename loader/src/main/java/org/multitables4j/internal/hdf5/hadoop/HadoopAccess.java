package org.multitables4j.internal.hdf5.hadoop;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.UnsupportedFileSystemException;
import org.multitables4j.InvalidConfigurationException;
import org.multitables4j.RemoteOptions;
import org.multitables4j.internal.hdf5.ByteSource;
import org.multitables4j.internal.hdf5.RemoteAccess;

/**
 * Opens files of Hadoop {@code FileSystem}s. Loaded by name (see
 * {@link org.multitables4j.internal.hdf5.ByteSources}) on the first remote URI, so the rest of the loader
 * never needs Hadoop on the classpath.
 *
 * <p>Each opened file gets its own {@code FileSystem} instance ({@code FileSystem.newInstance}),
 * closed with the file: the shared {@code FileSystem.get} cache ignores the configuration, so two
 * files of one host opened with different settings would otherwise share the first one's.
 */
public final class HadoopAccess implements RemoteAccess {
    /** Made by {@link org.multitables4j.internal.hdf5.ByteSources} through reflection. */
    public HadoopAccess() {
    }

    @Override
    public ByteSource open(URI uri, RemoteOptions options) throws IOException {
        Configuration conf = configuration(options);
        FileSystem fs;
        try {
            fs = FileSystem.newInstance(uri, conf);
        } catch (UnsupportedFileSystemException e) {
            throw new InvalidConfigurationException("No Hadoop FileSystem for the scheme '" + uri.getScheme() + "' of "
                    + uri + " (is its connector, e.g. hadoop-aws for s3a, on the classpath?): " + e.getMessage(), e);
        }
        try {
            Path path = new Path(uri);
            FileStatus status = fs.getFileStatus(path);
            if (status.isDirectory()) {
                throw new FileNotFoundException(uri + " is a directory");
            }
            return new HadoopByteSource(uri.toString(), fs, status);
        } catch (IOException | RuntimeException e) {
            fs.close();
            throw e;
        }
    }

    @Override
    public Map<String, String> flatten(RemoteOptions options) {
        Configuration conf = configuration(options);
        Map<String, String> all = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : conf) {
            all.put(e.getKey(), e.getValue());
        }
        return all;
    }

    private static Configuration configuration(RemoteOptions options) {
        Object given = options.hadoopConfiguration();
        Configuration conf;
        if (given == null) {
            conf = new Configuration();
        } else if (given instanceof Configuration c) {
            conf = new Configuration(c);
        } else {
            throw new InvalidConfigurationException("hadoopConfiguration must be an org.apache.hadoop.conf.Configuration, got "
                    + given.getClass().getName());
        }
        for (Map.Entry<String, String> e : options.properties().entrySet()) {
            conf.set(e.getKey(), e.getValue());
        }
        return conf;
    }
}
