package org.multitables4j;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.multitables4j.hdf5.BlockDecoder;
import org.multitables4j.hdf5.ElementConverter;
import org.multitables4j.hdf5.ElementType;
import org.multitables4j.hdf5.Hdf5Array;
import org.multitables4j.hdf5.Hdf5File;
import org.multitables4j.ring.BufferAllocator;
import org.multitables4j.ring.SlotRing;
import org.multitables4j.workers.BlockCache;
import org.multitables4j.workers.ChildPool;
import org.multitables4j.workers.SequenceFill;
import org.multitables4j.workers.SequenceFill.Role;
import org.multitables4j.workers.Source;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The slot arrays of an iterator over sequences and the worker fills behind them: reads and
 * checks the lengths (and offsets) at build, decides whether labels are given per sequence or per
 * step, and lays out every slot as features, labels (if any), features mask, labels mask (if
 * labels), lengths. The plan's rows are sequences.
 *
 * <p>Layouts (those the datasets CLI writes): padded, features {@code [n, T, F]} with labels
 * {@code [n]} / {@code [n, K]} per sequence or {@code [n, T]} / {@code [n, T, K]} per step; ragged,
 * features {@code [steps, F]} with labels {@code [n]} / {@code [n, K]} per sequence or
 * {@code [steps]} / {@code [steps, K]} per step. Lengths {@code [n]} in both, offsets {@code [n]}
 * (first step row of each sequence) for ragged, or sequences back to back when not given.
 */
final class SequenceArrays {
    private final SequenceOptions opt;
    private final Hdf5Array x;
    private final Hdf5Array y;
    private final Hdf5Array first;
    private final int[] lengths;
    private final long[] offsets;
    private final int longest;
    private final int features;
    private final int labelWidth;
    private final int classes;
    private final boolean perStep;
    private final double[] sequenceLabels;
    private final DataType out;
    private final DataType maskType;

    private SequenceArrays(StreamOptions<?> cfg, Hdf5File f, StreamEngine.Input xin, StreamEngine.Input yin, String where) {
        this.opt = cfg.sequences;
        this.x = f.array(xin.path());
        Hdf5Array len = f.array(opt.lengths());
        this.first = opt.ragged() ? len : x;
        long[] xs = x.shape();
        if (opt.ragged() ? xs.length != 2 : xs.length != 3) {
            throw new InvalidConfigurationException((opt.ragged() ? "ragged sequences need features [steps, F]"
                    : "padded sequences need features [n, T, F]") + ", but '" + xin.path() + "' has shape "
                    + Arrays.toString(xs) + where);
        }
        this.features = Math.toIntExact(xs[xs.length - 1]);
        long[] raw = readLongs(len, "lengths", where);
        long n = raw.length;
        if (!opt.ragged() && n != x.rows()) {
            throw new InvalidConfigurationException("lengths '" + opt.lengths() + "' hold " + n + " values but features '"
                    + xin.path() + "' hold " + x.rows() + " sequences" + where);
        }
        long[] offs = null;
        if (opt.ragged()) {
            if (opt.offsets() != null) {
                offs = readLongs(f.array(opt.offsets()), "offsets", where);
                if (offs.length != n) {
                    throw new InvalidConfigurationException("offsets '" + opt.offsets() + "' hold " + offs.length
                            + " values for " + n + " lengths" + where);
                }
            } else {
                offs = new long[(int) n];
                for (int i = 1; i < n; i++) {
                    offs[i] = offs[i - 1] + raw[i - 1];
                }
            }
        }
        this.offsets = offs;
        long limit = opt.ragged() ? x.rows() : xs[1];
        int max = opt.maxLength() > 0 ? opt.maxLength() : Integer.MAX_VALUE;
        this.lengths = new int[(int) n];
        int lg = 0;
        for (int i = 0; i < n; i++) {
            long l = raw[i];
            boolean bad = l < 1 || (opt.ragged() ? offs[i] < 0 || offs[i] + l > limit : l > limit);
            if (bad) {
                throw new InvalidConfigurationException("sequence " + i + " has length " + l
                        + (opt.ragged() ? " at offset " + offs[i] + ", outside the " + limit + " steps of '" + xin.path() + "'"
                        : ", outside [1, " + limit + "] of '" + xin.path() + "'") + " (lengths '" + opt.lengths() + "')" + where);
            }
            lengths[i] = (int) Math.min(l, max);
            lg = Math.max(lg, lengths[i]);
        }
        this.longest = lg;
        this.out = cfg.storedType ? x.elementType().nativeDataType() : cfg.dataType;
        this.maskType = cfg.dataType == DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT;
        if (!ElementConverter.supports(x.elementType(), out)) {
            throw new InvalidConfigurationException("'" + xin.path() + "' stores " + x.elementType() + ", which cannot be delivered as "
                    + out + where);
        }
        if (yin == null) {
            y = null;
            classes = 0;
            labelWidth = 0;
            perStep = false;
            sequenceLabels = null;
            return;
        }
        this.y = f.array(yin.path());
        this.classes = yin.classes();
        long[] ys = y.shape();
        if (opt.ragged()) {
            perStep = y.rows() == x.rows() && y.rows() != n;
            if (!perStep && y.rows() != n) {
                throw new InvalidConfigurationException("labels '" + yin.path() + "' have " + y.rows() + " rows: neither one per sequence ("
                        + n + ") nor one per step (" + x.rows() + ")" + where);
            }
        } else {
            if (y.rows() != n) {
                throw new InvalidConfigurationException("labels '" + yin.path() + "' have " + y.rows() + " rows for " + n + " sequences" + where);
            }
            perStep = ys.length >= 2 && ys[1] == xs[1];
        }
        int stepRank = opt.ragged() || !perStep ? 1 : 2; // dimensions before the label values
        long valuesPerLabel = 1;
        for (int d = stepRank; d < ys.length; d++) {
            valuesPerLabel *= ys[d];
        }
        if (classes > 0 && (valuesPerLabel != 1 || y.elementType().kind() == ElementType.Kind.FLOAT)) {
            throw new InvalidConfigurationException("oneHot needs one integer class id per " + (perStep ? "step" : "sequence")
                    + ", but labels '" + yin.path() + "' are " + y.elementType() + " of shape " + Arrays.toString(ys) + where);
        }
        this.labelWidth = classes > 0 ? classes : Math.toIntExact(valuesPerLabel);
        this.sequenceLabels = perStep ? null : readDoubles(y, where);
    }

    /**
     * @param cfg    the options (with {@code sequences} set)
     * @param files  the open files (one)
     * @param inputs features, then labels if any
     * @param where  the file, for messages
     * @return the arrays
     */
    static SequenceArrays open(StreamOptions<?> cfg, List<Hdf5File> files, List<StreamEngine.Input> inputs, String where) {
        if (files.size() != 1 || cfg.reader != null) {
            throw new InvalidConfigurationException("sequences are read from one file opened by the iterator, not from several "
                    + "files or a reader" + where);
        }
        for (StreamEngine.Input in : inputs) {
            if (in.column() != null || in.rowShape() != null || !in.selections().isEmpty()) {
                throw new InvalidConfigurationException("sequences take whole datasets: no column, featureShape or selectFeatures ("
                        + in.role() + " '" + in.path() + "')" + where);
            }
        }
        return new SequenceArrays(cfg, files.get(0), inputs.get(0), inputs.size() > 1 ? inputs.get(1) : null, where);
    }

    /** @return sequences (the plan's rows) */
    long rows() {
        return lengths.length;
    }

    /** @return the dataset whose chunk rows group sequences for SHUFFLED windows */
    Hdf5Array first() {
        return first;
    }

    /** @return features per step */
    int features() {
        return features;
    }

    /** @return label values per step (classes when one-hot), 0 without labels */
    int labelWidth() {
        return labelWidth;
    }

    boolean labels() {
        return y != null;
    }

    SequenceFormat format() {
        return opt.format();
    }

    /** @return the slot arrays: features, labels?, features mask, labels mask?, lengths */
    List<SlotRing.ArraySpec> specs() {
        List<SlotRing.ArraySpec> s = new ArrayList<>();
        s.add(new SlotRing.ArraySpec(out, stepShape(features)));
        if (y != null) {
            s.add(new SlotRing.ArraySpec(maskType, stepShape(labelWidth)));
        }
        s.add(new SlotRing.ArraySpec(maskType, new long[] {longest}));
        if (y != null) {
            s.add(new SlotRing.ArraySpec(maskType, new long[] {longest}));
        }
        s.add(new SlotRing.ArraySpec(maskType, new long[] {1}));
        return s;
    }

    private long[] stepShape(int width) {
        return opt.format() == SequenceFormat.NCW ? new long[] {width, longest} : new long[] {longest, width};
    }

    /** @return the datasets the workers read (for worker processes) */
    List<ChildPool.Dataset> childDatasets() {
        List<ChildPool.Dataset> d = new ArrayList<>();
        d.add(new ChildPool.Dataset(x, x.file().path(), x.path(), null));
        if (y != null && perStep) {
            d.add(new ChildPool.Dataset(y, y.file().path(), y.path(), null));
        }
        return d;
    }

    /**
     * @param allocator block memory
     * @param cfg       the options (the block store budget of each step dataset)
     * @return one source per slot array, in {@link #specs()} order
     */
    List<Source> sources(BufferAllocator allocator, StreamOptions<?> cfg) {
        long budget = cfg.effectiveCacheBytes(Math.multiplyExact(x.rows(), (long) x.rowBytes()));
        boolean ncw = opt.format() == SequenceFormat.NCW;
        boolean end = opt.alignment() == SequenceAlignment.ALIGN_END;
        List<Source> s = new ArrayList<>();
        Source.Part xp = new Source.Part(x, BlockCache.lru(x, budget, allocator), 0);
        s.add(Source.sequences(x, new SequenceFill(Role.STEPS, lengths, end, ncw, out,
                new SequenceFill.Steps(xp, features, offsets), 0, null, 0), xp));
        if (y != null) {
            if (perStep) {
                long yBudget = cfg.effectiveCacheBytes(Math.multiplyExact(y.rows(), (long) y.rowBytes()));
                Source.Part yp = new Source.Part(y, BlockCache.lru(y, yBudget, allocator), 0);
                int width = classes > 0 ? 1 : labelWidth;
                s.add(Source.sequences(y, new SequenceFill(Role.STEPS, lengths, end, ncw, maskType,
                        new SequenceFill.Steps(yp, width, offsets), classes, null, 0), yp));
            } else {
                s.add(Source.sequences(y, new SequenceFill(Role.SEQUENCE_LABELS, lengths, end, ncw, maskType, null, classes,
                        sequenceLabels, labelWidth)));
            }
        }
        s.add(Source.sequences(x, new SequenceFill(Role.STEP_MASK, lengths, end, ncw, maskType, null, 0, null, 0)));
        if (y != null) {
            Role r = perStep ? Role.STEP_MASK : Role.ALIGNED_MASK;
            s.add(Source.sequences(x, new SequenceFill(r, lengths, end, ncw, maskType, null, 0, null, 0)));
        }
        s.add(Source.sequences(x, new SequenceFill(Role.LENGTHS, lengths, end, ncw, maskType, null, 0, null, 0)));
        return s;
    }

    private static long[] readLongs(Hdf5Array a, String what, String where) {
        if (a.rowElements() != 1 || a.elementType().kind() == ElementType.Kind.FLOAT) {
            throw new InvalidConfigurationException(what + " '" + a.path() + "' must hold one integer per sequence, not "
                    + a.elementType() + " of shape " + Arrays.toString(a.shape()) + where);
        }
        double[] d = readDoubles(a, where);
        long[] r = new long[d.length];
        for (int i = 0; i < d.length; i++) {
            r[i] = (long) d[i];
        }
        return r;
    }

    /** Reads a whole (small) dataset: lengths, offsets, per-sequence labels. */
    private static double[] readDoubles(Hdf5Array a, String where) {
        long total = Math.multiplyExact(a.rows(), a.rowElements());
        if (total > Integer.MAX_VALUE - 8) {
            throw new InvalidConfigurationException("'" + a.path() + "' is too large to hold in memory" + where);
        }
        double[] w = new double[(int) total];
        int re = (int) a.rowElements();
        ByteBuffer block = ByteBuffer.allocateDirect(Math.max(1, a.blockBytes()));
        ByteBuffer out = ByteBuffer.allocate(8 * Math.max(1, a.blockRows() * re)).order(ByteOrder.nativeOrder());
        try (BlockDecoder dec = new BlockDecoder()) {
            for (int b = 0; b < a.blockCount(); b++) {
                a.readBlock(b, dec, block);
                int n = a.rowsInBlock(b);
                if (a.denseRows()) {
                    ElementConverter.convert(block.order(a.elementType().byteOrder()), 0, a.elementType(), out, 0, DataType.DOUBLE, n * re);
                } else {
                    for (int i = 0; i < n; i++) {
                        ElementConverter.convert(block.order(a.elementType().byteOrder()), i * a.rowBytes() + a.memberOffset(),
                                a.elementType(), out, 8 * i * re, DataType.DOUBLE, re);
                    }
                }
                long base = (long) b * a.blockRows() * re;
                for (int i = 0; i < n * re; i++) {
                    w[(int) (base + i)] = out.getDouble(8 * i);
                }
            }
        }
        return w;
    }
}
