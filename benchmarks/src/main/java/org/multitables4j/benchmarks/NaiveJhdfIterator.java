package org.multitables4j.benchmarks;

import io.jhdf.api.Dataset;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

/** What a DL4J user writes today: jhdf slices per batch, arrays copied into INDArrays. */
final class NaiveJhdfIterator implements DataSetIterator {
    private static final long serialVersionUID = 1L;
    private final transient Dataset ds;
    private final int batch;
    private final long rows;
    private long pos;

    NaiveJhdfIterator(Dataset ds, int batch) {
        this.ds = ds;
        this.batch = batch;
        this.rows = ds.getDimensions()[0];
    }

    @Override
    public DataSet next(int num) {
        throw new UnsupportedOperationException();
    }

    @Override
    public int inputColumns() {
        return 0;
    }

    @Override
    public int totalOutcomes() {
        return 0;
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    @Override
    public boolean asyncSupported() {
        return true;
    }

    @Override
    public void reset() {
        pos = 0;
    }

    @Override
    public int batch() {
        return batch;
    }

    @Override
    public void setPreProcessor(DataSetPreProcessor preProcessor) {
    }

    @Override
    public DataSetPreProcessor getPreProcessor() {
        return null;
    }

    @Override
    public List<String> getLabels() {
        return null;
    }

    @Override
    public boolean hasNext() {
        return pos < rows;
    }

    @Override
    public DataSet next() {
        int n = (int) Math.min(batch, rows - pos);
        int[] dims = ds.getDimensions();
        dims[0] = n;
        long[] off = new long[dims.length];
        off[0] = pos;
        Object data = ds.getData(off, dims);
        pos += n;
        float[] flat = new float[n * (int) (ds.getSize() / ds.getDimensions()[0])];
        flatten(data, flat, new int[1]);
        long[] shape = Arrays.stream(dims).asLongStream().toArray();
        return new DataSet(Nd4j.create(flat, shape, 'c'), null);
    }

    static void flatten(Object a, float[] out, int[] pos) {
        if (a instanceof float[] f) {
            System.arraycopy(f, 0, out, pos[0], f.length);
            pos[0] += f.length;
        } else if (a instanceof Object[] o) {
            for (Object x : o) {
                flatten(x, out, pos);
            }
        } else {
            int n = java.lang.reflect.Array.getLength(a);
            for (int i = 0; i < n; i++) {
                out[pos[0]++] = ((Number) java.lang.reflect.Array.get(a, i)).floatValue();
            }
        }
    }
}
