package org.multitables4j.reader;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Which rows of a dataset to read, in the order they land in the stage: a slice, an index array
 * (any order, repeats allowed) or a boolean mask; optionally narrowed to a range of any inner
 * dimension, like numpy's {@code x[30:35, ..., :100]} or {@code x[rows, 2:5, :, 1:3]}.
 * Immutable; made by {@link Hdf5Dataset}.
 *
 * <h2>Inner dimensions</h2>
 * Dimensions are numbered as numpy axes: dimension 0 indexes rows (chosen by the
 * {@link Hdf5Dataset} method that made the request), dimensions {@code 1 .. rank-1} are the inner
 * dimensions that {@link #select(int, long, long)} narrows; a negative dimension counts from the
 * end ({@code -1} is the last). Ranges are half-open, with step 1, and always in the indices of
 * the stored dataset: selecting a dimension again replaces its range. Unlike numpy, which clips a
 * slice to the dimension, a range that leaves the dimension or is empty is refused with an
 * {@link IndexOutOfBoundsException} naming the dimension, its size and the dataset.
 *
 * <p>The delivered array has the shape {@code [rows, d1', d2', ...]} ({@link #shape()}), where
 * {@code dk'} is the length of the range selected in dimension {@code k} (the whole dimension
 * when none was selected). The reader copies runs of consecutive stored elements (a selected
 * dimension together with every whole dimension inside it), not single elements. A stage holds a
 * request when the request's delivered bytes fit the stage's bytes, so a stage of {@code n} rows
 * holds more than {@code n} narrowed rows.
 */
public final class Request {
    private final Hdf5Dataset dataset;
    private final long start;
    private final long[] rows;
    private final int count;
    /** Per inner dimension (index 0 is dimension 1): first index kept; null when whole rows are read. */
    private final long[] lo;
    /** Per inner dimension: end index (exclusive). */
    private final long[] hi;
    private final boolean narrowed;
    private volatile Runs runs;

    /** Where a delivered row's elements come from: runs of {@code length} elements at {@code offsets}. */
    record Runs(int[] offsets, int length, org.multitables4j.workers.RowSelection selection) {
        /** @return elements of one delivered row */
        int elements() {
            return offsets.length * length;
        }
    }

    Request(Hdf5Dataset dataset, long start, long[] rows, int count) {
        this(dataset, start, rows, count, null, null);
    }

    private Request(Hdf5Dataset dataset, long start, long[] rows, int count, long[] lo, long[] hi) {
        this.dataset = dataset;
        this.start = start;
        this.rows = rows;
        this.count = count;
        this.lo = lo;
        this.hi = hi;
        boolean n = false;
        if (lo != null) {
            long[] shape = dataset.shape();
            for (int d = 0; d < lo.length; d++) {
                n |= lo[d] != 0 || hi[d] != shape[d + 1];
            }
        }
        this.narrowed = n;
    }

    /**
     * Keeps only indices {@code [from, to)} of the last dimension, like numpy's
     * {@code x[rows, ..., from:to]}; the same as {@code select(-1, from, to)}.
     *
     * @param from first index kept
     * @param to   end index (exclusive)
     * @return a new request
     * @throws IndexOutOfBoundsException if the dataset has no inner dimension or the range is empty
     *     or outside the last dimension
     */
    public Request select(int from, int to) {
        return select(-1, from, to);
    }

    /**
     * Keeps only indices {@code [from, to)} of one inner dimension, like numpy's
     * {@code x[rows, ..., from:to, ...]}; the other dimensions keep their selection.
     *
     * @param dim  the dimension as a numpy axis: {@code 1} is the first inner dimension,
     *             {@code rank - 1} the last; negative values count from the end ({@code -1} is the
     *             last dimension). Dimension 0 (rows) cannot be selected here.
     * @param from first index kept, in the stored dimension ({@code 0 <= from})
     * @param to   end index, exclusive ({@code from < to <= size of the dimension})
     * @return a new request
     * @throws IndexOutOfBoundsException for a dimension that is not an inner dimension of the dataset,
     *     or a range that is empty or leaves the dimension
     */
    public Request select(int dim, long from, long to) {
        long[] shape = dataset.shape();
        int rank = shape.length;
        int d = dim < 0 ? rank + dim : dim;
        if (rank < 2 || d < 1 || d >= rank) {
            String dims = rank < 2 ? "no inner dimension" : "inner dimensions 1.." + (rank - 1) + " (or -" + (rank - 1) + "..-1)";
            throw new IndexOutOfBoundsException("select(" + dim + ", " + from + ", " + to + "): '" + dataset.path() + "' "
                    + Arrays.toString(shape) + " has " + dims + (d == 0 ? "; choose rows with Hdf5Dataset.rows or mask" : ""));
        }
        if (from < 0 || to > shape[d] || from >= to) {
            throw new IndexOutOfBoundsException("select(" + dim + ", " + from + ", " + to + "): the range [" + from + ", " + to
                    + ") " + (from >= to && from >= 0 && to <= shape[d] ? "is empty" : "leaves dimension " + d + " of size " + shape[d])
                    + " of '" + dataset.path() + "' " + Arrays.toString(shape));
        }
        long[] nlo = lo == null ? new long[rank - 1] : lo.clone();
        long[] nhi;
        if (hi == null) {
            nhi = Arrays.copyOfRange(shape, 1, rank);
        } else {
            nhi = hi.clone();
        }
        nlo[d - 1] = from;
        nhi[d - 1] = to;
        return new Request(dataset, start, rows, count, nlo, nhi);
    }

    /** @return true when part of some inner dimension is read */
    boolean selected() {
        return narrowed;
    }

    /** @return the shape of one delivered row (at least one dimension, as the stage's arrays) */
    long[] deliveredRowShape() {
        long[] r = dataset.rowShapeAtLeastOne().clone();
        if (lo != null) {
            for (int d = 0; d < lo.length; d++) {
                r[d] = hi[d] - lo[d];
            }
        }
        return r;
    }

    /**
     * @param type the element type of the stage
     * @return bytes one delivered row takes in a stage of that type
     */
    long deliveredRowBytes(DataType type) {
        return (long) runs().elements() * type.width();
    }

    /**
     * @return the shape of the delivered array: {@code [rows, row shape...]}, with each inner
     *     dimension narrowed to its selected range; a dataset of one dimension delivers {@code [rows, 1]}
     */
    public long[] shape() {
        long[] r = deliveredRowShape();
        long[] s = new long[r.length + 1];
        s[0] = count;
        System.arraycopy(r, 0, s, 1, r.length);
        return s;
    }

    /** Run table of a delivered row, made once. */
    Runs runs() {
        Runs r = runs;
        if (r == null) {
            r = makeRuns();
            runs = r;
        }
        return r;
    }

    private Runs makeRuns() {
        long[] shape = dataset.rowShapeAtLeastOne();
        org.multitables4j.workers.RowSelection sel = lo == null ? org.multitables4j.workers.RowSelection.all(shape)
                : org.multitables4j.workers.RowSelection.box(shape, lo, hi);
        return new Runs(sel.offsets(), sel.length(), sel);
    }

    /** @return the elements of a row delivered, for the gather (null: the whole row) */
    org.multitables4j.workers.RowSelection selection() {
        Runs r = runs();
        return r.selection().whole() ? null : r.selection();
    }

    /** @return the dataset */
    public Hdf5Dataset dataset() {
        return dataset;
    }

    /** @return rows requested */
    public int size() {
        return count;
    }

    /**
     * @param k position in the request
     * @return the dataset row at that position
     */
    long row(int k) {
        return rows == null ? start + k : rows[k];
    }

    /** @return true when the rows are consecutive */
    boolean contiguous() {
        return rows == null;
    }

    @Override
    public String toString() {
        StringBuilder sel = new StringBuilder();
        if (selected()) {
            long[] shape = dataset.shape();
            for (int d = 0; d < lo.length; d++) {
                sel.append(", ");
                if (lo[d] == 0 && hi[d] == shape[d + 1]) {
                    sel.append(':');
                } else {
                    sel.append(lo[d]).append(':').append(hi[d]);
                }
            }
        }
        return rows == null ? dataset.path() + "[" + start + ":" + (start + count) + sel + "]"
                : dataset.path() + "[" + (count <= 8 ? Arrays.toString(rows) : count + " indexed rows") + sel + "]";
    }
}
