package org.multitables4j.internal.workers;

import java.nio.ByteBuffer;
import java.util.function.IntToLongFunction;
import org.multitables4j.CorruptDataException;
import org.multitables4j.internal.plan.EpochPlan;

/**
 * Fills one array of a slot with the rows of one batch: decides, from the plan and the layout,
 * how the rows are fetched, and leaves the fetching and converting to the {@link RowGather}.
 * Contiguous data is read by runs straight from the file; chunked data comes block by block from
 * the {@link BlockCache}, and in sequential orders a whole chunk row that no other batch needs is
 * decoded straight into the slot. One filler per worker and source; not thread-safe.
 */
final class BatchFiller {
    private final Source source;
    private final RowGather gather;
    private long[] keys = new long[0];

    BatchFiller(Source source, RowGather gather) {
        this.source = source;
        this.gather = gather;
    }

    /**
     * @param plan    the epoch plan
     * @param b       the batch
     * @param dst     the slot array's memory
     * @param horizon batches ahead that waiting workers may decode blocks for
     */
    void fill(EpochPlan plan, int b, ByteBuffer dst, int horizon) {
        if (source.sequence() != null) {
            source.sequence().fill(plan, b, dst, gather.io(), horizon);
            return;
        }
        int n = plan.batchRows(b);
        RowFormat f = source.format();
        if (f.oneHot()) {
            RowFormat.zero(dst, n * f.outRowBytes());
        }
        IntToLongFunction rowOf = k -> plan.row(b, k);
        if (source.direct(plan)) {
            gather.readRuns(source.parts(), rowOf, null, n, dst, f);
        } else if (plan.sequential()) {
            fillSequentialBlocks(plan.row(b, 0), n, dst, horizon);
        } else {
            keys = BlockKeys.of(source.parts(), rowOf, n, keys);
            gather.gatherByBlock(source.parts(), rowOf, n, keys, 0, n, dst, f, horizon);
        }
    }

    private void fillSequentialBlocks(long r0, int n, ByteBuffer dst, int horizon) {
        RowFormat f = source.format();
        int outRowBytes = f.outRowBytes();
        long end = r0 + n;
        long at = r0;
        while (at < end) {
            Source.Part part = source.parts()[source.partOf(at)];
            var a = part.array();
            boolean identity = f.identity(a);
            long stop = Math.min(end, part.end());
            int br = a.blockRows();
            long local0 = at - part.offset();
            long local1 = stop - part.offset();
            for (long blk = local0 / br; blk * br < local1; blk++) {
                long first = Math.max(local0, blk * br);
                long last = Math.min(local1, (blk + 1) * br);
                int k = (int) (first + part.offset() - r0);
                if (identity && first == blk * br && last == (blk + 1) * br && part.cache().claimDirect((int) blk)) {
                    // a whole block of this batch, needed by no other: decoded straight into the slot
                    boolean ok = false;
                    try {
                        gather.io().readBlock(a, (int) blk, dst, k * outRowBytes);
                        ok = true;
                    } catch (CorruptDataException e) {
                        skipOrThrow(a, (int) blk, e, k, (int) (last - first));
                    } finally {
                        part.cache().finishDirect((int) blk, ok);
                    }
                    continue;
                }
                ByteBuffer src;
                try {
                    src = part.cache().acquire((int) blk, gather.io(), horizon);
                } catch (CorruptDataException e) {
                    skipOrThrow(a, (int) blk, e, k, (int) (last - first));
                    continue;
                }
                try {
                    RowFormat.convertRows(a, src, (int) (first - blk * br) * a.rowBytes(), (int) (last - first), first,
                            dst, k, f);
                } finally {
                    part.cache().release((int) blk);
                }
            }
            at = stop;
        }
    }

    private void skipOrThrow(org.multitables4j.internal.hdf5.Hdf5Array a, int blk, CorruptDataException e, int k, int m) {
        ChunkSkips.Batch skips = gather.skips();
        if (skips == null) {
            throw e;
        }
        skips.drop(a, blk, e, k, m);
    }
}
