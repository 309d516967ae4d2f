package org.multitables4j;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.multitables4j.internal.hdf5.BlockDecoder;
import org.multitables4j.internal.hdf5.ElementConverter;
import org.multitables4j.internal.hdf5.Hdf5Array;
import org.multitables4j.internal.hdf5.Hdf5File;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.preprocessor.NormalizerMinMaxScaler;
import org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Per-column statistics of the features an {@link Hdf5DataSetIterator} would deliver, computed in
 * one pass over the stored blocks and turned into fitted DL4J normalizers, instead of streaming
 * every batch through {@code NormalizerStandardize.fit(iterator)} /
 * {@code NormalizerMinMaxScaler.fit(iterator)}:
 *
 * <pre>{@code
 * Hdf5DataSetIterator.Builder b = Hdf5DataSetIterator.builder(file).features("/x").labels("/y").oneHot(10)
 *         .rowFraction(0, 0.8);                     // fit on the training rows only
 * NormalizerStandardize norm = FeatureStatistics.of(b).standardize();
 * try (Hdf5DataSetIterator train = b.build()) {
 *     train.setPreProcessor(norm);                  // applied on the workers
 *     net.fit(train, 5);
 * }
 * }</pre>
 *
 * <p>{@code workers} threads decode the blocks that hold the builder's rows
 * ({@code rows}/{@code rowFraction}) straight from the file(s), convert them to double and
 * accumulate the count, mean, squared deviations, minimum and maximum of every column; no batch
 * is assembled, copied or handed to ND4J. The mean and the population standard deviation
 * (numpy's {@code ddof=0}, what DL4J's normalizer computes) are exact to double rounding for any
 * number of rows (block-wise two-pass moments merged pairwise). Order, shards, sampling and the
 * backend do not matter to the statistics and are ignored.
 *
 * <p>Only features delivered as {@code [batch, F]} are covered (a dataset of rows, a column of a
 * table, a one-dimensional {@code featureShape}): DL4J normalizes image and sequence batches per
 * channel and over the mask, so for those (and for {@code selectFeatures} and label statistics,
 * {@code fitLabel(true)}) fit the normalizer with {@code fit(iterator)}, which works with this
 * library's iterators as with any.
 */
public final class FeatureStatistics {
    private final long count;
    private final double[] mean;
    private final double[] std;
    private final double[] min;
    private final double[] max;
    private final DataType dataType;

    private FeatureStatistics(ColumnMoments m, DataType dataType) {
        this.count = m.count();
        this.mean = m.mean();
        this.std = m.std();
        this.min = m.min();
        this.max = m.max();
        this.dataType = dataType;
    }

    /** One block's rows {@code [lo, hi)} (block-relative) of one file's array. */
    private record Piece(Hdf5Array array, int block, int lo, int hi) {
    }

    /**
     * Computes the statistics of the builder's features over its rows. The builder is not changed
     * and can build the iterator afterwards.
     *
     * @param builder the options of the iterator whose features are meant: the file(s), the
     *                features dataset or column, {@code featureShape}, the row range, the number
     *                of {@code workers} (threads used here) and the data type
     * @return the statistics
     * @throws InvalidConfigurationException when no features are set, for sequences,
     *     {@code selectFeatures} or a feature shape of more than one dimension, for a missing
     *     file or dataset, or when there are no rows
     * @throws UnsupportedHdf5Exception for a type, layout or filter that cannot be read
     * @throws CorruptDataException if a block cannot be decoded
     */
    public static FeatureStatistics of(Hdf5DataSetIterator.Builder builder) {
        Hdf5DataSetIterator.Builder b = builder.copy();
        String where = " (" + b.describeFiles() + ")";
        if (b.featuresPath() == null) {
            throw new InvalidConfigurationException("FeatureStatistics needs features(...)" + where);
        }
        if (b.sequences != null) {
            throw new InvalidConfigurationException("FeatureStatistics covers rows, not sequences (DL4J normalizes those over "
                    + "their masks): fit the normalizer with fit(iterator)" + where);
        }
        if (b.featuresNarrowed()) {
            throw new InvalidConfigurationException("FeatureStatistics does not apply selectFeatures: fit the normalizer with "
                    + "fit(iterator)" + where);
        }
        List<Hdf5File> files = new ArrayList<>();
        try {
            for (String loc : b.locations) {
                files.add(b.remote == null ? Hdf5File.open(java.nio.file.Path.of(loc)) : Hdf5File.open(loc, b.remote));
            }
            return compute(b, files, where);
        } finally {
            for (Hdf5File f : files) {
                f.close();
            }
        }
    }

    private static FeatureStatistics compute(Hdf5DataSetIterator.Builder b, List<Hdf5File> files, String where) {
        List<Hdf5Array> arrays = new ArrayList<>();
        long total = 0;
        for (Hdf5File f : files) {
            Hdf5Array a = b.featuresColumn() == null ? f.array(b.featuresPath()) : f.column(b.featuresPath(), b.featuresColumn());
            if (!arrays.isEmpty() && a.rowElements() != arrays.get(0).rowElements()) {
                throw new InvalidConfigurationException("features '" + b.featuresPath() + "' have " + a.rowElements() + " values per row in "
                        + f.name() + " but " + arrays.get(0).rowElements() + " in " + files.get(0).name());
            }
            arrays.add(a);
            total += a.rows();
        }
        long elements = arrays.get(0).rowElements();
        long[] shape = b.featureRowShape() != null ? b.featureRowShape() : arrays.get(0).rowShape();
        long product = 1;
        for (long d : shape) {
            product *= d;
        }
        if (shape.length > 1 || product != elements || elements > Integer.MAX_VALUE / 8) {
            throw new InvalidConfigurationException("FeatureStatistics covers features delivered as [batch, F], not rows of shape "
                    + java.util.Arrays.toString(shape) + " (DL4J normalizes those per channel): fit the normalizer with fit(iterator)"
                    + where);
        }
        long[] range = b.range.resolve(total, where);
        if (range[1] <= range[0]) {
            throw new InvalidConfigurationException("features '" + b.featuresPath() + "' have no rows to take statistics of" + where);
        }
        List<Piece> pieces = new ArrayList<>();
        long first = 0;
        for (Hdf5Array a : arrays) {
            for (int blk = 0; blk < a.blockCount(); blk++) {
                long start = first + (long) blk * a.blockRows();
                long lo = Math.max(start, range[0]);
                long hi = Math.min(start + a.rowsInBlock(blk), range[1]);
                if (lo < hi) {
                    pieces.add(new Piece(a, blk, (int) (lo - start), (int) (hi - start)));
                }
            }
            first += a.rows();
        }
        DataType out = b.storedType ? arrays.get(0).elementType().nativeDataType() : b.dataType;
        ColumnMoments all = accumulate(pieces, (int) elements, Math.max(1, Math.min(b.workers, pieces.size())));
        return new FeatureStatistics(all, out == DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT);
    }

    /**
     * Splits the pieces into up to {@code 8 * threads} contiguous tasks that the threads take in
     * turn (a thread slowed down by others holds back one task, not a fixed share), and merges
     * the tasks' moments in task order, so the result does not depend on the thread count's timing.
     */
    private static ColumnMoments accumulate(List<Piece> pieces, int columns, int threads) {
        int tasks = Math.min(pieces.size(), 8 * threads);
        ColumnMoments[] results = new ColumnMoments[tasks];
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicBoolean failed = new java.util.concurrent.atomic.AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "multitables4j-statistics");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                running.add(pool.submit(() -> {
                    try (Scan scan = new Scan(pieces, columns)) {
                        for (int k = next.getAndIncrement(); k < tasks && !failed.get(); k = next.getAndIncrement()) {
                            results[k] = scan.run(pieces.subList(pieces.size() * k / tasks, pieces.size() * (k + 1) / tasks));
                        }
                    } catch (RuntimeException | Error e) {
                        failed.set(true);
                        throw e;
                    }
                }));
            }
            RuntimeException failure = null;
            for (Future<?> f : running) {
                try {
                    f.get(); // no cancel(true): an interrupt would close the file's channel
                } catch (ExecutionException e) {
                    if (failure == null) {
                        failure = e.getCause() instanceof RuntimeException r ? r : new MultitablesException(e.getCause().toString(), e.getCause());
                    }
                } catch (InterruptedException e) {
                    failed.set(true); // the threads stop after their current task
                    Thread.currentThread().interrupt();
                    throw new MultitablesException("interrupted while computing feature statistics", e);
                }
            }
            if (failure != null) {
                throw failure;
            }
            ColumnMoments all = new ColumnMoments(columns);
            for (ColumnMoments m : results) {
                all.add(m);
            }
            return all;
        } finally {
            pool.shutdown();
        }
    }

    /** One thread's decoder and buffers, sized for the largest piece, reused for every task it takes. */
    private static final class Scan implements AutoCloseable {
        private final int columns;
        private final BlockDecoder dec = new BlockDecoder();
        private final ByteBuffer block;
        private final ByteBuffer doubles;
        private final DoubleBuffer dv;
        private final double[] values;
        private final float[] floats;

        Scan(List<Piece> pieces, int columns) {
            this.columns = columns;
            int maxBlockBytes = 1;
            int maxRows = 1;
            for (Piece p : pieces) {
                maxBlockBytes = Math.max(maxBlockBytes, p.array().blockBytes());
                maxRows = Math.max(maxRows, p.hi() - p.lo());
            }
            this.block = ByteBuffer.allocateDirect(maxBlockBytes);
            this.doubles = ByteBuffer.allocateDirect(maxRows * columns * 8).order(ByteOrder.nativeOrder());
            this.dv = doubles.asDoubleBuffer();
            this.values = new double[maxRows * columns];
            this.floats = new float[maxRows * columns];
        }

        ColumnMoments run(List<Piece> task) {
            ColumnMoments m = new ColumnMoments(columns);
            for (Piece p : task) {
                Hdf5Array a = p.array();
                a.readBlock(p.block(), dec, block);
                ByteBuffer src = block.order(a.elementType().byteOrder());
                int n = p.hi() - p.lo();
                if (a.denseRows() && a.elementType().nativeDataType() == DataType.FLOAT) {
                    // float32 (either byte order): widened here, without the converter's buffer
                    src.asFloatBuffer().get(p.lo() * columns, floats, 0, n * columns);
                    for (int i = 0; i < n * columns; i++) {
                        values[i] = floats[i];
                    }
                } else if (a.denseRows()) {
                    ElementConverter.convert(src, p.lo() * a.rowBytes(), a.elementType(), doubles, 0, DataType.DOUBLE, n * columns);
                    dv.get(0, values, 0, n * columns);
                } else {
                    for (int r = 0; r < n; r++) {
                        ElementConverter.convert(src, (p.lo() + r) * a.rowBytes() + a.memberOffset(), a.elementType(), doubles,
                                r * columns * 8, DataType.DOUBLE, columns);
                    }
                    dv.get(0, values, 0, n * columns);
                }
                m.add(values, n);
            }
            return m;
        }

        @Override
        public void close() {
            dec.close();
        }
    }

    /** @return rows the statistics cover */
    public long count() {
        return count;
    }

    /** @return the mean of each column */
    public double[] mean() {
        return mean.clone();
    }

    /** @return the population standard deviation of each column (numpy's {@code std()}, {@code ddof=0}) */
    public double[] std() {
        return std.clone();
    }

    /** @return the minimum of each column (NaN where the column holds a NaN) */
    public double[] min() {
        return min.clone();
    }

    /** @return the maximum of each column (NaN where the column holds a NaN) */
    public double[] max() {
        return max.clone();
    }

    private INDArray vector(double[] v) {
        return Nd4j.create(v, new long[] {1, v.length}, DataType.DOUBLE).castTo(dataType);
    }

    /**
     * @return a fitted {@code NormalizerStandardize} with these means and standard deviations, in
     *     the builder's data type (FLOAT unless DOUBLE batches are delivered), ready for
     *     {@code iterator.setPreProcessor(...)}, {@code save(...)} or {@code NormalizerSerializer}
     */
    public NormalizerStandardize standardize() {
        return new NormalizerStandardize(vector(mean), vector(std));
    }

    /**
     * @param targetMin the value the minimum of each column is mapped to
     * @param targetMax the value the maximum is mapped to
     * @return a fitted {@code NormalizerMinMaxScaler} with these minima and maxima
     */
    public NormalizerMinMaxScaler minMax(double targetMin, double targetMax) {
        NormalizerMinMaxScaler n = new NormalizerMinMaxScaler(targetMin, targetMax);
        n.setFeatureStats(vector(min), vector(max));
        return n;
    }
}
