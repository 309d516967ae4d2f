package org.multitables4j.workers;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.multitables4j.CorruptDataException;
import org.multitables4j.hdf5.ElementConverter;
import org.multitables4j.hdf5.ElementType;
import org.multitables4j.hdf5.Hdf5Array;
import org.multitables4j.plan.EpochPlan;
import org.multitables4j.ring.BufferAllocator;
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
    private final BlockIo decoder;
    private final BufferAllocator allocator;
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
    private long[] runRows = new long[16];
    private int[] runCounts = new int[16];
    private int[] runOffsets = new int[16];

    BatchFiller(Source source, BlockIo decoder, BufferAllocator allocator) {
        this.source = source;
        this.decoder = decoder;
        this.allocator = allocator;
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

    /**
     * Reads the rows of a batch of contiguous data as runs of consecutive rows, all runs of a
     * piece in one request (one positional read each): straight into the slot when no conversion
     * is needed, else into scratch and converted from there.
     */
    private void fillDirect(EpochPlan plan, int b, int n, ByteBuffer dst) {
        int piece = identity ? n : Math.max(1, SCRATCH_BYTES / Math.max(1, rowBytes));
        for (int k0 = 0; k0 < n; k0 += piece) {
            int end = Math.min(n, k0 + piece);
            int runs = 0;
            int k = k0;
            while (k < end) {
                long r0 = plan.row(b, k);
                int m = 1;
                if (plan.sequential()) {
                    m = end - k;
                } else {
                    while (k + m < end && plan.row(b, k + m) == r0 + m) {
                        m++;
                    }
                }
                if (runs == runRows.length) {
                    runRows = Arrays.copyOf(runRows, 2 * runs);
                    runCounts = Arrays.copyOf(runCounts, 2 * runs);
                    runOffsets = Arrays.copyOf(runOffsets, 2 * runs);
                }
                runRows[runs] = r0;
                runCounts[runs] = m;
                runOffsets[runs] = identity ? k * outRowBytes : (k - k0) * rowBytes;
                runs++;
                k += m;
            }
            if (identity) {
                decoder.readRuns(array, runRows, runCounts, runOffsets, runs, dst);
            } else {
                ByteBuffer s = scratch((end - k0) * rowBytes);
                decoder.readRuns(array, runRows, runCounts, runOffsets, runs, s);
                for (int j = 0; j < runs; j++) {
                    convertRows(s, runOffsets[j], runCounts[j], runRows[j], dst, k0 + runOffsets[j] / rowBytes);
                }
            }
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
            if (scratch != null) {
                allocator.free(scratch);
            }
            scratch = allocator.allocate(Math.max(bytes, SCRATCH_BYTES)).order(stored.byteOrder());
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
