package org.multitables4j.internal.hdf5;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A local file read with positional reads on one {@link FileChannel} (safe from many threads;
 * never interrupt a reader: an interrupt closes the channel for every thread).
 */
public final class FileByteSource implements ByteSource {
    private final Path path;
    private final FileChannel channel;
    private final long size;
    private final long modified;

    /**
     * @param path the file
     * @throws IOException if it cannot be opened
     */
    public FileByteSource(Path path) throws IOException {
        this.path = path;
        this.channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            this.size = channel.size();
            this.modified = Files.getLastModifiedTime(path).toMillis();
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    @Override
    public String location() {
        return path.toString();
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public long modificationTime() {
        return modified;
    }

    @Override
    public boolean remote() {
        return false;
    }

    @Override
    public void readFully(long position, ByteBuffer dst) throws IOException {
        long pos = position;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, pos);
            if (n < 0) {
                throw new EOFException("end of file at byte " + pos);
            }
            pos += n;
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
