package org.multitables4j.internal.hdf5;

import io.jhdf.object.message.DataLayout;
import java.nio.ByteBuffer;

/**
 * How one dataset's rows are stored and read in blocks: {@link ChunkedLayout} (a block is one
 * row of the chunk grid), {@link ContiguousLayout} (about 1 MiB of rows), {@link CompactLayout}
 * (everything). The chunk and row queries answer "none" here; the layouts that have them
 * override them. Immutable and shared between threads.
 */
abstract class StorageLayout {
    final DatasetGeometry g;

    StorageLayout(DatasetGeometry g) {
        this.g = g;
    }

    /** @return the HDF5 layout */
    abstract DataLayout layout();

    /** @return rows per block */
    abstract int blockRows();

    /** @return the number of blocks */
    abstract int blockCount();

    /**
     * Reads one block as raw stored bytes, row-major, into {@code out} from 0.
     *
     * @param block a valid block index
     * @param dec   the calling thread's decoder
     * @param out   destination of at least {@code blockRows() * rowBytes} bytes
     */
    abstract void readBlock(int block, BlockDecoder dec, ByteBuffer out);

    /** @return the chunk shape, or null */
    int[] chunkShape() {
        return null;
    }

    /** @return the filters in pipeline order */
    String describeFilters() {
        return "[]";
    }

    /** @return whether every filter is decoded by this library's own path */
    boolean ownDecodePath() {
        return true;
    }

    /** @return whether any filter is present */
    boolean filtered() {
        return false;
    }

    /** @return chunks in the chunk grid (0 when not chunked) */
    int chunkCount() {
        return 0;
    }

    /** @return the decoded size of one chunk (0 when not chunked) */
    int chunkBytes() {
        return 0;
    }

    /** @return the address of contiguous data, or -1 */
    long contiguousAddress() {
        return -1;
    }

    /** @return whether rows can be read one run at a time without staging */
    boolean rowReadable() {
        return false;
    }

    /**
     * Reads consecutive rows as raw stored bytes into {@code dst} from its position.
     *
     * @throws IllegalStateException unless {@link #rowReadable()}
     */
    void readRows(long firstRow, int n, ByteBuffer dst) {
        throw new IllegalStateException("'" + g.path() + "' is not contiguous data");
    }

    /** @return the chunk table, or null when not chunked */
    ChunkTable chunks() {
        return null;
    }
}
