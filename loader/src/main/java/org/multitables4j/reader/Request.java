package org.multitables4j.reader;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Which elements of a dataset to read, as numpy indexes them: rows (a slice, a scalar row, an
 * index array in any order with repeats, or a boolean mask; made by {@link Hdf5Dataset}), and per
 * inner dimension a range, a range with a step, an index list, a boolean mask or a scalar index
 * ({@code x[30:35, 2:5]}, {@code x[a:b, ::2, [1, 3]]}, {@code x[mask, :, 2]}). Immutable: each
 * {@code select} or {@link #at} returns a new request.
 *
 * <h2>Dimensions and indices</h2>
 * Dimensions are numbered as numpy axes: dimension 0 indexes rows, dimensions
 * {@code 1 .. rank-1} are inner dimensions; a negative dimension counts from the end ({@code -1}
 * is the last). A negative index counts from the end of its dimension, as in numpy ({@code -1}
 * is the last element). Indices are always those of the stored dataset: selecting a dimension
 * again replaces its selection. Unlike numpy, which clips a slice to the dimension, a range that
 * leaves the dimension or is empty is refused; every index error is an
 * {@link IndexOutOfRangeException} naming the dimension, its size and the dataset.
 *
 * <h2>Delivered shape</h2>
 * The delivered array has numpy's shape ({@link #shape()}): {@code [rows, d1', d2', ...]} where
 * {@code dk'} is the number of indices selected in dimension {@code k} (the whole dimension when
 * none was selected); a scalar index ({@link Hdf5Dataset#row(long)}, {@link #at(int, long)})
 * drops its dimension. A dataset of one dimension delivers {@code [rows, 1]} for a row selection
 * (the stage's layout) and a one-element vector {@code [1]} for a scalar row. The reader copies
 * runs of consecutive stored elements (a selected range together with every whole dimension
 * inside it), not single elements, where the selection allows. A stage holds a request when the
 * request's delivered bytes fit the stage's bytes, so a stage of {@code n} rows holds more than
 * {@code n} narrowed rows.
 */
public final class Request {
    private final Hdf5Dataset dataset;
    private final long start;
    private final long[] rows;
    private final int count;
    private final boolean scalarRow;
    /** Per inner dimension (index 0 is dimension 1): the stored indices kept, null for the whole dimension; null when none is selected. */
    private final long[][] index;
    /** Per inner dimension: true for a scalar index (the dimension is dropped). */
    private final boolean[] drop;
    private volatile Runs runs;

    /** Where a delivered row's elements come from: runs of {@code length} elements at {@code offsets}. */
    record Runs(int[] offsets, int length, org.multitables4j.internal.workers.RowSelection selection) {
        /** @return elements of one delivered row */
        int elements() {
            return offsets.length * length;
        }
    }

    Request(Hdf5Dataset dataset, long start, long[] rows, int count) {
        this(dataset, start, rows, count, false, null, null);
    }

    private Request(Hdf5Dataset dataset, long start, long[] rows, int count, boolean scalarRow, long[][] index,
                    boolean[] drop) {
        this.dataset = dataset;
        this.start = start;
        this.rows = rows;
        this.count = count;
        this.scalarRow = scalarRow;
        this.index = index;
        this.drop = drop;
    }

    /** @return the same rows, delivered without the row dimension (numpy's {@code x[r]}) */
    Request scalar() {
        return new Request(dataset, start, rows, count, true, index, drop);
    }

    /**
     * Keeps only indices {@code [from, to)} of the last dimension, like numpy's
     * {@code x[rows, ..., from:to]}; the same as {@code select(-1, from, to)}.
     *
     * @param from first index kept (negative: counted from the end)
     * @param to   end index, exclusive (negative: counted from the end)
     * @return a new request
     * @throws IndexOutOfRangeException if the dataset has no inner dimension or the range is empty
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
     * @param from first index kept (negative: counted from the end)
     * @param to   end index, exclusive (negative: counted from the end); after counting,
     *             {@code 0 <= from < to <= size of the dimension}
     * @return a new request
     * @throws IndexOutOfRangeException for a dimension that is not an inner dimension of the dataset,
     *     or a range that is empty or leaves the dimension
     */
    public Request select(int dim, long from, long to) {
        return select(dim, from, to, 1);
    }

    /**
     * Keeps indices {@code from, from + step, ...} below {@code to} of one inner dimension, like
     * numpy's {@code x[rows, ..., from:to:step, ...]}.
     *
     * @param dim  the dimension (as {@link #select(int, long, long)})
     * @param from first index kept (negative: counted from the end)
     * @param to   end index, exclusive (negative: counted from the end)
     * @param step distance between kept indices, at least 1
     * @return a new request
     * @throws IndexOutOfRangeException for a bad dimension, a step below 1, or a range that is empty
     *     or leaves the dimension
     */
    public Request select(int dim, long from, long to, long step) {
        int d = innerDim(dim, "select(" + dim + ", " + from + ", " + to + (step == 1 ? "" : ", " + step) + ")");
        long size = dataset.shape()[d];
        long f = from < 0 ? from + size : from;
        long t = to < 0 ? to + size : to;
        String what = "select(" + dim + ", " + from + ", " + to + (step == 1 ? "" : ", " + step) + ")";
        if (step < 1) {
            throw new IndexOutOfRangeException(what + ": the step must be at least 1 (dimension " + d + " of '"
                    + dataset.path() + "' " + Arrays.toString(dataset.shape()) + ")");
        }
        if (f < 0 || t > size || f >= t) {
            throw new IndexOutOfRangeException(what + ": the range [" + from + ", " + to + ") "
                    + (f >= t && f >= 0 && t <= size ? "is empty" : "leaves dimension " + d + " of size " + size)
                    + " of '" + dataset.path() + "' " + Arrays.toString(dataset.shape()));
        }
        long[] idx = new long[(int) ((t - f + step - 1) / step)];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = f + i * step;
        }
        return with(d, idx, false);
    }

    /**
     * Keeps the listed indices of one inner dimension, in that order (repeats allowed), like
     * numpy's {@code x[rows, ..., [1, 3], ...]}.
     *
     * @param dim     the dimension (as {@link #select(int, long, long)})
     * @param indices the indices kept, at least one (negative: counted from the end)
     * @return a new request
     * @throws IndexOutOfRangeException for a bad dimension, no index, or an index outside the dimension
     */
    public Request select(int dim, long[] indices) {
        String what = "select(" + dim + ", " + (indices.length <= 8 ? Arrays.toString(indices) : indices.length + " indices") + ")";
        int d = innerDim(dim, what);
        if (indices.length == 0) {
            throw new IndexOutOfRangeException(what + ": no index selected in dimension " + d + " of '" + dataset.path() + "'");
        }
        long size = dataset.shape()[d];
        long[] idx = new long[indices.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = checkIndex(indices[i], size, d, what);
        }
        return with(d, idx, false);
    }

    /**
     * Keeps the indices of one inner dimension whose flag is set, like numpy's
     * {@code x[rows, ..., mask, ...]}.
     *
     * @param dim  the dimension (as {@link #select(int, long, long)})
     * @param mask one flag per index of the dimension, at least one set
     * @return a new request
     * @throws IndexOutOfRangeException for a bad dimension, a mask whose length is not the
     *     dimension's size, or a mask with no flag set
     */
    public Request select(int dim, boolean[] mask) {
        String what = "select(" + dim + ", mask of " + mask.length + ")";
        int d = innerDim(dim, what);
        long size = dataset.shape()[d];
        if (mask.length != size) {
            throw new IndexOutOfRangeException(what + ": dimension " + d + " of '" + dataset.path() + "' "
                    + Arrays.toString(dataset.shape()) + " has " + size + " indices");
        }
        int n = 0;
        long[] idx = new long[mask.length];
        for (int i = 0; i < mask.length; i++) {
            if (mask[i]) {
                idx[n++] = i;
            }
        }
        if (n == 0) {
            throw new IndexOutOfRangeException(what + ": no index of dimension " + d + " of '" + dataset.path() + "' is set");
        }
        return with(d, Arrays.copyOf(idx, n), false);
    }

    /**
     * Keeps one index of an inner dimension and drops the dimension, like numpy's
     * {@code x[rows, ..., 2, ...]}.
     *
     * @param dim   the dimension (as {@link #select(int, long, long)})
     * @param index the index (negative: counted from the end)
     * @return a new request
     * @throws IndexOutOfRangeException for a bad dimension or an index outside it
     */
    public Request at(int dim, long index) {
        String what = "at(" + dim + ", " + index + ")";
        int d = innerDim(dim, what);
        return with(d, new long[] {checkIndex(index, dataset.shape()[d], d, what)}, true);
    }

    private long checkIndex(long i, long size, int d, String what) {
        long k = i < 0 ? i + size : i;
        if (k < 0 || k >= size) {
            throw new IndexOutOfRangeException(what + ": index " + i + " is outside dimension " + d + " of size " + size
                    + " of '" + dataset.path() + "' " + Arrays.toString(dataset.shape()));
        }
        return k;
    }

    private int innerDim(int dim, String what) {
        long[] shape = dataset.shape();
        int rank = shape.length;
        int d = dim < 0 ? rank + dim : dim;
        if (rank < 2 || d < 1 || d >= rank) {
            String dims = rank < 2 ? "no inner dimension" : "inner dimensions 1.." + (rank - 1) + " (or -" + (rank - 1) + "..-1)";
            throw new IndexOutOfRangeException(what + ": '" + dataset.path() + "' " + Arrays.toString(shape) + " has " + dims
                    + (d == 0 ? "; choose rows with Hdf5Dataset.rows, row or mask" : ""));
        }
        return d;
    }

    private Request with(int d, long[] idx, boolean scalar) {
        int m = dataset.shape().length - 1;
        long[][] ni = index == null ? new long[m][] : index.clone();
        boolean[] nd = drop == null ? new boolean[m] : drop.clone();
        boolean whole = !scalar && idx.length == dataset.shape()[d];
        for (int i = 0; whole && i < idx.length; i++) {
            whole = idx[i] == i;
        }
        ni[d - 1] = whole ? null : idx;
        nd[d - 1] = scalar;
        return new Request(dataset, start, rows, count, scalarRow, ni, nd);
    }

    /** @return true when part of some inner dimension is read, or a dimension is dropped */
    boolean selected() {
        if (scalarRow) {
            return true;
        }
        if (index != null) {
            for (int d = 0; d < index.length; d++) {
                if (index[d] != null || drop[d]) {
                    return true;
                }
            }
        }
        return false;
    }

    /** @return per delivered row, the number of indices kept in each inner dimension (dropped ones as 1) */
    long[] deliveredRowShape() {
        long[] r = dataset.rowShapeAtLeastOne().clone();
        if (index != null) {
            for (int d = 0; d < index.length; d++) {
                if (index[d] != null) {
                    r[d] = index[d].length;
                }
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
     * @return numpy's shape of the delivered array: {@code [rows, row shape...]}, each inner
     *     dimension narrowed to its selection, scalar-indexed dimensions (and the rows, for a
     *     scalar row) dropped; a dataset of one dimension delivers {@code [rows, 1]} for rows and
     *     {@code [1]} for a scalar row
     */
    public long[] shape() {
        long[] r = deliveredRowShape();
        long[] s = new long[r.length + 1];
        int n = 0;
        if (!scalarRow) {
            s[n++] = count;
        }
        for (int d = 0; d < r.length; d++) {
            if (drop == null || !drop[d]) {
                s[n++] = r[d];
            }
        }
        if (n == 0) {
            return new long[] {1};
        }
        return Arrays.copyOf(s, n);
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

    private long[] kept(int d, long size) {
        long[] k = index == null ? null : index[d];
        if (k != null) {
            return k;
        }
        long[] all = new long[(int) size];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        return all;
    }

    private Runs makeRuns() {
        long[] s = dataset.rowShapeAtLeastOne();
        int elements = (int) dataset.array().rowElements();
        int m = s.length;
        // the innermost dimensions read whole join the run
        int t = m - 1;
        long inner = 1;
        while (t >= 0 && (index == null || index[t] == null)) {
            inner *= s[t];
            t--;
        }
        if (t < 0) {
            return new Runs(new int[] {0}, elements, new org.multitables4j.internal.workers.RowSelection(new int[] {0}, elements, true));
        }
        long[] stride = new long[m];
        long st = 1;
        for (int d = m - 1; d >= 0; d--) {
            stride[d] = st;
            st *= s[d];
        }
        // the next dimension outwards joins too when its indices are consecutive
        long[] own = index[t];
        boolean consecutive = true;
        for (int i = 1; i < own.length && consecutive; i++) {
            consecutive = own[i] == own[i - 1] + 1;
        }
        int last = consecutive ? t - 1 : t;
        long length = consecutive ? own.length * inner : inner;
        long base = consecutive ? own[0] * stride[t] : 0;
        long[][] keep = new long[last + 1][];
        int n = 1;
        for (int d = 0; d <= last; d++) {
            keep[d] = kept(d, s[d]);
            n = Math.multiplyExact(n, keep[d].length);
        }
        int[] offsets = new int[n];
        int[] pos = new int[last + 1];
        for (int i = 0; i < n; i++) {
            long off = base;
            for (int d = 0; d <= last; d++) {
                off += keep[d][pos[d]] * stride[d];
            }
            offsets[i] = (int) off;
            // odometer over the dimensions outside the run
            for (int d = last; d >= 0; d--) {
                if (++pos[d] < keep[d].length) {
                    break;
                }
                pos[d] = 0;
            }
        }
        return new Runs(offsets, (int) length, new org.multitables4j.internal.workers.RowSelection(offsets, (int) length, false));
    }

    /** @return the elements of a row delivered, for the gather (null: the whole row) */
    org.multitables4j.internal.workers.RowSelection selection() {
        Runs r = runs();
        return r.selection().whole() ? null : r.selection();
    }

    /** @return the dataset */
    public Hdf5Dataset dataset() {
        return dataset;
    }

    /** @return rows requested (1 for a scalar row) */
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

    private static boolean progression(long[] k) {
        for (int i = 2; i < k.length; i++) {
            if (k[i] - k[i - 1] != k[1] - k[0]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        StringBuilder sel = new StringBuilder();
        if (index != null) {
            for (int d = 0; d < index.length; d++) {
                sel.append(", ");
                long[] k = index[d];
                if (k == null) {
                    sel.append(':');
                } else if (drop[d]) {
                    sel.append(k[0]);
                } else if (k.length > 1 && k[1] > k[0] && progression(k)) {
                    long step = k[1] - k[0];
                    sel.append(k[0]).append(':').append(k[k.length - 1] + 1);
                    if (step != 1) {
                        sel.append(':').append(step);
                    }
                } else if (k.length <= 8) {
                    sel.append(Arrays.toString(k));
                } else {
                    sel.append(k.length).append(" indices");
                }
            }
        }
        String r;
        if (scalarRow) {
            r = Long.toString(row(0));
        } else if (rows == null) {
            r = start + ":" + (start + count);
        } else {
            r = count <= 8 ? Arrays.toString(rows) : count + " indexed rows";
        }
        return dataset.path() + "[" + r + sel + "]";
    }
}
