package org.multitables4j.reader;

import java.util.Arrays;

/**
 * Which rows of a dataset to read, in the order they land in the stage: a slice, an index array
 * (any order, repeats allowed) or a boolean mask. Immutable; made by {@link Hdf5Dataset}.
 */
public final class Request {
    private final Hdf5Dataset dataset;
    private final long start;
    private final long[] rows;
    private final int count;
    private final int from;
    private final int to;

    Request(Hdf5Dataset dataset, long start, long[] rows, int count) {
        this(dataset, start, rows, count, 0, -1);
    }

    private Request(Hdf5Dataset dataset, long start, long[] rows, int count, int from, int to) {
        this.dataset = dataset;
        this.start = start;
        this.rows = rows;
        this.count = count;
        this.from = from;
        this.to = to;
    }

    /**
     * Keeps only indices {@code [from, to)} of the last dimension, like numpy's
     * {@code x[rows, ..., from:to]}.
     *
     * @param from first index kept
     * @param to   end index (exclusive)
     * @return a new request
     */
    public Request select(int from, int to) {
        long[] shape = dataset.shape();
        long last = shape.length > 1 ? shape[shape.length - 1] : 1;
        if (shape.length < 2 || from < 0 || to > last || from >= to) {
            throw new IndexOutOfBoundsException("select [" + from + ", " + to + ") of the last dimension (" + last
                    + ") of '" + dataset.path() + "' " + Arrays.toString(shape));
        }
        return new Request(dataset, start, rows, count, from, to);
    }

    /** @return true when only part of the last dimension is read */
    boolean selected() {
        return to >= 0;
    }

    int selectFrom() {
        return from;
    }

    int selectTo() {
        return to;
    }

    /** @return the shape of one delivered row */
    long[] deliveredRowShape() {
        long[] r = dataset.rowShapeAtLeastOne();
        if (selected()) {
            r = r.clone();
            r[r.length - 1] = to - from;
        }
        return r;
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
        String sel = selected() ? ", ..., " + from + ":" + to : "";
        return rows == null ? dataset.path() + "[" + start + ":" + (start + count) + sel + "]"
                : dataset.path() + "[" + (count <= 8 ? Arrays.toString(rows) : count + " indexed rows") + sel + "]";
    }
}
