package org.multitables4j.internal.hdf5;

import java.io.IOException;
import java.net.URI;
import java.util.Map;
import org.multitables4j.RemoteOptions;

/**
 * What the loader needs from Hadoop, behind an interface so that nothing of Hadoop is loaded for
 * local files: {@link ByteSources} loads the implementation,
 * {@code org.multitables4j.internal.hdf5.hadoop.HadoopAccess}, by name on the first remote URI.
 */
public interface RemoteAccess {
    /**
     * Opens a file of a Hadoop {@code FileSystem}.
     *
     * @param uri     the file
     * @param options configuration and counters
     * @return the open source
     * @throws java.io.FileNotFoundException if there is no such file
     * @throws IOException if the file system fails
     */
    ByteSource open(URI uri, RemoteOptions options) throws IOException;

    /**
     * @param options options whose configuration object is to be sent to a worker process
     * @return every property of the configuration (or of Hadoop's defaults), then the extra
     *     properties
     */
    Map<String, String> flatten(RemoteOptions options);
}
