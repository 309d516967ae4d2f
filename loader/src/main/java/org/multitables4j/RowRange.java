package org.multitables4j;

/**
 * The rows an iterator serves: {@code [from, to)} of the dataset, set by
 * {@link StreamOptions#rows(long, long)} or as fractions by
 * {@link StreamOptions#rowFraction(double, double)}, so that one file serves training and
 * validation without a copy. Every order, shard and resume works within the range.
 *
 * @param from      first row (rows), or -1 when given as a fraction
 * @param to        end row, exclusive (rows), -1 for the end of the dataset
 * @param fracFrom  first row as a fraction of the rows, or NaN
 * @param fracTo    end as a fraction of the rows, or NaN
 */
record RowRange(long from, long to, double fracFrom, double fracTo) {
    /** The whole dataset. */
    static final RowRange ALL = new RowRange(0, -1, Double.NaN, Double.NaN);

    static RowRange rows(long from, long to) {
        if (from < 0 || to <= from) {
            throw new InvalidConfigurationException("rows(from, to) needs 0 <= from < to, got [" + from + ", " + to + ")");
        }
        return new RowRange(from, to, Double.NaN, Double.NaN);
    }

    static RowRange fraction(double from, double to) {
        if (!(from >= 0 && from < to && to <= 1)) {
            throw new InvalidConfigurationException("rowFraction(from, to) needs 0 <= from < to <= 1, got [" + from + ", " + to + ")");
        }
        return new RowRange(-1, -1, from, to);
    }

    boolean whole() {
        return from == 0 && to < 0 && Double.isNaN(fracFrom);
    }

    /**
     * @param total rows of the dataset
     * @param where the file(s), for messages
     * @return {@code {first, end}} resolved against the dataset; a fraction rounds both ends down
     *     ({@code floor(f * total)}), so that ranges {@code [0, f)} and {@code [f, 1)} are disjoint
     *     and cover the rows
     */
    long[] resolve(long total, String where) {
        if (whole()) {
            return new long[] {0, total};
        }
        if (!Double.isNaN(fracFrom)) {
            long a = (long) Math.floor(fracFrom * total);
            long b = fracTo >= 1 ? total : (long) Math.floor(fracTo * total);
            if (b <= a) {
                throw new InvalidConfigurationException("rowFraction(" + fracFrom + ", " + fracTo + ") of " + total
                        + " rows is empty" + where);
            }
            return new long[] {a, b};
        }
        long b = to < 0 ? total : to;
        if (b > total || from >= b) {
            throw new InvalidConfigurationException("rows(" + from + ", " + to + ") is outside the " + total
                    + " rows of the dataset" + where);
        }
        return new long[] {from, b};
    }
}
