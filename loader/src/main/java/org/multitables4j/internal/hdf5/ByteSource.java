package org.multitables4j.internal.hdf5;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The bytes of one file, read by position: a local file ({@link FileByteSource}) or a file of a
 * Hadoop {@code FileSystem} such as HDFS or S3 ({@code org.multitables4j.internal.hdf5.hadoop}).
 *
 * <p>Implementations are safe for concurrent positional reads from many threads and are never
 * interrupted by this library. A read is one call to the storage: callers ask for whole chunks at
 * once, so a remote store sees one request per chunk.
 */
public interface ByteSource extends AutoCloseable {
    /** @return what messages name and what a worker process opens again: a path or a URI */
    String location();

    /** @return the size in bytes when the source was opened */
    long size();

    /**
     * @return the modification time in milliseconds since the epoch when the source was opened
     *     (with {@link #size()} it tells whether a second opening sees the same file)
     */
    long modificationTime();

    /** @return whether the bytes come from another machine (then reads are slow per call) */
    boolean remote();

    /**
     * Reads {@code dst.remaining()} bytes starting at {@code position}, filling {@code dst} from
     * its position to its limit.
     *
     * @param position the first byte's offset in the file
     * @param dst      the destination
     * @throws java.io.EOFException if the file ends first
     * @throws IOException if the storage fails
     */
    void readFully(long position, ByteBuffer dst) throws IOException;

    /** Releases the source. Idempotent. */
    @Override
    void close() throws IOException;
}
