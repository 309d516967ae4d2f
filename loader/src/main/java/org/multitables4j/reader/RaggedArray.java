package org.multitables4j.reader;

import org.nd4j.linalg.api.buffer.DataType;
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

    /** @return the length of the longest row (0 when there is none) */
    public long maxLength() {
        long m = 0;
        for (int i = 0; i < rows(); i++) {
            m = Math.max(m, length(i));
        }
        return m;
    }

    /**
     * The rows padded at the end to a common length, for a recurrent network (DL4J's
     * {@code ALIGN_START}: every sequence starts at step 0), with {@link #mask(long)} marking
     * the real steps.
     *
     * @param steps the length of every padded row, at least {@link #maxLength()}
     * @return {@code [rows, steps]} in the values' type: row {@code i}'s elements, then zeros
     * @throws IndexOutOfRangeException if a row is longer than {@code steps}
     */
    public INDArray padded(long steps) {
        checkSteps(steps);
        INDArray out = Nd4j.zeros(values.dataType(), rows(), steps);
        for (int i = 0; i < rows(); i++) {
            if (length(i) > 0) {
                out.get(NDArrayIndex.point(i), NDArrayIndex.interval(0, length(i))).assign(row(i));
            }
        }
        return out;
    }

    /**
     * @param steps the length of every padded row, at least {@link #maxLength()}
     * @return {@code [rows, steps]} FLOAT: 1 at the steps a row has, 0 at its padding (DL4J's
     *     features mask for {@link #padded(long)})
     * @throws IndexOutOfRangeException if a row is longer than {@code steps}
     */
    public INDArray mask(long steps) {
        checkSteps(steps);
        INDArray m = Nd4j.zeros(DataType.FLOAT, rows(), steps);
        for (int i = 0; i < rows(); i++) {
            if (length(i) > 0) {
                m.get(NDArrayIndex.point(i), NDArrayIndex.interval(0, length(i))).assign(1);
            }
        }
        return m;
    }

    private void checkSteps(long steps) {
        if (steps < maxLength()) {
            throw new IndexOutOfRangeException("padding to " + steps + " steps: a row of this ragged array has "
                    + maxLength());
        }
    }

    @Override
    public String toString() {
        return "RaggedArray[" + rows() + " rows, " + (offsets[offsets.length - 1]) + " values]";
    }
}
