package org.multitables4j.internal.workers;

import java.nio.ByteBuffer;
import org.multitables4j.internal.hdf5.Hdf5Array;

/**
 * The reads and decodes of one worker: done on the worker's own thread ({@link #local()}), or
 * forwarded to the worker's child process ({@link ChildPool}), which writes into shared memory.
 * Everything else a worker does (scheduling, the block cache, gathering rows into slots) is the
 * same for both backends.
 */
public interface BlockIo extends AutoCloseable {
    /**
     * Reads one block as stored bytes into {@code dst} (see {@link Hdf5Array#readBlock}).
     *
     * @param array the dataset
     * @param block the block index
     * @param dst   a buffer of at least {@code array.blockBytes()} bytes, from the workers' allocator
     */
    void readBlock(Hdf5Array array, int block, ByteBuffer dst);

    /**
     * Reads one whole block (all {@code array.blockRows()} rows present) as stored bytes into
     * {@code dst} at byte {@code offset}: straight into slot memory, without a staging copy.
     *
     * @param array  the dataset
     * @param block  the block index
     * @param dst    a buffer from the workers' allocator
     * @param offset where the block's first byte goes; {@code offset + array.blockBytes()} must fit
     */
    void readBlock(Hdf5Array array, int block, ByteBuffer dst, int offset);

    /**
     * Reads runs of consecutive rows of a contiguous dataset as stored bytes (see
     * {@link Hdf5Array#readRows}).
     *
     * @param array   the dataset
     * @param rows    first row of each run
     * @param counts  rows in each run
     * @param offsets byte offset in {@code dst} where each run goes
     * @param runs    number of runs
     * @param dst     a buffer from the workers' allocator
     */
    void readRuns(Hdf5Array array, long[] rows, int[] counts, int[] offsets, int runs, ByteBuffer dst);

    /** Frees the worker's decoder or ends its process. */
    @Override
    void close();

    /**
     * @return whether reads happen in this process (then a remote file's read-ahead in this
     *     process serves them; a worker process reads for itself)
     */
    default boolean inThisProcess() {
        return false;
    }

    /** @return reads on the calling thread, with a decoder of its own */
    static BlockIo local() {
        org.multitables4j.internal.hdf5.BlockDecoder dec = new org.multitables4j.internal.hdf5.BlockDecoder();
        return new BlockIo() {
            @Override
            public boolean inThisProcess() {
                return true;
            }

            @Override
            public void readBlock(Hdf5Array array, int block, ByteBuffer dst) {
                array.readBlock(block, dec, dst);
            }

            @Override
            public void readBlock(Hdf5Array array, int block, ByteBuffer dst, int offset) {
                array.readBlock(block, dec, dst.slice(offset, array.blockBytes()));
            }

            @Override
            public void readRuns(Hdf5Array array, long[] rows, int[] counts, int[] offsets, int runs, ByteBuffer dst) {
                for (int i = 0; i < runs; i++) {
                    ByteBuffer d = dst.duplicate();
                    d.position(offsets[i]);
                    array.readRows(rows[i], counts[i], d);
                }
            }

            @Override
            public void close() {
                dec.close();
            }
        };
    }
}
