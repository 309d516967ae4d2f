package org.multitables4j;

import java.util.Arrays;

/**
 * Per-column count, mean, sum of squared deviations, minimum and maximum of a stream of rows,
 * accumulated block by block: each block's sums of deviations from its first row and of their
 * squares are taken in one pass (in double), and blocks are merged with Chan et al.'s pairwise
 * update, which keeps the variance accurate over any number of rows. Not thread-safe: one per thread,
 * merged at the end.
 */
final class ColumnMoments {
    private final int columns;
    private long count;
    private final double[] mean;
    private final double[] m2;
    private final double[] min;
    private final double[] max;
    private final double[] blockMean;
    private final double[] blockSum;
    private final double[] blockM2;
    private final double[] blockMin;
    private final double[] blockMax;

    /** @param columns values per row */
    ColumnMoments(int columns) {
        this.columns = columns;
        this.mean = new double[columns];
        this.m2 = new double[columns];
        this.min = new double[columns];
        this.max = new double[columns];
        Arrays.fill(min, Double.POSITIVE_INFINITY);
        Arrays.fill(max, Double.NEGATIVE_INFINITY);
        this.blockMean = new double[columns];
        this.blockSum = new double[columns];
        this.blockM2 = new double[columns];
        this.blockMin = new double[columns];
        this.blockMax = new double[columns];
    }

    /**
     * Adds {@code rows} rows of {@code columns} values each, row after row from index 0 of
     * {@code v}. A NaN makes the column's statistics NaN, as numpy's do.
     */
    void add(double[] v, int rows) {
        if (rows == 0) {
            return;
        }
        int c = columns;
        // one pass: sums of the deviations from the block's first row (a shift that keeps the
        // squares small whatever the column's offset), minimum and maximum
        double[] shift = blockMean;
        System.arraycopy(v, 0, shift, 0, c);
        System.arraycopy(v, 0, blockMin, 0, c);
        System.arraycopy(v, 0, blockMax, 0, c);
        Arrays.fill(blockSum, 0);
        Arrays.fill(blockM2, 0);
        for (int r = 1; r < rows; r++) {
            int at = r * c;
            for (int j = 0; j < c; j++) {
                double x = v[at + j];
                double d = x - shift[j];
                blockSum[j] += d;
                blockM2[j] += d * d;
                blockMin[j] = Math.min(blockMin[j], x); // NaN stays NaN, as numpy's minimum
                blockMax[j] = Math.max(blockMax[j], x);
            }
        }
        for (int j = 0; j < c; j++) {
            double s = blockSum[j];
            blockMean[j] = shift[j] + s / rows;
            blockM2[j] -= s * s / rows;
        }
        merge(rows, blockMean, blockM2, blockMin, blockMax);
    }

    /** Merges another accumulator's rows into this one. */
    void add(ColumnMoments o) {
        if (o.count > 0) {
            merge(o.count, o.mean, o.m2, o.min, o.max);
        }
    }

    private void merge(long nb, double[] meanB, double[] m2B, double[] minB, double[] maxB) {
        long na = count;
        long n = na + nb;
        double wb = (double) nb / n;
        double cross = (double) na * nb / n;
        for (int j = 0; j < columns; j++) {
            double delta = meanB[j] - mean[j];
            mean[j] += delta * wb;
            m2[j] += m2B[j] + delta * delta * cross;
            min[j] = Math.min(min[j], minB[j]);
            max[j] = Math.max(max[j], maxB[j]);
        }
        count = n;
    }

    long count() {
        return count;
    }

    double[] mean() {
        return mean.clone();
    }

    /** @return the population standard deviation (numpy's default {@code ddof=0}) */
    double[] std() {
        double[] s = new double[columns];
        for (int j = 0; j < columns; j++) {
            s[j] = Math.sqrt(m2[j] / count);
        }
        return s;
    }

    double[] min() {
        return min.clone();
    }

    double[] max() {
        return max.clone();
    }
}
