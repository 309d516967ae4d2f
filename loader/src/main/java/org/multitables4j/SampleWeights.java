package org.multitables4j;

import java.util.Arrays;
import java.util.List;
import org.multitables4j.internal.hdf5.ElementConverter;
import org.multitables4j.internal.hdf5.Hdf5Array;
import org.multitables4j.internal.hdf5.Hdf5File;
import org.nd4j.linalg.api.buffer.DataType;

/** The per-row weights of {@link Order#RANDOM_WITH_REPLACEMENT}: read, checked, summed up. */
final class SampleWeights {
    private SampleWeights() {
    }

    /**
     * @param cfg   the options ({@code sampleWeights})
     * @param files the files, in row order
     * @param rows  rows of the logical dataset
     * @param where the file(s), for messages
     * @return the cumulative weights, or null for a uniform draw
     */
    static double[] cumulative(StreamOptions<?> cfg, List<Hdf5File> files, long rows, String where) {
        double[] w = cfg.sampleWeights;
        if (cfg.sampleWeightsPath != null) {
            if (rows > Integer.MAX_VALUE - 8) {
                throw new InvalidConfigurationException("sample weights support at most 2^31 - 9 rows" + where);
            }
            w = new double[(int) rows];
            int at = 0;
            for (Hdf5File f : files) {
                Hdf5Array a = f.array(cfg.sampleWeightsPath);
                if (a.rowElements() != 1 || at + a.rows() > rows) {
                    throw new InvalidConfigurationException("sample weights '" + cfg.sampleWeightsPath + "' must hold one value per row ("
                            + rows + " in all), not shape " + Arrays.toString(a.shape()) + " (" + f.name() + ")");
                }
                java.nio.ByteBuffer block = java.nio.ByteBuffer.allocateDirect(a.blockBytes());
                java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(8 * a.blockRows()).order(java.nio.ByteOrder.nativeOrder());
                try (org.multitables4j.internal.hdf5.BlockDecoder dec = new org.multitables4j.internal.hdf5.BlockDecoder()) {
                    for (int b = 0; b < a.blockCount(); b++) {
                        a.readBlock(b, dec, block);
                        int n = a.rowsInBlock(b);
                        ElementConverter.convert(block.order(a.elementType().byteOrder()), 0, a.elementType(), out, 0, DataType.DOUBLE, n);
                        for (int i = 0; i < n; i++) {
                            w[at + b * a.blockRows() + i] = out.getDouble(8 * i);
                        }
                    }
                }
                at += (int) a.rows();
            }
            if (at != rows) {
                throw new InvalidConfigurationException("sample weights '" + cfg.sampleWeightsPath + "' hold " + at
                        + " values for " + rows + " rows" + where);
            }
        }
        if (w == null) {
            return null;
        }
        if (w.length != rows) {
            throw new InvalidConfigurationException(w.length + " sample weights for " + rows + " rows" + where);
        }
        return check(w, cfg.sampleWeightsPath == null ? "sampleWeights" : "sampleWeights('" + cfg.sampleWeightsPath + "')",
                where);
    }

    /**
     * Checks weights and sums them up.
     *
     * @param w     one weight per row
     * @param what  the option, for messages
     * @param where the file, for messages
     * @return the cumulative weights
     * @throws InvalidConfigurationException for a negative, NaN or infinite weight, or a zero sum
     */
    static double[] check(double[] w, String what, String where) {
        double[] c = new double[w.length];
        double sum = 0;
        for (int i = 0; i < w.length; i++) {
            double x = w[i];
            if (!(x >= 0) || Double.isInfinite(x)) {
                throw new InvalidConfigurationException(what + ": the weight of row " + i + " is " + x
                        + "; weights must be finite and not negative" + where);
            }
            sum += x;
            c[i] = sum;
        }
        if (!(sum > 0) || Double.isInfinite(sum)) {
            throw new InvalidConfigurationException(what + ": the weights sum to " + sum
                    + "; at least one row needs a positive weight" + where);
        }
        return c;
    }


    /**
     * @param cumulative cumulative weights of all rows, or null
     * @param from       first row of the served range
     * @param rows       rows in the range
     * @return the cumulative weights of rows {@code [from, from + rows)} alone (the same array when
     *     the range is the whole dataset)
     */
    static double[] narrow(double[] cumulative, long from, long rows) {
        if (cumulative == null || (from == 0 && rows == cumulative.length)) {
            return cumulative;
        }
        double base = from == 0 ? 0 : cumulative[(int) from - 1];
        double[] r = new double[(int) rows];
        for (int i = 0; i < r.length; i++) {
            r[i] = cumulative[(int) from + i] - base;
        }
        if (r[r.length - 1] <= 0) {
            throw new InvalidConfigurationException("the sample weights of rows [" + from + ", " + (from + rows)
                    + ") are all zero");
        }
        return r;
    }
}
