package org.multitables4j.workers;

import org.multitables4j.Order;
import org.multitables4j.hdf5.Hdf5Array;
import org.multitables4j.plan.EpochPlan;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * One logical dataset feeding one array of every slot: the features or the labels. It is the
 * concatenation of one or more parts (the same dataset in several files), each with its own block
 * cache; logical row {@code r} lies in the part whose {@code [offset, offset + rows)} holds it.
 *
 * @param array   the first part (row shape, element type and names for messages)
 * @param out     the slot's element type
 * @param oneHot  true when integer class ids become one-hot rows of {@code classes} columns
 * @param classes number of classes for one-hot labels (0 otherwise)
 * @param parts   the parts in row order
 */
record Source(Hdf5Array array, DataType out, boolean oneHot, int classes, Part[] parts) {
    /**
     * One file's dataset and where its rows sit in the logical dataset.
     *
     * @param array  the dataset in one file
     * @param cache  its decoded blocks
     * @param offset logical index of its first row
     */
    record Part(Hdf5Array array, BlockCache cache, long offset) {
        long end() {
            return offset + array.rows();
        }
    }

    /**
     * @param p an epoch plan
     * @return true when this plan reads rows straight from the files: contiguous data, except in
     *     SHUFFLED order, where whole blocks of a window are read once and cached, and in the
     *     random orders when the block caches hold the whole dataset, where reading each block
     *     once (about 1 MiB at a time) beats a positional read per row on a disk (cold page cache:
     *     83 MB/s row by row, see DESIGN.md)
     */
    boolean direct(EpochPlan p) {
        if (p.order() == Order.SHUFFLED) {
            return false;
        }
        boolean random = p.order() == Order.RANDOM || p.order() == Order.RANDOM_WITH_REPLACEMENT;
        boolean allCached = true;
        for (Part part : parts) {
            if (!part.array().rowReadable()) {
                return false;
            }
            allCached &= part.cache().holdsAll();
        }
        return !(random && allCached);
    }

    /**
     * @param row a logical row
     * @return the index of the part holding it
     */
    int partOf(long row) {
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

    /** @return bytes of one row in the slot */
    int outRowBytes() {
        long elements = oneHot ? classes : array.rowElements();
        return Math.toIntExact(elements * out.width());
    }
}
