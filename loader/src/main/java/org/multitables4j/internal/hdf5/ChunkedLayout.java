package org.multitables4j.internal.hdf5;

import io.jhdf.api.Dataset;
import io.jhdf.dataset.chunked.ChunkedDatasetBase;
import io.jhdf.object.message.DataLayout;
import java.nio.ByteBuffer;
import org.multitables4j.CorruptDataException;

/**
 * Chunked data: a block is one row of the chunk grid (every chunk with the same first-dimension
 * offset). When chunks span the whole row the block is one chunk, decoded straight into the
 * destination; otherwise each chunk is decoded into scratch and its valid part scattered into
 * the row-major block. Never-written chunks read as the fill value.
 */
final class ChunkedLayout extends StorageLayout {
    /**
     * Largest decoded block (one row of the chunk grid) a worker may allocate; files that claim
     * more fail when opened. System property {@code multitables4j.maxBlockBytes}, default 512 MiB.
     */
    static final long MAX_BLOCK_BYTES = Long.getLong("multitables4j.maxBlockBytes", 512L << 20);

    private final int[] chunkDims;
    private final int chunkBytes;
    private final int innerChunks;
    private final boolean innerSplit;
    private final int blockCount;
    private final ChunkTable table;
    private final ChunkFilters filters;

    ChunkedLayout(DatasetGeometry g, Dataset ds) {
        super(g);
        long[] shape = g.shape();
        ChunkedDatasetBase cds = (ChunkedDatasetBase) ds;
        this.chunkDims = cds.getChunkDimensions().clone();
        if (chunkDims.length != shape.length) {
            throw g.corrupt("chunk rank " + chunkDims.length + " differs from dataset rank " + shape.length);
        }
        long cb = g.storedSize();
        for (int c : chunkDims) {
            if (c <= 0) {
                throw g.corrupt("chunk dimension " + c + " is not positive");
            }
            cb = Math.multiplyExact(cb, c);
        }
        if (cb > Integer.MAX_VALUE - 64) {
            throw g.unsupported("chunks of " + cb + " bytes (at most 2 GiB)");
        }
        this.chunkBytes = (int) cb;
        this.innerSplit = innerSplit(shape, chunkDims);
        this.innerChunks = innerChunks(shape, chunkDims);
        long bb = (long) chunkDims[0] * g.rowBytes();
        if (bb > MAX_BLOCK_BYTES || cb > MAX_BLOCK_BYTES) {
            throw g.unsupported("chunks of " + cb + " bytes in rows of the chunk grid of " + bb + " bytes, above the "
                    + "limit of " + MAX_BLOCK_BYTES + " bytes (system property multitables4j.maxBlockBytes)");
        }
        this.table = new ChunkTable(g, cds, chunkDims);
        this.blockCount = Math.toIntExact(table.gridCount(0));
        this.filters = new ChunkFilters(g, ds);
    }

    /**
     * A layout as another process recorded it ({@link ArrayImage}), checked there when it opened
     * the file with jhdf.
     *
     * @param g         the dataset
     * @param chunkDims the chunk shape
     * @param table     the chunk table
     * @param filters   the filter pipeline
     */
    ChunkedLayout(DatasetGeometry g, int[] chunkDims, ChunkTable table, ChunkFilters filters) {
        super(g);
        long[] shape = g.shape();
        this.chunkDims = chunkDims;
        long cb = g.storedSize();
        for (int c : chunkDims) {
            cb = Math.multiplyExact(cb, c);
        }
        this.chunkBytes = Math.toIntExact(cb);
        this.innerSplit = innerSplit(shape, chunkDims);
        this.innerChunks = innerChunks(shape, chunkDims);
        this.table = table;
        this.blockCount = Math.toIntExact(table.gridCount(0));
        this.filters = filters;
    }

    /** @return the filter pipeline */
    ChunkFilters filters() {
        return filters;
    }

    @Override
    DataLayout layout() {
        return DataLayout.CHUNKED;
    }

    @Override
    int blockRows() {
        return chunkDims[0];
    }

    @Override
    int blockCount() {
        return blockCount;
    }

    @Override
    int[] chunkShape() {
        return chunkDims.clone();
    }

    @Override
    String describeFilters() {
        return filters.describe();
    }

    @Override
    boolean ownDecodePath() {
        return filters.own();
    }

    @Override
    boolean filtered() {
        return filters.any();
    }

    @Override
    int chunkCount() {
        return table.count();
    }

    @Override
    int chunkBytes() {
        return chunkBytes;
    }

    @Override
    ChunkTable chunks() {
        return table;
    }

    @Override
    void readBlock(int block, BlockDecoder dec, ByteBuffer out) {
        if (!innerSplit) {
            if (table.address(block) < 0) {
                g.fill(out, 0, g.rowsInBlock(block, chunkDims[0]) * g.rowBytes());
            } else {
                decodeChunk(block, dec, out);
            }
            return;
        }
        // chunks split the inner dimensions: decode each and scatter it into the row-major block
        ByteBuffer tmp = dec.chunkBuffer(chunkBytes);
        for (int j = 0; j < innerChunks; j++) {
            int c = block * innerChunks + j;
            long[] gridPos = table.gridPosition(c);
            if (table.address(c) < 0) {
                scatterFill(gridPos, block, out);
            } else {
                decodeChunk(c, dec, tmp);
                scatter(tmp, gridPos, block, out);
            }
        }
    }

    /** Decodes chunk {@code c} into {@code out[0, chunkBytes)}. */
    private void decodeChunk(int c, BlockDecoder dec, ByteBuffer out) {
        int size = table.storedSize(c);
        if (size < 0 || size > Math.max(1 << 20, 4L * chunkBytes + (1 << 16))) {
            throw new CorruptDataException(table.chunkName(c) + ": stored size " + size + " is implausible for a chunk of "
                    + chunkBytes + " bytes");
        }
        ByteBuffer raw = dec.rawBuffer(size);
        g.file().readFully(table.address(c), raw, table.chunkName(c));
        raw.flip();
        decodeStored(c, raw, dec, out);
    }

    /** Decodes the stored bytes of chunk {@code c} ({@code raw} at [0, size), direct) into {@code out}. */
    void decodeStored(int c, ByteBuffer raw, BlockDecoder dec, ByteBuffer out) {
        filters.decode(raw, table.storedSize(c), table.filterMask(c), dec, out, chunkBytes, table.chunkName(c));
    }

    /** Copies the valid part of one decoded chunk into the row-major block buffer. */
    private void scatter(ByteBuffer chunk, long[] gridPos, int block, ByteBuffer out) {
        long[] shape = g.shape();
        int rank = shape.length;
        int es = g.storedSize();
        int blockRows = chunkDims[0];
        long[] start = new long[rank];
        int[] extent = new int[rank];
        for (int d = 0; d < rank; d++) {
            start[d] = gridPos[d] * chunkDims[d];
            extent[d] = (int) Math.min(chunkDims[d], shape[d] - start[d]);
        }
        extent[0] = g.rowsInBlock(block, blockRows);
        int runBytes = extent[rank - 1] * es;
        int[] idx = new int[rank - 1];
        while (true) {
            // source offset in chunk, destination offset in block (block-local row index = idx[0])
            long src = 0;
            long dst = 0;
            for (int d = 0; d < rank - 1; d++) {
                src = src * chunkDims[d] + idx[d];
                long globalIdx = d == 0 ? idx[0] : start[d] + idx[d];
                dst = dst * (d == 0 ? blockRows : shape[d]) + globalIdx;
            }
            src = src * chunkDims[rank - 1];
            dst = dst * shape[rank - 1] + start[rank - 1];
            if (rank == 1) {
                src = 0;
                dst = start[0] - (long) block * blockRows;
            }
            out.put((int) (dst * es), chunk, (int) (src * es), runBytes);
            if (rank == 1) {
                return;
            }
            int d = rank - 2;
            while (d >= 0) {
                if (++idx[d] < extent[d]) {
                    break;
                }
                idx[d] = 0;
                d--;
            }
            if (d < 0) {
                return;
            }
        }
    }

    private void scatterFill(long[] gridPos, int block, ByteBuffer out) {
        // a missing inner chunk: write the fill value into its region
        byte[] fill = g.fillElement();
        ByteBuffer f = ByteBuffer.allocate(chunkBytes);
        for (int i = 0; i + fill.length <= chunkBytes; i += fill.length) {
            f.put(i, fill);
        }
        scatter(f, gridPos, block, out);
    }

    /** @return true when chunks cut a row (some inner dimension is chunked) */
    private static boolean innerSplit(long[] shape, int[] chunkDims) {
        for (int d = 1; d < shape.length; d++) {
            if (chunkDims[d] != shape[d]) {
                return true;
            }
        }
        return false;
    }

    /** @return chunks per row of chunks (the product of the inner dimensions' chunk counts) */
    private static int innerChunks(long[] shape, int[] chunkDims) {
        long inner = 1;
        for (int d = 1; d < shape.length; d++) {
            inner = Math.multiplyExact(inner, (shape[d] + chunkDims[d] - 1) / chunkDims[d]);
        }
        return Math.toIntExact(inner);
    }
}
