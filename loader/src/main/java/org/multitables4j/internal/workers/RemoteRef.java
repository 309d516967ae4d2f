package org.multitables4j.internal.workers;

import java.time.Instant;
import org.multitables4j.FileChangedException;
import org.multitables4j.internal.hdf5.Hdf5File;

/**
 * A remote file ({@code hdfs://}, {@code s3a://}, ...) as a worker process opens it: how to open
 * it (the parent's remote options, the Hadoop configuration flattened to properties) and what
 * identifies the file the parent opened. A remote store has no inode to find again, so a file is
 * the same when its length and modification time are: a child that finds other values (the
 * object was replaced since the parent opened it) fails with {@link FileChangedException} instead
 * of mixing rows of two files.
 *
 * @param settings         from {@link Hdf5File#reopenSettings()}; credentials included, so it
 *                         travels only on the child's stdin or its authenticated socket
 * @param size             the length the parent saw, in bytes
 * @param modificationTime the modification time the parent saw, ms since the epoch
 */
record RemoteRef(byte[] settings, long size, long modificationTime) {
    /**
     * @param file a remote file the parent opened
     * @return what a child needs to open it again, or null for a local file
     */
    static RemoteRef of(Hdf5File file) {
        return file.isRemote() ? new RemoteRef(file.reopenSettings(), file.size(), file.modificationTime()) : null;
    }

    /**
     * Opens the file in a worker process and checks it is the parent's.
     *
     * @param location the file's URI
     * @return the open file
     * @throws FileChangedException when its length or modification time differ from the parent's
     */
    Hdf5File open(String location) {
        Hdf5File f = Hdf5File.open(location, settings);
        if (f.size() != size || f.modificationTime() != modificationTime) {
            String now = f.size() + " bytes, modified " + Instant.ofEpochMilli(f.modificationTime());
            f.close();
            throw new FileChangedException(location + " changed since the iterator was built (" + size + " bytes, modified "
                    + Instant.ofEpochMilli(modificationTime) + "; now " + now + "); build a new iterator to read the new file");
        }
        return f;
    }
}
