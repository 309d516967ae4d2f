package org.multitables4j;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.multitables4j.internal.hdf5.BlockDecoder;
import org.multitables4j.internal.hdf5.ElementConverter;
import org.multitables4j.internal.hdf5.ElementType;
import org.multitables4j.internal.hdf5.Hdf5Array;
import org.multitables4j.internal.hdf5.Hdf5File;
import org.multitables4j.internal.ring.BufferAllocator;
import org.multitables4j.internal.ring.SlotRing;
import org.multitables4j.internal.workers.BlockCache;
import org.multitables4j.internal.workers.ChildPool;
import org.multitables4j.internal.workers.SequenceFill;
import org.multitables4j.internal.workers.SequenceFill.Role;
import org.multitables4j.internal.workers.Source;
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
    /** One output: labels per sequence or per step. */
    private record Label(Hdf5Array array, int classes, boolean perStep, int width, double[] sequenceValues) {
    }

    private final SequenceOptions opt;
    private final List<Hdf5Array> xs = new ArrayList<>();
    private final int[] featureWidths;
    private final List<Label> ys = new ArrayList<>();
    private final Hdf5Array first;
    private final int[] lengths;
    private final long[] offsets;
    private final int longest;
    private final DataType out;
    private final DataType maskType;

    private SequenceArrays(StreamOptions<?> cfg, Hdf5File f, List<StreamEngine.Input> ins, List<StreamEngine.Input> outs,
                           String where) {
        this.opt = cfg.sequences;
        Hdf5Array x = f.array(ins.get(0).path());
        Hdf5Array len = f.array(opt.lengths());
        this.first = opt.ragged() ? len : x;
        long[] xs0 = x.shape();
        featureWidths = new int[ins.size()];
        for (int i = 0; i < ins.size(); i++) {
            Hdf5Array a = f.array(ins.get(i).path());
            long[] sh = a.shape();
            if (opt.ragged() ? sh.length != 2 : sh.length != 3) {
                throw new InvalidConfigurationException((opt.ragged() ? "ragged sequences need features [steps, F]"
                        : "padded sequences need features [n, T, F]") + ", but '" + a.path() + "' has shape "
                        + Arrays.toString(sh) + where);
            }
            if (sh[0] != xs0[0] || (!opt.ragged() && sh[1] != xs0[1])) {
                throw new InvalidConfigurationException("'" + a.path() + "' has shape " + Arrays.toString(sh) + " but '" + x.path()
                        + "' has " + Arrays.toString(xs0) + ": the steps of every input must match" + where);
            }
            featureWidths[i] = Math.toIntExact(sh[sh.length - 1]);
            xs.add(a);
        }
        this.out = cfg.storedType ? x.elementType().nativeDataType() : cfg.dataType;
        this.maskType = cfg.dataType == DataType.DOUBLE ? DataType.DOUBLE : DataType.FLOAT;
        for (Hdf5Array a : xs) {
            if (!ElementConverter.supports(a.elementType(), out)) {
                throw new InvalidConfigurationException("'" + a.path() + "' stores " + a.elementType()
                        + ", which cannot be delivered as " + out + where);
            }
        }
        long[] raw = readLongs(len, "lengths", where);
        long n = raw.length;
        if (!opt.ragged() && n != x.rows()) {
            throw new InvalidConfigurationException("lengths '" + opt.lengths() + "' hold " + n + " values but features '"
                    + x.path() + "' hold " + x.rows() + " sequences" + where);
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
        long limit = opt.ragged() ? x.rows() : xs0[1];
        int max = opt.maxLength() > 0 ? opt.maxLength() : Integer.MAX_VALUE;
        this.lengths = new int[(int) n];
        int lg = 0;
        for (int i = 0; i < n; i++) {
            long l = raw[i];
            boolean bad = l < 1 || (opt.ragged() ? offs[i] < 0 || offs[i] + l > limit : l > limit);
            if (bad) {
                throw new InvalidConfigurationException("sequence " + i + " has length " + l
                        + (opt.ragged() ? " at offset " + offs[i] + ", outside the " + limit + " steps of '" + x.path() + "'"
                        : ", outside [1, " + limit + "] of '" + x.path() + "'") + " (lengths '" + opt.lengths() + "')" + where);
            }
            lengths[i] = (int) Math.min(l, max);
            lg = Math.max(lg, lengths[i]);
        }
        this.longest = lg;
        for (StreamEngine.Input yin : outs) {
            ys.add(label(f, yin, x, n, where));
        }
    }

    private Label label(Hdf5File f, StreamEngine.Input yin, Hdf5Array x, long n, String where) {
        Hdf5Array y = f.array(yin.path());
        int classes = yin.classes();
        long[] ys = y.shape();
        boolean perStep;
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
            perStep = ys.length >= 2 && ys[1] == x.shape()[1];
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
        int width = classes > 0 ? classes : Math.toIntExact(valuesPerLabel);
        return new Label(y, classes, perStep, width, perStep ? null : readDoubles(y, where));
    }

    /**
     * @param cfg     the options (with {@code sequences} set)
     * @param files   the open files (one)
     * @param inputs  the step datasets (features), at least one
     * @param outputs the labels, possibly none
     * @param where   the file, for messages
     * @return the arrays
     */
    static SequenceArrays open(StreamOptions<?> cfg, List<Hdf5File> files, List<StreamEngine.Input> inputs,
                               List<StreamEngine.Input> outputs, String where) {
        if (files.size() != 1 || cfg.reader != null) {
            throw new InvalidConfigurationException("sequences are read from one file opened by the iterator, not from several "
                    + "files or a reader" + where);
        }
        List<StreamEngine.Input> all = new ArrayList<>(inputs);
        all.addAll(outputs);
        for (StreamEngine.Input in : all) {
            if (in.column() != null || in.rowShape() != null || !in.selections().isEmpty()) {
                throw new InvalidConfigurationException("sequences take whole datasets: no column, featureShape or selectFeatures ("
                        + in.role() + " '" + in.path() + "')" + where);
            }
        }
        return new SequenceArrays(cfg, files.get(0), inputs, outputs, where);
    }

    /** @return sequences (the plan's rows) */
    long rows() {
        return lengths.length;
    }

    /** @return the dataset whose chunk rows group sequences for SHUFFLED windows */
    Hdf5Array first() {
        return first;
    }

    /** @return inputs */
    int inputs() {
        return xs.size();
    }

    /** @return outputs */
    int outputs() {
        return ys.size();
    }

    /**
     * @param i an input
     * @return its features per step
     */
    int features(int i) {
        return featureWidths[i];
    }

    /**
     * @param j an output
     * @return its label values per step (classes when one-hot)
     */
    int labelWidth(int j) {
        return ys.get(j).width();
    }

    SequenceFormat format() {
        return opt.format();
    }

    /**
     * @return the slot arrays: the inputs, the outputs, a mask per input, a mask per output, the
     *     lengths
     */
    List<SlotRing.ArraySpec> specs() {
        List<SlotRing.ArraySpec> s = new ArrayList<>();
        for (int w : featureWidths) {
            s.add(new SlotRing.ArraySpec(out, stepShape(w)));
        }
        for (Label l : ys) {
            s.add(new SlotRing.ArraySpec(maskType, stepShape(l.width())));
        }
        for (int i = 0; i < xs.size() + ys.size(); i++) {
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
        for (Hdf5Array a : xs) {
            d.add(new ChildPool.Dataset(a, a.path(), null));
        }
        for (Label l : ys) {
            if (l.perStep()) {
                d.add(new ChildPool.Dataset(l.array(), l.array().path(), null));
            }
        }
        return d;
    }

    /**
     * @param allocator block memory
     * @param cfg       the options (the block store budget of each step dataset)
     * @return one source per slot array, in {@link #specs()} order
     */
    List<Source> sources(BufferAllocator allocator, StreamOptions<?> cfg) {
        boolean ncw = opt.format() == SequenceFormat.NCW;
        boolean end = opt.alignment() == SequenceAlignment.ALIGN_END;
        List<Source> s = new ArrayList<>();
        for (int i = 0; i < xs.size(); i++) {
            Hdf5Array x = xs.get(i);
            long budget = org.multitables4j.internal.workers.Defaults.cacheBytes(cfg.cacheBytes, true, Math.multiplyExact(x.rows(), (long) x.rowBytes()), org.multitables4j.internal.workers.Defaults.directAvailable());
            Source.Part xp = new Source.Part(x, BlockCache.lru(x, budget, allocator), 0);
            s.add(Source.sequences(x, new SequenceFill(Role.STEPS, lengths, end, ncw, out,
                    new SequenceFill.Steps(xp, featureWidths[i], offsets), 0, null, 0), xp));
        }
        for (Label l : ys) {
            Hdf5Array y = l.array();
            if (l.perStep()) {
                long budget = org.multitables4j.internal.workers.Defaults.cacheBytes(cfg.cacheBytes, true, Math.multiplyExact(y.rows(), (long) y.rowBytes()), org.multitables4j.internal.workers.Defaults.directAvailable());
                Source.Part yp = new Source.Part(y, BlockCache.lru(y, budget, allocator), 0);
                int width = l.classes() > 0 ? 1 : l.width();
                s.add(Source.sequences(y, new SequenceFill(Role.STEPS, lengths, end, ncw, maskType,
                        new SequenceFill.Steps(yp, width, offsets), l.classes(), null, 0), yp));
            } else {
                s.add(Source.sequences(y, new SequenceFill(Role.SEQUENCE_LABELS, lengths, end, ncw, maskType, null, l.classes(),
                        l.sequenceValues(), l.width())));
            }
        }
        Hdf5Array x = xs.get(0);
        for (int i = 0; i < xs.size(); i++) {
            s.add(Source.sequences(x, new SequenceFill(Role.STEP_MASK, lengths, end, ncw, maskType, null, 0, null, 0)));
        }
        for (Label l : ys) {
            Role r = l.perStep() ? Role.STEP_MASK : Role.ALIGNED_MASK;
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
