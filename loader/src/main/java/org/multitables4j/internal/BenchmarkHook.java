package org.multitables4j.internal;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.multitables4j.internal.hdf5.BlockDecoder;
import org.multitables4j.internal.hdf5.Hdf5Array;
import org.multitables4j.internal.hdf5.Hdf5File;

/**
 * The one door the benchmarks harness uses into the loader's internals: the shape of a dataset
 * as the loader stores it, and the decode limits (how fast one thread decodes its chunks when
 * nothing else costs). Not an API for users; it may change with any release.
 */
public final class BenchmarkHook {

    private BenchmarkHook() {
    }

    /**
     * How the loader sees one dataset.
     *
     * @param rows       rows of the dataset
     * @param rowBytes   bytes of one row
     * @param blockRows  rows of one block (a chunk row, or the loader's block of a contiguous dataset)
     * @param blockCount blocks of the dataset
     * @param chunkCount stored chunks (0 when the dataset is not chunked)
     */
    public record Layout(long rows, int rowBytes, int blockRows, int blockCount, int chunkCount) {
    }

    /**
     * Reads the layout of one dataset.
     *
     * @param file    the HDF5 file
     * @param dataset the dataset path
     * @return the layout
     */
    public static Layout layout(Path file, String dataset) {
        try (Hdf5File f = Hdf5File.open(file)) {
            Hdf5Array a = f.array(dataset);
            return new Layout(a.rows(), a.rowBytes(), a.blockRows(), a.blockCount(), a.chunkCount());
        }
    }

    /**
     * The stored chunks of one dataset held in memory, ready to be decoded again and again with
     * the loader's own decoder (libdeflate and the native unshuffle when built, every filter).
     */
    public static final class StoredChunks implements AutoCloseable {
        private final Hdf5File file;
        private final Hdf5Array array;
        private final List<ByteBuffer> stored = new ArrayList<>();
        private final ByteBuffer out;
        private final BlockDecoder decoder = new BlockDecoder();

        private StoredChunks(Path path, String dataset) {
            file = Hdf5File.open(path);
            array = file.array(dataset);
            for (int c = 0; c < array.chunkCount(); c++) {
                ByteBuffer b = ByteBuffer.allocateDirect(Math.max(1, array.chunkStoredSize(c)));
                array.readStoredChunk(c, b);
                stored.add(b);
            }
            out = ByteBuffer.allocateDirect(Math.max(1, array.chunkBytes()));
        }

        /** @return the number of stored chunks (0 when the dataset is not chunked) */
        public int count() {
            return stored.size();
        }

        /**
         * Decodes every chunk once on the calling thread.
         *
         * @return the decoded bytes
         */
        public long decodeAll() {
            for (int c = 0; c < stored.size(); c++) {
                array.decodeStoredChunk(c, stored.get(c), decoder, out);
            }
            return (long) stored.size() * array.chunkBytes();
        }

        @Override
        public void close() {
            decoder.close();
            file.close();
        }
    }

    /**
     * Loads the stored chunks of one dataset into memory.
     *
     * @param file    the HDF5 file
     * @param dataset the dataset path
     * @return the chunks; close it to release the file
     */
    public static StoredChunks storedChunks(Path file, String dataset) {
        return new StoredChunks(file, dataset);
    }

    /**
     * Reads and decodes the given blocks once each on the calling thread (from the file, through
     * the page cache).
     *
     * @param file    the HDF5 file
     * @param dataset the dataset path
     * @param blocks  block indices
     * @param passes  how many times to read them all; the time of each pass is returned
     * @return the seconds of each pass
     */
    public static double[] readBlocks(Path file, String dataset, int[] blocks, int passes) {
        try (Hdf5File f = Hdf5File.open(file); BlockDecoder dec = new BlockDecoder()) {
            Hdf5Array a = f.array(dataset);
            ByteBuffer buf = ByteBuffer.allocateDirect(a.blockBytes()).order(a.elementType().byteOrder());
            double[] secs = new double[passes];
            for (int run = 0; run < passes; run++) {
                long t0 = System.nanoTime();
                for (int b : blocks) {
                    a.readBlock(b, dec, buf);
                }
                secs[run] = (System.nanoTime() - t0) / 1e9;
            }
            return secs;
        }
    }
}
