package org.multitables4j;

import org.multitables4j.ring.SlotRing.Slot;
import org.multitables4j.ring.SlotRing.SlotArray;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The arrays of a filled slot of sequences, viewed (no copy) with the batch's own padded length:
 * features and labels {@code [b, width, Lb]} (NCW) or {@code [b, Lb, width]} (NWC), masks
 * {@code [b, Lb]}, where {@code Lb} is the longest sequence of the batch, read from the slot's
 * lengths array. Runs on the worker that filled the slot.
 *
 * @param features     the features
 * @param labels       the labels, or null
 * @param featuresMask 1 for each step of a sequence, 0 for padding
 * @param labelsMask   the labels mask, or null
 */
record SequenceBatch(INDArray features, INDArray labels, INDArray featuresMask, INDArray labelsMask) {
    /**
     * @param s  a filled slot laid out by {@link SequenceArrays#specs()}
     * @param sq the layout
     * @return the views
     */
    static SequenceBatch of(Slot s, SequenceArrays sq) {
        int n = s.rows;
        SlotArray lengths = s.array(s.arrays() - 1);
        boolean dbl = lengths.spec().type() == DataType.DOUBLE;
        int lb = 0;
        for (int k = 0; k < n; k++) {
            lb = Math.max(lb, (int) (dbl ? lengths.memory().getDouble(8 * k) : lengths.memory().getFloat(4 * k)));
        }
        boolean ncw = sq.format() == SequenceFormat.NCW;
        INDArray f = s.array(0).view(n, ncw ? new long[] {sq.features(), lb} : new long[] {lb, sq.features()});
        if (!sq.labels()) {
            return new SequenceBatch(f, null, s.array(1).view(n, new long[] {lb}), null);
        }
        int w = sq.labelWidth();
        INDArray l = s.array(1).view(n, ncw ? new long[] {w, lb} : new long[] {lb, w});
        return new SequenceBatch(f, l, s.array(2).view(n, new long[] {lb}), s.array(3).view(n, new long[] {lb}));
    }
}
