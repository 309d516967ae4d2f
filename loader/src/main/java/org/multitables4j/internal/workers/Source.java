package org.multitables4j.internal.workers;

import java.util.ArrayList;
import java.util.List;
import org.multitables4j.internal.hdf5.Hdf5Array;
import org.multitables4j.internal.ring.BufferAllocator;
import org.nd4j.linalg.api.buffer.DataType;
import org.multitables4j.internal.plan.EpochPlan;

/**
 * One logical dataset feeding one array of every batch: its parts (one per file, rows
 * concatenated), each with its block store, and the format of a delivered row.
 *
 * @param array  the first part (element type, row shape, chunking of the logical dataset)
 * @param format how a stored row becomes a delivered row
 * @param parts    the parts in row order
 * @param sequence how a batch of sequences fills this array ({@link SequenceFill}), or null for
 *                 one row per plan row
 */
public record Source(Hdf5Array array, RowFormat format, Part[] parts, SequenceFill sequence) {
    /**
     * A source of one row per plan row.
     *
     * @param array  the first part
     * @param format how a stored row becomes a delivered row
     * @param parts  the parts in row order
     */
    public Source(Hdf5Array array, RowFormat format, Part[] parts) {
        this(array, format, parts, null);
    }

    /**
     * A source that fills its array with a batch of sequences.
     *
     * @param array the dataset that names it in messages
     * @param fill  the sequence fill
     * @param parts the step data's part (read through its block store), or none
     * @return the source
     */
    public static Source sequences(Hdf5Array array, SequenceFill fill, Part... parts) {
        return new Source(array, null, parts, fill);
    }

    /**
     * One dataset of one file.
     *
     * @param array  the dataset
     * @param cache  its block store
     * @param offset logical row of its first row
     */
    public record Part(Hdf5Array array, BlockCache cache, long offset) {
        long end() {
            return offset + array.rows();
        }
    }

    /**
     * @param p the epoch plan
     * @return true when the rows are read straight from the file by runs instead of through the
     *     block store: contiguous data, except where the store holds the whole dataset for a
     *     random order (block reads beat row reads there) or the order is SHUFFLED
     */
    boolean direct(EpochPlan p) {
        if (sequence != null) {
            return false;
        }
        if (p.order().windowed()) {
            return false;
        }
        boolean allCached = true;
        for (Part part : parts) {
            if (!part.array().rowReadable()) {
                return false;
            }
            allCached &= part.cache().holdsAll();
        }
        return !(p.order().random() && allCached);
    }

    int partOf(long row) {
        return partOf(parts, row);
    }

    /**
     * @param parts parts in row order
     * @param row   a logical row
     * @return the index of the part holding it
     */
    static int partOf(Part[] parts, long row) {
        if (parts.length == 1) {
            return 0;
        }
        int lo = 0;
        int hi = parts.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (parts[mid].offset() <= row) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    int outRowBytes() {
        return format.outRowBytes();
    }

    /**
     * A source over one dataset with a planned block store of its own.
     *
     * @param array   the dataset
     * @param out     delivered element type
     * @param classes one-hot classes, or 0 to copy the rows as they are
     * @param budget  bytes of decoded blocks to keep
     * @return the source
     */
    public static Source of(Hdf5Array array, DataType out, int classes, long budget) {
        return of(List.of(array), out, classes, null, budget, BufferAllocator.DIRECT);
    }

    /**
     * A source over a dataset split across files, each part with a planned block store of its own
     * (the budget shared out by rows).
     *
     * @param parts     the dataset in each file, in row order
     * @param out       delivered element type
     * @param classes   one-hot classes, or 0 to copy the rows as they are
     * @param selection the elements of a row delivered, or null for all
     * @param budget    bytes of decoded blocks to keep
     * @param allocator where block buffers come from
     * @return the source
     */
    public static Source of(List<Hdf5Array> parts, DataType out, int classes, RowSelection selection, long budget,
                                BufferAllocator allocator) {
        long total = 0;
        for (Hdf5Array a : parts) {
            total += a.rows();
        }
        List<BlockCache> stores = new ArrayList<>();
        long offset = 0;
        for (Hdf5Array a : parts) {
            long share = parts.size() == 1 ? budget : (long) (budget * (a.rows() / (double) Math.max(1, total)));
            stores.add(new BlockCache(a, offset, share, allocator));
            offset += a.rows();
        }
        return of(stores, out, classes, selection);
    }

    /**
     * A source over given block stores, e.g. the LRU stores of an open reader shared with it.
     *
     * @param stores    one store per part, in row order (planned stores made with their offsets)
     * @param out       delivered element type
     * @param classes   one-hot classes, or 0
     * @param selection the elements of a row delivered, or null for all
     * @return the source
     */
    public static Source of(List<BlockCache> stores, DataType out, int classes, RowSelection selection) {
        Source.Part[] ps = new Source.Part[stores.size()];
        long offset = 0;
        for (int i = 0; i < ps.length; i++) {
            Hdf5Array a = stores.get(i).array();
            ps[i] = new Source.Part(a, stores.get(i), offset);
            offset += a.rows();
        }
        Hdf5Array first = ps[0].array();
        return new Source(first, RowFormat.of(first, out, classes, selection), ps);
    }
}
