package org.multitables4j;

import java.util.Arrays;
import org.multitables4j.internal.workers.RowSelection;

/** Validates {@code selectFeatures(dim, from, to)} against a dataset's row shape and makes its runs. */
final class InnerSelection {
    private InnerSelection() {
    }

    /**
     * @param in       the input and its selections ({@code [dim, from, to]}, numpy axes: 1 is the
     *                 first inner dimension, negative counts from the end)
     * @param rowShape the stored row shape, at least one dimension
     * @param where    the file, for messages
     * @return the runs, or null when nothing is selected
     */
    static RowSelection of(StreamEngine.Input in, long[] rowShape, String where) {
        if (in.selections().isEmpty()) {
            return null;
        }
        long[][] box = box(in, rowShape, where);
        return RowSelection.box(rowShape, box[0], box[1]);
    }

    /**
     * @param in       the input
     * @param rowShape the stored row shape, at least one dimension
     * @return the delivered row shape
     */
    static long[] deliveredShape(StreamEngine.Input in, long[] rowShape) {
        if (in.selections().isEmpty()) {
            return rowShape;
        }
        long[][] box = box(in, rowShape, "");
        long[] r = new long[rowShape.length];
        for (int d = 0; d < r.length; d++) {
            r[d] = box[1][d] - box[0][d];
        }
        return r;
    }

    private static long[][] box(StreamEngine.Input in, long[] rowShape, String where) {
        long[] lo = new long[rowShape.length];
        long[] hi = rowShape.clone();
        int rank = rowShape.length + 1;
        for (long[] s : in.selections()) {
            int dim = (int) s[0];
            long from = s[1];
            long to = s[2];
            int d = dim < 0 ? rank + dim : dim;
            String call = "selectFeatures: select(" + dim + ", " + from + ", " + to + "): '" + in.path() + "' rows of shape "
                    + Arrays.toString(rowShape);
            if (d < 1 || d >= rank) {
                throw new InvalidConfigurationException(call + " have inner dimensions 1.." + (rank - 1) + " (or -"
                        + (rank - 1) + "..-1)" + where);
            }
            if (from < 0 || to > rowShape[d - 1] || from >= to) {
                throw new InvalidConfigurationException(call + ": the range [" + from + ", " + to + ") "
                        + (from >= to && from >= 0 && to <= rowShape[d - 1] ? "is empty"
                        : "leaves dimension " + d + " of size " + rowShape[d - 1]) + where);
            }
            lo[d - 1] = from;
            hi[d - 1] = to;
        }
        return new long[][] {lo, hi};
    }
}
