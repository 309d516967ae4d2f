package org.multitables4j;

import org.multitables4j.internal.ring.Slot;
import org.multitables4j.internal.ring.SlotArray;
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
record SequenceBatch(INDArray[] features, INDArray[] labels, INDArray[] featuresMasks, INDArray[] labelsMasks) {
    /**
     * @param s  a filled slot laid out by {@link SequenceArrays#specs()}
     * @param sq the layout
     * @return the views
     */
    static SequenceBatch of(Slot s, SequenceArrays sq) {
        int n = s.rows();
        SlotArray lengths = s.array(s.arrays() - 1);
        boolean dbl = lengths.spec().type() == DataType.DOUBLE;
        int lb = 0;
        for (int k = 0; k < n; k++) {
            lb = Math.max(lb, (int) (dbl ? lengths.memory().getDouble(8 * k) : lengths.memory().getFloat(4 * k)));
        }
        boolean ncw = sq.format() == SequenceFormat.NCW;
        int ni = sq.inputs();
        int no = sq.outputs();
        INDArray[] f = new INDArray[ni];
        INDArray[] l = new INDArray[no];
        INDArray[] fm = new INDArray[ni];
        INDArray[] lm = new INDArray[no];
        for (int i = 0; i < ni; i++) {
            int w = sq.features(i);
            f[i] = s.array(i).view(n, ncw ? new long[] {w, lb} : new long[] {lb, w});
            fm[i] = s.array(ni + no + i).view(n, new long[] {lb});
        }
        for (int j = 0; j < no; j++) {
            int w = sq.labelWidth(j);
            l[j] = s.array(ni + j).view(n, ncw ? new long[] {w, lb} : new long[] {lb, w});
            lm[j] = s.array(2 * ni + no + j).view(n, new long[] {lb});
        }
        return new SequenceBatch(f, l, fm, lm);
    }
}
