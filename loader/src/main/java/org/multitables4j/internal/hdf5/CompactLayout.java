package org.multitables4j.internal.hdf5;

import io.jhdf.object.message.DataLayout;
import java.nio.ByteBuffer;

/** Compact data: stored in the object header, copied once when opened; all rows are one block. */
final class CompactLayout extends StorageLayout {
    private final ByteBuffer data;
    private final int blockRows;

    CompactLayout(DatasetGeometry g, ByteBuffer stored) {
        super(g);
        ByteBuffer copy = ByteBuffer.allocate(stored.remaining());
        copy.put(stored.duplicate()).flip();
        this.data = copy.asReadOnlyBuffer();
        this.blockRows = (int) Math.max(1, g.rows());
        if (data.remaining() < g.rows() * g.rowBytes()) {
            throw g.corrupt("compact data holds " + data.remaining() + " bytes, " + g.rows() * g.rowBytes() + " expected");
        }
    }

    /** @return the stored bytes (read-only) */
    ByteBuffer stored() {
        return data.duplicate();
    }

    @Override
    DataLayout layout() {
        return DataLayout.COMPACT;
    }

    @Override
    int blockRows() {
        return blockRows;
    }

    @Override
    int blockCount() {
        return g.rows() == 0 ? 0 : 1;
    }

    @Override
    void readBlock(int block, BlockDecoder dec, ByteBuffer out) {
        out.put(0, data, 0, g.rowsInBlock(block, blockRows) * g.rowBytes());
    }
}
