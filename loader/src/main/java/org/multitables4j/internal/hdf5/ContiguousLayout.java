package org.multitables4j.internal.hdf5;

import io.jhdf.object.message.DataLayout;
import java.nio.ByteBuffer;

/**
 * Contiguous data: rows follow each other from one file address; a block is a run of about
 * 1 MiB of rows, read with one positional read. Never-written data (address -1) reads as the
 * fill value.
 */
final class ContiguousLayout extends StorageLayout {
    private static final long BLOCK_TARGET = 1 << 20;
    private final long dataAddress;
    private final int blockRows;
    private final int blockCount;

    ContiguousLayout(DatasetGeometry g, long dataAddress) {
        super(g);
        this.dataAddress = dataAddress;
        int rowBytes = g.rowBytes();
        int br = (int) Math.max(1, Math.min(BLOCK_TARGET / Math.max(1, rowBytes), Integer.MAX_VALUE / Math.max(1, rowBytes)));
        this.blockRows = (int) Math.min(br, Math.max(1, g.rows()));
        this.blockCount = Math.toIntExact((g.rows() + blockRows - 1) / blockRows);
        if (dataAddress >= 0 && g.rows() > 0 && dataAddress + g.rows() * rowBytes > g.file().size()) {
            throw g.corrupt("contiguous data [" + dataAddress + ", " + (dataAddress + g.rows() * rowBytes)
                    + ") lies past the end of the file (" + g.file().size() + " bytes)");
        }
    }

    @Override
    DataLayout layout() {
        return DataLayout.CONTIGUOUS;
    }

    @Override
    int blockRows() {
        return blockRows;
    }

    @Override
    int blockCount() {
        return blockCount;
    }

    @Override
    long contiguousAddress() {
        return dataAddress;
    }

    @Override
    boolean rowReadable() {
        return dataAddress >= 0;
    }

    @Override
    void readBlock(int block, BlockDecoder dec, ByteBuffer out) {
        int rows = g.rowsInBlock(block, blockRows);
        int n = rows * g.rowBytes();
        if (dataAddress < 0) {
            g.fill(out, 0, n);
            return;
        }
        ByteBuffer dst = out.duplicate().clear().limit(n);
        long first = (long) block * blockRows;
        g.file().readFully(dataAddress + first * g.rowBytes(), dst,
                "Dataset '" + g.path() + "' rows [" + first + ", " + (first + rows) + ")");
    }

    @Override
    void readRows(long firstRow, int n, ByteBuffer dst) {
        if (!rowReadable()) {
            super.readRows(firstRow, n, dst);
        }
        if (firstRow < 0 || n < 0 || firstRow + n > g.rows()) {
            throw new IndexOutOfBoundsException("rows [" + firstRow + ", " + (firstRow + n) + ") of " + g.rows() + " in " + g.path());
        }
        int bytes = Math.multiplyExact(n, g.rowBytes());
        int lim = dst.limit();
        dst.limit(dst.position() + bytes);
        try {
            g.file().readFully(dataAddress + firstRow * g.rowBytes(), dst,
                    "Dataset '" + g.path() + "' rows [" + firstRow + ", " + (firstRow + n) + ")");
        } finally {
            dst.limit(lim);
        }
    }
}
