package org.multitables4j.workers;

import org.multitables4j.hdf5.Hdf5Array;
import org.multitables4j.plan.EpochPlan;

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
public record Source(Hdf5Array array, RowGather.Format format, Part[] parts, SequenceFill sequence) {
    /**
     * A source of one row per plan row.
     *
     * @param array  the first part
     * @param format how a stored row becomes a delivered row
     * @param parts  the parts in row order
     */
    public Source(Hdf5Array array, RowGather.Format format, Part[] parts) {
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
}
