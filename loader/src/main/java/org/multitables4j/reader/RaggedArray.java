package org.multitables4j.reader;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Rows of different lengths (variable-length sequences) as one flat array of values plus
 * offsets: row {@code i} is {@code values[offsets[i] .. offsets[i + 1])}, as a ragged tensor's
 * values and row splits. Detached from the file.
 */
public final class RaggedArray {
    private final INDArray values;
    private final long[] offsets;
    private final long[] coordinates;

    RaggedArray(INDArray values, long[] offsets, long[] coordinates) {
        this.values = values;
        this.offsets = offsets;
        this.coordinates = coordinates;
    }

    /** @return rows held */
    public int rows() {
        return offsets.length - 1;
    }

    /** @return every row's elements one after the other: a vector in the stored type where ND4J has it */
    public INDArray values() {
        return values;
    }

    /** @return {@code rows() + 1} offsets into {@link #values()}: row {@code i} starts at {@code offsets[i]} */
    public long[] offsets() {
        return offsets.clone();
    }

    /** @return the dataset rows held, in order */
    public long[] coordinates() {
        return coordinates.clone();
    }

    /**
     * @param i a row of this array, {@code 0 <= i < rows()}
     * @return its length
     */
    public long length(int i) {
        return offsets[i + 1] - offsets[i];
    }

    /**
     * @param i a row of this array, {@code 0 <= i < rows()}
     * @return a view of its elements (a vector; empty for an empty row)
     */
    public INDArray row(int i) {
        if (i < 0 || i >= rows()) {
            throw new IndexOutOfRangeException("row " + i + " of a ragged array of " + rows() + " rows");
        }
        if (length(i) == 0) {
            return Nd4j.create(values.dataType(), 0);
        }
        return values.get(NDArrayIndex.interval(offsets[i], offsets[i + 1]));
    }

    @Override
    public String toString() {
        return "RaggedArray[" + rows() + " rows, " + (offsets[offsets.length - 1]) + " values]";
    }
}
