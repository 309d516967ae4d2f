package org.multitables4j.reader;

import java.util.Arrays;
import org.multitables4j.InvalidConfigurationException;
import org.multitables4j.hdf5.Hdf5Array;
import org.multitables4j.workers.BlockCache;
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
        if (!org.multitables4j.hdf5.ElementConverter.supports(array.elementType(), type)) {
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

    private void checkRow(long r) {
        if (r < 0 || r >= array.rows()) {
            throw new IndexOutOfBoundsException("row " + r + " of '" + path() + "' (" + array.rows() + " rows) in "
                    + array.file().path());
        }
    }

    /**
     * @param start first row
     * @param end   end row (exclusive)
     * @return the slice {@code [start, end)}
     */
    public Request rows(long start, long end) {
        if (start < 0 || end > array.rows() || start > end) {
            throw new IndexOutOfBoundsException("rows [" + start + ", " + end + ") of '" + path() + "' (" + array.rows()
                    + " rows) in " + array.file().path());
        }
        if (end - start > Integer.MAX_VALUE - 8) {
            throw new InvalidConfigurationException("a request of " + (end - start) + " rows is too large");
        }
        return new Request(this, start, null, (int) (end - start));
    }

    /**
     * Rows {@code start, start + step, ...} below {@code end}, like numpy's {@code x[start:end:step]}.
     *
     * @param start first row
     * @param end   end row (exclusive)
     * @param step  distance between rows, at least 1
     * @return the request
     */
    public Request rows(long start, long end, long step) {
        if (step < 1) {
            throw new IndexOutOfBoundsException("rows [" + start + ", " + end + ") with step " + step + " of '" + path()
                    + "': the step must be at least 1");
        }
        if (step == 1) {
            return rows(start, end);
        }
        if (start < 0 || end > array.rows() || start > end) {
            throw new IndexOutOfBoundsException("rows [" + start + ", " + end + ") of '" + path() + "' (" + array.rows()
                    + " rows) in " + array.file().path());
        }
        long n = (end - start + step - 1) / step;
        if (n > Integer.MAX_VALUE - 8) {
            throw new InvalidConfigurationException("a request of " + n + " rows is too large");
        }
        long[] idx = new long[(int) n];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = start + i * step;
        }
        return new Request(this, 0, idx, idx.length);
    }

    /**
     * @param indices rows, in the order wanted; repeats allowed
     * @return the request
     */
    public Request rows(long[] indices) {
        for (long r : indices) {
            checkRow(r);
        }
        return new Request(this, 0, indices.clone(), indices.length);
    }

    /**
     * @param mask one flag per row; the rows whose flag is set, in order
     * @return the request
     */
    public Request mask(boolean[] mask) {
        if (mask.length != array.rows()) {
            throw new InvalidConfigurationException("a mask of " + mask.length + " flags for '" + path() + "' with "
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
