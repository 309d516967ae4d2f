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

    Request(Hdf5Dataset dataset, long start, long[] rows, int count) {
        this.dataset = dataset;
        this.start = start;
        this.rows = rows;
        this.count = count;
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
        return rows == null ? dataset.path() + "[" + start + ":" + (start + count) + "]"
                : dataset.path() + "[" + (count <= 8 ? Arrays.toString(rows) : count + " indexed rows") + "]";
    }
}
