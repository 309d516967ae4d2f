package org.multitables4j.workers;

import org.multitables4j.Order;
import org.multitables4j.hdf5.Hdf5Array;
import org.multitables4j.plan.EpochPlan;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * One dataset feeding one array of every slot: the features or the labels.
 *
 * @param array   the dataset
 * @param out     the slot's element type
 * @param oneHot  true when integer class ids become one-hot rows of {@code classes} columns
 * @param classes number of classes for one-hot labels (0 otherwise)
 * @param cache   the shared block cache
 */
record Source(Hdf5Array array, DataType out, boolean oneHot, int classes, BlockCache cache) {
    /**
     * @param p an epoch plan
     * @return true when this plan reads rows straight from the file (contiguous data, except in
     *     SHUFFLED order where whole blocks of a window are read once and cached)
     */
    boolean direct(EpochPlan p) {
        return array.rowReadable() && p.order() != Order.SHUFFLED;
    }

    /** @return bytes of one row in the slot */
    int outRowBytes() {
        long elements = oneHot ? classes : array.rowElements();
        return Math.toIntExact(elements * out.width());
    }
}
