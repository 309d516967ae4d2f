package org.multitables4j.workers;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.multitables4j.CorruptDataException;
import org.multitables4j.hdf5.BlockDecoder;
import org.multitables4j.hdf5.ElementConverter;
import org.multitables4j.hdf5.ElementType;
import org.multitables4j.hdf5.Hdf5Array;
import org.multitables4j.plan.EpochPlan;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Writes the rows of one batch of one source (features or labels) into slot memory. One instance
 * per worker thread and source; holds that thread's scratch and is not thread-safe.
 *
 * <p>Contiguous data is read with positional reads straight into the slot when no conversion is
 * needed (one read per run of consecutive rows), otherwise through a small scratch buffer.
 * Chunked data goes through the shared {@link BlockCache}: rows are grouped by block so that each
 * block is pinned once per batch.
 */
final class BatchFiller {
    private static final int SCRATCH_BYTES = 1 << 20;

    private final Source source;
    private final BlockDecoder decoder;
    private final Hdf5Array array;
    private final ElementType stored;
    private final int rowBytes;
    private final int rowElements;
    private final int outRowBytes;
    private final boolean identity;
    private final boolean dense;
    private final int memberOffset;
    private ByteBuffer scratch;
    private long[] keys = new long[0];

    BatchFiller(Source source, BlockDecoder decoder) {
        this.source = source;
        this.decoder = decoder;
        this.array = source.array();
        this.stored = array.elementType();
        this.rowBytes = array.rowBytes();
        this.rowElements = (int) array.rowElements();
        this.outRowBytes = source.outRowBytes();
        this.dense = array.denseRows();
        this.memberOffset = array.memberOffset();
        this.identity = !source.oneHot() && array.denseRows() && source.out() == stored.nativeDataType()
                && (stored.size() == 1 || stored.byteOrder() == java.nio.ByteOrder.nativeOrder());
    }

    /**
     * Fills batch {@code b} of the plan into {@code dst} (slot memory, native order, position 0).
     *
     * @param horizon the latest batch for which blocks may be decoded ahead while waiting
     */
    void fill(EpochPlan plan, int b, ByteBuffer dst, int horizon) {
        int n = plan.batchRows(b);
        if (source.oneHot()) {
            zero(dst, n * outRowBytes);
        }
        if (source.direct(plan)) {
            fillDirect(plan, b, n, dst);
        } else if (plan.sequential()) {
            fillSequentialBlocks(plan.row(b, 0), n, dst, horizon);
        } else {
            fillPermutedBlocks(plan, b, n, dst, horizon);
        }
    }

    private void fillDirect(EpochPlan plan, int b, int n, ByteBuffer dst) {
        int k = 0;
        while (k < n) {
            long r0 = plan.row(b, k);
            int m = 1;
            if (plan.sequential()) {
                m = n;
            } else {
                while (k + m < n && plan.row(b, k + m) == r0 + m) {
                    m++;
                }
            }
            readRun(r0, m, k, dst);
            k += m;
        }
    }

    private void readRun(long r0, int m, int k, ByteBuffer dst) {
        if (identity) {
            ByteBuffer d = dst.duplicate();
            d.position(k * outRowBytes);
            array.readRows(r0, m, d);
            return;
        }
        int piece = Math.max(1, SCRATCH_BYTES / Math.max(1, rowBytes));
        ByteBuffer s = scratch(Math.min(m, piece) * rowBytes);
        for (int done = 0; done < m; done += piece) {
            int c = Math.min(piece, m - done);
            s.clear();
            array.readRows(r0 + done, c, s);
            convertRows(s, 0, c, r0 + done, dst, k + done);
        }
    }

    private void fillSequentialBlocks(long r0, int n, ByteBuffer dst, int horizon) {
        int br = array.blockRows();
        long end = r0 + n;
        for (long blk = r0 / br; blk * br < end; blk++) {
            long first = Math.max(r0, blk * br);
            long last = Math.min(end, (blk + 1) * br);
            ByteBuffer src = source.cache().acquire((int) blk, decoder, horizon);
            try {
                convertRows(src, (int) (first - blk * br) * rowBytes, (int) (last - first), first, dst, (int) (first - r0));
            } finally {
                source.cache().release((int) blk);
            }
        }
    }

    private void fillPermutedBlocks(EpochPlan plan, int b, int n, ByteBuffer dst, int horizon) {
        int br = array.blockRows();
        if (keys.length < n) {
            keys = new long[n];
        }
        for (int k = 0; k < n; k++) {
            keys[k] = (plan.row(b, k) / br) << 32 | k;
        }
        Arrays.sort(keys, 0, n);
        int i = 0;
        while (i < n) {
            int blk = (int) (keys[i] >>> 32);
            ByteBuffer src = source.cache().acquire(blk, decoder, horizon);
            try {
                for (; i < n && (int) (keys[i] >>> 32) == blk; i++) {
                    int k = (int) keys[i];
                    long r = plan.row(b, k);
                    convertRows(src, (int) (r - (long) blk * br) * rowBytes, 1, r, dst, k);
                }
            } finally {
                source.cache().release(blk);
            }
        }
    }

    /** Converts rows; {@code src} is in the stored byte order (cache and scratch buffers are). */
    private void convertRows(ByteBuffer src, int srcOff, int m, long firstRow, ByteBuffer dst, int k) {
        if (!source.oneHot()) {
            if (dense) {
                ElementConverter.convert(src, srcOff, stored, dst, k * outRowBytes, source.out(), m * rowElements);
            } else {
                for (int i = 0; i < m; i++) {
                    ElementConverter.convert(src, srcOff + i * rowBytes + memberOffset, stored, dst, (k + i) * outRowBytes,
                            source.out(), rowElements);
                }
            }
            return;
        }
        int classes = source.classes();
        boolean dbl = source.out() == DataType.DOUBLE;
        for (int i = 0; i < m; i++) {
            long c = ElementConverter.readInteger(src, srcOff + i * rowBytes + memberOffset, stored);
            if (c < 0 || c >= classes) {
                throw new CorruptDataException("Dataset '" + array.path() + "' in " + array.file().path() + ": row "
                        + (firstRow + i) + " holds class " + c + ", outside oneHot(" + classes + ") = [0, " + classes + ")");
            }
            int at = (k + i) * outRowBytes + (int) c * (dbl ? 8 : 4);
            if (dbl) {
                dst.putDouble(at, 1d);
            } else {
                dst.putFloat(at, 1f);
            }
        }
    }

    private ByteBuffer scratch(int bytes) {
        if (scratch == null || scratch.capacity() < bytes) {
            scratch = ByteBuffer.allocateDirect(bytes).order(stored.byteOrder());
        }
        return scratch;
    }

    private static void zero(ByteBuffer dst, int bytes) {
        int i = 0;
        for (; i + 8 <= bytes; i += 8) {
            dst.putLong(i, 0L);
        }
        for (; i < bytes; i++) {
            dst.put(i, (byte) 0);
        }
    }
}
