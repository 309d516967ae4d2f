package org.multitables4j.internal.hdf5;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;

/**
 * A read-only channel around a {@link FileChannel} that jhdf cannot map: jhdf wraps any
 * non-{@code FileChannel} into its own adapter whose {@code map()} is unsupported, and falls
 * back to positional reads.
 */
final class NoMapChannel implements SeekableByteChannel {
    private final FileChannel fc;

    NoMapChannel(FileChannel fc) {
        this.fc = fc;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return fc.read(dst);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        throw new IOException("read-only");
    }

    @Override
    public long position() throws IOException {
        return fc.position();
    }

    @Override
    public SeekableByteChannel position(long newPosition) throws IOException {
        fc.position(newPosition);
        return this;
    }

    @Override
    public long size() throws IOException {
        return fc.size();
    }

    @Override
    public SeekableByteChannel truncate(long size) throws IOException {
        throw new IOException("read-only");
    }

    @Override
    public boolean isOpen() {
        return fc.isOpen();
    }

    @Override
    public void close() throws IOException {
        fc.close();
    }
}
