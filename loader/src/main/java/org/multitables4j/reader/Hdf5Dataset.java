package org.multitables4j.reader;

import java.util.Arrays;
import org.multitables4j.InvalidConfigurationException;
import org.multitables4j.internal.hdf5.Hdf5Array;
import org.multitables4j.internal.workers.BlockCache;
import org.nd4j.linalg.api.buffer.DataType;

/** One dataset of an {@link Hdf5Reader}: its description, stages and requests. Thread-safe. */
public final class Hdf5Dataset {
    private final Hdf5Reader reader;
    private final Hdf5Array array;
    /** The dataset's block store (LRU policy), shared with iterators built over the reader. */
    final BlockCache store;

    Hdf5Dataset(Hdf5Reader reader, Hdf5Array array, BlockCache store) {
        this.reader = reader;
        this.array = array;
        this.store = store;
    }

    Hdf5Array array() {
        return array;
    }

    Hdf5Reader reader() {
        return reader;
    }

    /** @return the dataset path */
    public String path() {
        return array.path();
    }

    /** @return the shape; rows first */
    public long[] shape() {
        return array.shape();
    }

    /** @return rows */
    public long rows() {
        return array.rows();
    }

    /** @return the stored element type, numpy-style (e.g. {@code <f4}) */
    public String dtype() {
        return array.elementType().toString();
    }

    /** @return the chunk shape, or null for contiguous and compact data */
    public int[] chunkShape() {
        return array.chunkShape();
    }

    long[] rowShapeAtLeastOne() {
        long[] s = array.rowShape();
        return s.length == 0 ? new long[] {1} : s;
    }

    /**
     * @param rows rows the stage holds
     * @return a FLOAT stage
     */
    public Stage createStage(int rows) {
        return createStage(rows, DataType.FLOAT);
    }

    /**
     * @param rows rows the stage holds
     * @param type FLOAT, DOUBLE or the stored type
     * @return a stage
     */
    public Stage createStage(int rows, DataType type) {
        if (rows < 1) {
            throw new InvalidConfigurationException("a stage holds at least one row, not " + rows);
        }
        if (!org.multitables4j.internal.hdf5.ElementConverter.supports(array.elementType(), type)) {
            throw new InvalidConfigurationException("'" + path() + "' stores " + dtype() + ", which cannot be staged as " + type);
        }
        return new Stage(this, rows, type);
    }

    /**
     * @param rows   rows per stage
     * @param stages number of stages
     * @return a pool of FLOAT stages
     */
    public StagePool createStagePool(int rows, int stages) {
        return createStagePool(rows, stages, DataType.FLOAT);
    }

    /**
     * @param rows   rows per stage
     * @param stages number of stages
     * @param type   FLOAT, DOUBLE or the stored type (as {@link #createStage(int, DataType)})
     * @return a pool of stages of that type
     */
    public StagePool createStagePool(int rows, int stages, DataType type) {
        return new StagePool(this, rows, stages, type);
    }

    private long checkRow(long r, String what) {
        long n = array.rows();
        long k = r < 0 ? r + n : r;
        if (k < 0 || k >= n) {
            throw new IndexOutOfRangeException(what + ": row " + r + " is outside the " + n + " rows of '" + path()
                    + "' in " + array.file().name());
        }
        return k;
    }

    private long[] checkSlice(long start, long end, String what) {
        long n = array.rows();
        long s = start < 0 ? start + n : start;
        long e = end < 0 ? end + n : end;
        if (s < 0 || e > n || s > e) {
            throw new IndexOutOfRangeException(what + ": the rows [" + start + ", " + end + ") leave the " + n
                    + " rows of '" + path() + "' in " + array.file().name());
        }
        return new long[] {s, e};
    }

    /**
     * One row without the row dimension, like numpy's {@code x[r]}: the delivered array has the
     * row's shape ({@code [1]} for a dataset of one dimension).
     *
     * @param row the row (negative: counted from the end, {@code -1} is the last)
     * @return the request
     * @throws IndexOutOfRangeException if the row is outside the dataset
     */
    public Request row(long row) {
        long k = checkRow(row, "row(" + row + ")");
        return new Request(this, k, null, 1).scalar();
    }

    /**
     * @param start first row (negative: counted from the end)
     * @param end   end row, exclusive (negative: counted from the end)
     * @return the slice {@code [start, end)}
     * @throws IndexOutOfRangeException if the slice leaves the dataset or ends before it starts
     */
    public Request rows(long start, long end) {
        long[] se = checkSlice(start, end, "rows(" + start + ", " + end + ")");
        if (se[1] - se[0] > Integer.MAX_VALUE - 8) {
            throw new InvalidConfigurationException("a request of " + (se[1] - se[0]) + " rows of '" + path() + "' is too large");
        }
        return new Request(this, se[0], null, (int) (se[1] - se[0]));
    }

    /**
     * Rows {@code start, start + step, ...} below {@code end}, like numpy's {@code x[start:end:step]}.
     *
     * @param start first row (negative: counted from the end)
     * @param end   end row, exclusive (negative: counted from the end)
     * @param step  distance between rows, at least 1
     * @return the request
     * @throws IndexOutOfRangeException for a step below 1 or a slice that leaves the dataset
     */
    public Request rows(long start, long end, long step) {
        String what = "rows(" + start + ", " + end + ", " + step + ")";
        if (step < 1) {
            throw new IndexOutOfRangeException(what + " of '" + path() + "': the step must be at least 1");
        }
        if (step == 1) {
            return rows(start, end);
        }
        long[] se = checkSlice(start, end, what);
        long n = (se[1] - se[0] + step - 1) / step;
        if (n > Integer.MAX_VALUE - 8) {
            throw new InvalidConfigurationException("a request of " + n + " rows of '" + path() + "' is too large");
        }
        long[] idx = new long[(int) n];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = se[0] + i * step;
        }
        return new Request(this, 0, idx, idx.length);
    }

    /**
     * @param indices rows, in the order wanted; repeats allowed; negative ones count from the end
     * @return the request
     * @throws IndexOutOfRangeException if a row is outside the dataset
     */
    public Request rows(long[] indices) {
        long[] idx = new long[indices.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = checkRow(indices[i], "rows(" + (indices.length <= 8 ? Arrays.toString(indices) : indices.length + " indices") + ")");
        }
        return new Request(this, 0, idx, idx.length);
    }

    /**
     * @param mask one flag per row; the rows whose flag is set, in order
     * @return the request
     * @throws IndexOutOfRangeException if the mask's length is not the number of rows
     */
    public Request mask(boolean[] mask) {
        if (mask.length != array.rows()) {
            throw new IndexOutOfRangeException("a mask of " + mask.length + " flags for '" + path() + "' with "
                    + array.rows() + " rows");
        }
        long[] idx = new long[mask.length];
        int n = 0;
        for (int i = 0; i < mask.length; i++) {
            if (mask[i]) {
                idx[n++] = i;
            }
        }
        return new Request(this, 0, Arrays.copyOf(idx, n), n);
    }
}
