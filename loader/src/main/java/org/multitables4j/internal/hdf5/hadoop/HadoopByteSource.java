package org.multitables4j.internal.hdf5.hadoop;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedDeque;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.StreamCapabilities;
import org.multitables4j.internal.hdf5.ByteSource;

/**
 * A file of a Hadoop {@code FileSystem}, read with positional reads
 * ({@code FSDataInputStream.readFully(position, ...)}): one call per request, never a seek.
 *
 * <p>Streams are pooled: a reading thread takes one (or opens one) and gives it back after the
 * read, so concurrent reads never wait on one stream's lock (S3A serializes positional reads of a
 * stream; HDFS does not, but one stream per reader costs nothing). A stream whose read failed is
 * closed, not reused. Streams are opened with the standard random-read policy and the known
 * length, so S3A asks for just the requested range and skips a HEAD request.
 */
final class HadoopByteSource implements ByteSource {
    private static final String RANDOM_POLICY = "fs.option.openfile.read.policy";
    private static final String LENGTH = "fs.option.openfile.length";

    private final String location;
    private final FileSystem fs;
    private final FileStatus status;
    private final ConcurrentLinkedDeque<FSDataInputStream> idle = new ConcurrentLinkedDeque<>();
    private final ThreadLocal<byte[]> scratch = new ThreadLocal<>();
    private volatile boolean closed;

    HadoopByteSource(String location, FileSystem fs, FileStatus status) {
        this.location = location;
        this.fs = fs;
        this.status = status;
    }

    @Override
    public String location() {
        return location;
    }

    @Override
    public long size() {
        return status.getLen();
    }

    @Override
    public long modificationTime() {
        return status.getModificationTime();
    }

    @Override
    public boolean remote() {
        return true;
    }

    @Override
    public void readFully(long position, ByteBuffer dst) throws IOException {
        if (closed) {
            throw new IOException("closed: " + location);
        }
        int n = dst.remaining();
        FSDataInputStream in = take();
        boolean ok = false;
        try {
            if (dst.hasArray()) {
                in.readFully(position, dst.array(), dst.arrayOffset() + dst.position(), n);
                dst.position(dst.limit());
            } else if (in.hasCapability(StreamCapabilities.PREADBYTEBUFFER)) {
                in.readFully(position, dst);
            } else {
                byte[] b = scratch.get();
                if (b == null || b.length < n) {
                    b = new byte[Math.max(n, 1 << 16)];
                    scratch.set(b);
                }
                in.readFully(position, b, 0, n);
                dst.put(b, 0, n);
            }
            ok = true;
        } finally {
            if (ok && !closed) {
                idle.push(in);
            } else {
                closeQuietly(in);
            }
        }
    }

    private FSDataInputStream take() throws IOException {
        FSDataInputStream in = idle.poll();
        if (in != null) {
            return in;
        }
        try {
            return fs.openFile(status.getPath())
                    .withFileStatus(status)
                    .opt(RANDOM_POLICY, "random")
                    .opt(LENGTH, Long.toString(status.getLen()))
                    .build()
                    .get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while opening " + location);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            throw new IOException("cannot open " + location + ": " + c, c);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // already failing or closing
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        FSDataInputStream in;
        while ((in = idle.poll()) != null) {
            closeQuietly(in);
        }
        fs.close();
    }
}
