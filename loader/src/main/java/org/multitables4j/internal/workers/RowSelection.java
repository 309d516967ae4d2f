package org.multitables4j.internal.workers;

import java.util.Arrays;

/**
 * The elements of a stored row that are delivered, as runs of consecutive elements: run
 * {@code i} starts at element {@code offsets[i]} of the row and is {@code length} long, and the
 * runs are delivered one after another. A box selection ({@code lo[d] <= index_d < hi[d]} on
 * every inner dimension) becomes few long runs: the innermost dimensions read whole join the run.
 *
 * @param offsets first element of every run, in delivery order
 * @param length  elements per run
 * @param whole   true when the selection is the whole row
 */
public record RowSelection(int[] offsets, int length, boolean whole) {
    /**
     * @param rowShape the stored row shape (at least one dimension)
     * @return the whole row
     */
    public static RowSelection all(long[] rowShape) {
        long n = 1;
        for (long d : rowShape) {
            n *= d;
        }
        return new RowSelection(new int[] {0}, Math.toIntExact(n), true);
    }

    /**
     * @param rowShape the stored row shape (at least one dimension)
     * @param lo       first index kept on every dimension of the row
     * @param hi       end (exclusive) on every dimension of the row
     * @return the runs of the box
     */
    public static RowSelection box(long[] rowShape, long[] lo, long[] hi) {
        int m = rowShape.length;
        int t = m - 1;
        long inner = 1;
        while (t >= 0 && lo[t] == 0 && hi[t] == rowShape[t]) {
            inner *= rowShape[t];
            t--;
        }
        if (t < 0) {
            return all(rowShape);
        }
        long[] stride = new long[m];
        long st = 1;
        for (int d = m - 1; d >= 0; d--) {
            stride[d] = st;
            st *= rowShape[d];
        }
        int length = Math.toIntExact((hi[t] - lo[t]) * inner);
        long base = 0;
        int n = 1;
        for (int d = 0; d <= t; d++) {
            base += lo[d] * stride[d];
            if (d < t) {
                n = Math.multiplyExact(n, (int) (hi[d] - lo[d]));
            }
        }
        int[] offsets = new int[n];
        long[] pos = new long[Math.max(t, 1)];
        long off = base;
        for (int i = 0; i < n; i++) {
            offsets[i] = (int) off;
            // odometer over the dimensions outside the run
            for (int d = t - 1; d >= 0; d--) {
                pos[d]++;
                off += stride[d];
                if (pos[d] < hi[d] - lo[d]) {
                    break;
                }
                off -= pos[d] * stride[d];
                pos[d] = 0;
            }
        }
        return new RowSelection(offsets, length, false);
    }

    /** @return delivered elements per row */
    public long elements() {
        return (long) offsets.length * length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RowSelection r && r.length == length && r.whole == whole && Arrays.equals(r.offsets, offsets);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(offsets) + length;
    }

    @Override
    public String toString() {
        return whole ? "all" : offsets.length + " runs of " + length;
    }
}
