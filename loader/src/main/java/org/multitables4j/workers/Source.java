package org.multitables4j.workers;

import org.multitables4j.hdf5.Hdf5Array;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * One dataset feeding one array of every slot: the features or the labels.
 *
 * @param array   the dataset
 * @param out     the slot's element type
 * @param oneHot  true when integer class ids become one-hot rows of {@code classes} columns
 * @param classes number of classes for one-hot labels (0 otherwise)
 * @param cache   the shared block cache, or null when rows are read directly (contiguous data)
 */
record Source(Hdf5Array array, DataType out, boolean oneHot, int classes, BlockCache cache) {
    /** @return bytes of one row in the slot */
    int outRowBytes() {
        long elements = oneHot ? classes : array.rowElements();
        return Math.toIntExact(elements * out.width());
    }
}
