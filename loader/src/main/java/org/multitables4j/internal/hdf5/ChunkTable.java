package org.multitables4j.internal.hdf5;

import io.jhdf.dataset.chunked.Chunk;
import io.jhdf.dataset.chunked.ChunkedDatasetBase;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Map;

/**
 * The chunk grid of a chunked dataset and, for every grid position (row-major), the file
 * address (-1: never written), stored size and filter mask of its chunk, read once from jhdf's
 * chunk index into plain arrays (16 bytes per chunk, written or not).
 */
final class ChunkTable {
    /**
     * Largest chunk grid whose table is built. System property {@code multitables4j.maxChunks},
     * default 2^24 (16 M chunks, 256 MiB of table).
     */
    static final long MAX_CHUNKS = Math.min(Integer.MAX_VALUE - 8, Long.getLong("multitables4j.maxChunks", 1L << 24));

    private final DatasetGeometry g;
    private final int[] chunkDims;
    private final long[] gridCounts;
    private final long[] address;
    private final int[] size;
    private final int[] mask;

    /**
     * @param g         the dataset
     * @param cds       jhdf's view of it, whose chunk index is read
     * @param chunkDims the chunk shape (validated: positive, same rank as the dataset)
     */
    ChunkTable(DatasetGeometry g, ChunkedDatasetBase cds, int[] chunkDims) {
        this.g = g;
        this.chunkDims = chunkDims;
        long[] shape = g.shape();
        this.gridCounts = grid(shape, chunkDims);
        long n = 1;
        for (long c : gridCounts) {
            n = Math.multiplyExact(n, c);
        }
        if (gridCounts[0] > Integer.MAX_VALUE - 8) {
            throw g.unsupported(gridCounts[0] + " rows of chunks (at most 2^31)");
        }
        if (n > MAX_CHUNKS) {
            throw g.unsupported("a grid of " + n + " chunks, above the limit of " + MAX_CHUNKS
                    + " (system property multitables4j.maxChunks; the chunk table takes 16 bytes per chunk)");
        }
        this.address = new long[(int) n];
        this.size = new int[(int) n];
        this.mask = new int[(int) n];
        Arrays.fill(address, -1L);
        for (Chunk c : chunkLookup(cds).values()) {
            long[] off = c.getChunkOffset();
            long lin = 0;
            for (int d = 0; d < shape.length; d++) {
                long gi = off[d] / chunkDims[d];
                if (off[d] % chunkDims[d] != 0 || gi < 0 || gi >= gridCounts[d]) {
                    throw g.corrupt("chunk at offset " + Arrays.toString(off) + " lies outside the chunk grid");
                }
                lin = lin * gridCounts[d] + gi;
            }
            address[(int) lin] = c.getAddress();
            size[(int) lin] = c.getSize();
            mask[(int) lin] = bits(c.getFilterMask());
        }
    }

    /**
     * A table as another process recorded it ({@link ArrayImage}): the arrays are taken as they are.
     *
     * @param g         the dataset
     * @param chunkDims the chunk shape
     * @param address   file address per grid position, -1 when never written
     * @param size      stored size per grid position
     * @param mask      filter mask per grid position
     */
    ChunkTable(DatasetGeometry g, int[] chunkDims, long[] address, int[] size, int[] mask) {
        this.g = g;
        this.chunkDims = chunkDims;
        this.gridCounts = grid(g.shape(), chunkDims);
        long n = 1;
        for (long c : gridCounts) {
            n = Math.multiplyExact(n, c);
        }
        if (n != address.length || n != size.length || n != mask.length) {
            throw g.corrupt("a chunk table of " + address.length + " entries for a grid of " + n + " chunks");
        }
        this.address = address;
        this.size = size;
        this.mask = mask;
    }

    /** @return chunks along dimension {@code d} */
    long gridCount(int d) {
        return gridCounts[d];
    }

    /** @return chunks in the grid */
    int count() {
        return address.length;
    }

    /** @return the file address of chunk {@code c}, or -1 when never written */
    long address(int c) {
        return address[c];
    }

    /** @return the stored (filtered) size of chunk {@code c} */
    int storedSize(int c) {
        return size[c];
    }

    /** @return the filter mask of chunk {@code c}: bit i set when filter i was skipped */
    int filterMask(int c) {
        return mask[c];
    }

    /** @return the grid position of chunk {@code c} */
    long[] gridPosition(int c) {
        long[] p = new long[gridCounts.length];
        long rem = c;
        for (int d = gridCounts.length - 1; d >= 0; d--) {
            p[d] = rem % gridCounts[d];
            rem /= gridCounts[d];
        }
        return p;
    }

    /** @return the chunk for messages: offset, rows, address, size and file */
    String chunkName(int c) {
        long[] p = gridPosition(c);
        long[] off = new long[p.length];
        for (int d = 0; d < p.length; d++) {
            off[d] = p[d] * chunkDims[d];
        }
        return "Dataset '" + g.path() + "' chunk at offset " + Arrays.toString(off) + " (rows [" + off[0] + ", "
                + Math.min(g.rows(), off[0] + chunkDims[0]) + "), file address " + address[c] + ", " + size[c]
                + " bytes) in " + g.file().path();
    }

    /** jhdf's filter mask (skipped filters) as bits of an int. */
    private static int bits(BitSet bs) {
        int b = 0;
        if (bs != null) {
            for (int i = bs.nextSetBit(0); i >= 0 && i < 32; i = bs.nextSetBit(i + 1)) {
                b |= 1 << i;
            }
        }
        return b;
    }

    @SuppressWarnings("unchecked")
    private Map<?, Chunk> chunkLookup(ChunkedDatasetBase cds) {
        try {
            Method m = ChunkedDatasetBase.class.getDeclaredMethod("getChunkLookup");
            m.setAccessible(true);
            return (Map<?, Chunk>) m.invoke(cds);
        } catch (ReflectiveOperationException e) {
            Throwable c = e.getCause() != null ? e.getCause() : e;
            throw new org.multitables4j.CorruptDataException(g.name() + ": cannot read the chunk index: " + c, c);
        }
    }

    /** @return chunks along each dimension of {@code shape} cut into {@code chunkDims} */
    private static long[] grid(long[] shape, int[] chunkDims) {
        long[] counts = new long[shape.length];
        for (int d = 0; d < shape.length; d++) {
            counts[d] = (shape[d] + chunkDims[d] - 1) / chunkDims[d];
        }
        return counts;
    }
}
