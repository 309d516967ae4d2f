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
 * needed (one read per run of consecutive rows, all runs of a batch in one request), otherwise
 * through a small scratch buffer. Chunked data goes through the part's {@link BlockCache}: rows are
 * grouped by block so that each block is pinned once per batch; in sequential orders a whole block
 * that only this batch needs, with no conversion, is decoded straight into the slot instead. A source of several files (parts)
 * splits runs and groups at part boundaries; each part keeps its own stored type and layout.
 */
final class BatchFiller {
    private static final int SCRATCH_BYTES = 1 << 20;

    /** What the filler needs of one part, computed once. */
    private static final class PartInfo {
        final Hdf5Array array;
        final BlockCache cache;
        final long offset;
        final ElementType stored;
        final int rowBytes;
        final boolean identity;
        final boolean dense;
        final int memberOffset;
        final long blockBase;

        PartInfo(Source.Part p, Source source, long blockBase) {
            this.array = p.array();
            this.cache = p.cache();
            this.offset = p.offset();
            this.stored = array.elementType();
            this.rowBytes = array.rowBytes();
            this.dense = array.denseRows();
            this.memberOffset = array.memberOffset();
            this.identity = !source.oneHot() && array.denseRows() && source.out() == stored.nativeDataType()
                    && (stored.size() == 1 || stored.byteOrder() == java.nio.ByteOrder.nativeOrder());
            this.blockBase = blockBase;
        }
    }

    private final Source source;
    private final BlockIo decoder;
    private final BufferAllocator allocator;
    private final PartInfo[] parts;
    private final int rowElements;
    private final int outRowBytes;
    private ByteBuffer scratch;
    private long[] keys = new long[0];
    private long[] runRows = new long[16];
    private int[] runCounts = new int[16];
    private int[] runOffsets = new int[16];

    BatchFiller(Source source, BlockIo decoder, BufferAllocator allocator) {
        this.source = source;
        this.decoder = decoder;
        this.allocator = allocator;
        this.rowElements = (int) source.array().rowElements();
        this.outRowBytes = source.outRowBytes();
        this.parts = new PartInfo[source.parts().length];
        long base = 0;
        for (int i = 0; i < parts.length; i++) {
            parts[i] = new PartInfo(source.parts()[i], source, base);
            base += parts[i].array.blockCount();
        }
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
     * Reads the rows of a batch of contiguous data as runs of consecutive rows of one part, all
     * runs of a piece in one request (one positional read each): straight into the slot when no
     * conversion is needed, else into scratch and converted from there.
     */
    private void fillDirect(EpochPlan plan, int b, int n, ByteBuffer dst) {
        int k = 0;
        while (k < n) {
            int pi = source.partOf(plan.row(b, k));
            PartInfo part = parts[pi];
            long partEnd = part.offset + part.array.rows();
            int piece = part.identity ? n : Math.max(1, SCRATCH_BYTES / Math.max(1, part.rowBytes));
            int k0 = k;
            int runs = 0;
            while (k < n && k - k0 < piece) {
                long r0 = plan.row(b, k);
                if (r0 < part.offset || r0 >= partEnd) {
                    break;
                }
                int m = 1;
                int limit = (int) Math.min(n - k, Math.min(piece - (k - k0), partEnd - r0));
                if (plan.sequential()) {
                    m = limit;
                } else {
                    while (m < limit && plan.row(b, k + m) == r0 + m) {
                        m++;
                    }
                }
                if (runs == runRows.length) {
                    runRows = Arrays.copyOf(runRows, 2 * runs);
                    runCounts = Arrays.copyOf(runCounts, 2 * runs);
                    runOffsets = Arrays.copyOf(runOffsets, 2 * runs);
                }
                runRows[runs] = r0 - part.offset;
                runCounts[runs] = m;
                runOffsets[runs] = part.identity ? k * outRowBytes : (k - k0) * part.rowBytes;
                runs++;
                k += m;
            }
            if (part.identity) {
                decoder.readRuns(part.array, runRows, runCounts, runOffsets, runs, dst);
            } else {
                ByteBuffer s = scratch((k - k0) * part.rowBytes, part.stored);
                decoder.readRuns(part.array, runRows, runCounts, runOffsets, runs, s);
                for (int j = 0; j < runs; j++) {
                    convertRows(part, s, runOffsets[j], runCounts[j], runRows[j], dst, k0 + runOffsets[j] / part.rowBytes);
                }
            }
        }
    }

    private void fillSequentialBlocks(long r0, int n, ByteBuffer dst, int horizon) {
        long end = r0 + n;
        long at = r0;
        while (at < end) {
            PartInfo part = parts[source.partOf(at)];
            long stop = Math.min(end, part.offset + part.array.rows());
            int br = part.array.blockRows();
            long local0 = at - part.offset;
            long local1 = stop - part.offset;
            for (long blk = local0 / br; blk * br < local1; blk++) {
                long first = Math.max(local0, blk * br);
                long last = Math.min(local1, (blk + 1) * br);
                int k = (int) (first + part.offset - r0);
                if (part.identity && first == blk * br && last == (blk + 1) * br && part.cache.claimDirect((int) blk)) {
                    // a whole block of this batch, needed by no other: decoded straight into the slot
                    boolean ok = false;
                    try {
                        decoder.readBlock(part.array, (int) blk, dst, k * outRowBytes);
                        ok = true;
                    } finally {
                        part.cache.finishDirect((int) blk, ok);
                    }
                    continue;
                }
                ByteBuffer src = part.cache.acquire((int) blk, decoder, horizon);
                try {
                    convertRows(part, src, (int) (first - blk * br) * part.rowBytes, (int) (last - first), first, dst, k);
                } finally {
                    part.cache.release((int) blk);
                }
            }
            at = stop;
        }
    }

    private void fillPermutedBlocks(EpochPlan plan, int b, int n, ByteBuffer dst, int horizon) {
        if (keys.length < n) {
            keys = new long[n];
        }
        int kBits = 32 - Integer.numberOfLeadingZeros(n);
        long kMask = (1L << kBits) - 1;
        for (int k = 0; k < n; k++) {
            long r = plan.row(b, k);
            PartInfo part = parts[source.partOf(r)];
            keys[k] = (part.blockBase + (r - part.offset) / part.array.blockRows()) << kBits | k;
        }
        Arrays.sort(keys, 0, n);
        int i = 0;
        int pi = 0;
        while (i < n) {
            long global = keys[i] >>> kBits;
            while (pi + 1 < parts.length && parts[pi + 1].blockBase <= global) {
                pi++;
            }
            PartInfo part = parts[pi];
            int blk = (int) (global - part.blockBase);
            int br = part.array.blockRows();
            ByteBuffer src = part.cache.acquire(blk, decoder, horizon);
            try {
                for (; i < n && keys[i] >>> kBits == global; i++) {
                    int k = (int) (keys[i] & kMask);
                    long r = plan.row(b, k) - part.offset;
                    convertRows(part, src, (int) (r - (long) blk * br) * part.rowBytes, 1, r, dst, k);
                }
            } finally {
                part.cache.release(blk);
            }
        }
    }

    /** Converts rows; {@code src} is in the part's stored byte order (cache and scratch buffers are). */
    private void convertRows(PartInfo part, ByteBuffer src, int srcOff, int m, long firstRow, ByteBuffer dst, int k) {
        if (!source.oneHot()) {
            if (part.dense) {
                ElementConverter.convert(src, srcOff, part.stored, dst, k * outRowBytes, source.out(), m * rowElements);
            } else {
                for (int i = 0; i < m; i++) {
                    ElementConverter.convert(src, srcOff + i * part.rowBytes + part.memberOffset, part.stored, dst,
                            (k + i) * outRowBytes, source.out(), rowElements);
                }
            }
            return;
        }
        int classes = source.classes();
        boolean dbl = source.out() == DataType.DOUBLE;
        for (int i = 0; i < m; i++) {
            long c = ElementConverter.readInteger(src, srcOff + i * part.rowBytes + part.memberOffset, part.stored);
            if (c < 0 || c >= classes) {
                throw new CorruptDataException("Dataset '" + part.array.path() + "' in " + part.array.file().path() + ": row "
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

    private ByteBuffer scratch(int bytes, ElementType stored) {
        if (scratch == null || scratch.capacity() < bytes) {
            if (scratch != null) {
                allocator.free(scratch);
            }
            scratch = allocator.allocate(Math.max(bytes, SCRATCH_BYTES));
        }
        return scratch.order(stored.byteOrder());
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
