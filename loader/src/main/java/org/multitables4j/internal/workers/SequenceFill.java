package org.multitables4j.internal.workers;

import java.nio.ByteBuffer;
import org.multitables4j.CorruptDataException;
import org.multitables4j.internal.hdf5.ElementConverter;
import org.multitables4j.internal.hdf5.ElementType;
import org.multitables4j.internal.hdf5.Hdf5Array;
import org.multitables4j.internal.plan.EpochPlan;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Fills one array of a slot for a batch of variable-length sequences, on the worker, straight in
 * the delivered layout: the plan's rows are sequences; the batch is padded to its own longest
 * (truncated) sequence {@code Lb}, and every array is written compactly as {@code [b, ..., Lb]}
 * at the start of the slot array (the iterator views it with that shape).
 *
 * <p>Steps are read from a padded dataset {@code [n, T, w]} (sequence {@code r}, step {@code t}
 * at row {@code r}, elements {@code t*w ..}) or a ragged one {@code [steps, w]} (row
 * {@code offsets[r] + t}), block by block through a block store, and converted (and, for
 * {@code [batch, features, time]}, transposed) in the one copy into the slot. Masks hold 1 for
 * the steps of a sequence and 0 for its padding; a label given once per sequence sits at its
 * first or last step, as DL4J's {@code AlignmentMode.ALIGN_START} / {@code ALIGN_END} put it.
 * Immutable; shared by all workers.
 */
public final class SequenceFill {
    /** What a fill writes. */
    public enum Role {
        /** Features (or per-step labels): the steps of the step data. */
        STEPS,
        /** Labels given once per sequence, placed at the aligned step. */
        SEQUENCE_LABELS,
        /** 1 for every step of a sequence, 0 for padding. */
        STEP_MASK,
        /** 1 at the aligned step only (labels given once per sequence). */
        ALIGNED_MASK,
        /** The (truncated) length of each sequence, one value per row. */
        LENGTHS
    }

    /**
     * Steps of one dataset.
     *
     * @param part    the dataset and its block store
     * @param width   stored elements per step
     * @param offsets first row of each sequence (ragged), or null for a padded dataset
     */
    public record Steps(Source.Part part, int width, long[] offsets) {
    }

    private final Role role;
    private final int[] lengths;
    private final boolean alignEnd;
    private final boolean channelsFirst;
    private final DataType out;
    private final Steps steps;
    private final int classes;
    private final double[] sequenceValues;
    private final int valueWidth;

    /**
     * @param role           what this fill writes
     * @param lengths        steps of every sequence, already truncated to the maximum length
     * @param alignEnd       a per-sequence label sits at the last step (else the first)
     * @param channelsFirst  {@code [batch, width, time]} (DL4J's NCW) rather than {@code [batch, time, width]}
     * @param out            delivered element type
     * @param steps          the step data (STEPS), else null
     * @param classes        one-hot classes for STEPS (a class id per step) or SEQUENCE_LABELS, or 0
     * @param sequenceValues per-sequence labels (SEQUENCE_LABELS): class ids, or {@code valueWidth}
     *                       values per sequence
     * @param valueWidth     values per sequence (SEQUENCE_LABELS without one-hot)
     */
    public SequenceFill(Role role, int[] lengths, boolean alignEnd, boolean channelsFirst, DataType out, Steps steps,
                        int classes, double[] sequenceValues, int valueWidth) {
        this.role = role;
        this.lengths = lengths;
        this.alignEnd = alignEnd;
        this.channelsFirst = channelsFirst;
        this.out = out;
        this.steps = steps;
        this.classes = classes;
        this.sequenceValues = sequenceValues;
        this.valueWidth = valueWidth;
    }

    /** @return the role */
    public Role role() {
        return role;
    }

    /**
     * @param plan the epoch plan (rows are sequences)
     * @param b    a batch
     * @return the longest (truncated) sequence of the batch: its padded length
     */
    public int longest(EpochPlan plan, int b) {
        int lb = 0;
        for (int k = 0, n = plan.batchRows(b); k < n; k++) {
            lb = Math.max(lb, lengths[(int) plan.row(b, k)]);
        }
        return lb;
    }

    /**
     * Fills {@code dst} for batch {@code b}.
     *
     * @param plan    the epoch plan
     * @param b       the batch
     * @param dst     the slot array's memory
     * @param io      this worker's reads
     * @param horizon batches ahead (unused by the LRU stores of step data)
     */
    void fill(EpochPlan plan, int b, ByteBuffer dst, BlockIo io, int horizon) {
        int n = plan.batchRows(b);
        int lb = longest(plan, b);
        int w = out.width();
        switch (role) {
            case LENGTHS -> {
                for (int k = 0; k < n; k++) {
                    put(dst, k * w, lengths[(int) plan.row(b, k)]);
                }
            }
            case STEP_MASK, ALIGNED_MASK -> {
                for (int k = 0; k < n; k++) {
                    int len = lengths[(int) plan.row(b, k)];
                    int at = alignEnd ? len - 1 : 0;
                    for (int t = 0; t < lb; t++) {
                        boolean on = role == Role.STEP_MASK ? t < len : t == at;
                        put(dst, (k * lb + t) * w, on ? 1 : 0);
                    }
                }
            }
            case SEQUENCE_LABELS -> {
                int width = classes > 0 ? classes : valueWidth;
                RowFormat.zero(dst, n * width * lb * w);
                for (int k = 0; k < n; k++) {
                    int r = (int) plan.row(b, k);
                    int t = alignEnd ? lengths[r] - 1 : 0;
                    if (classes > 0) {
                        put(dst, at(k, checkedClass((long) sequenceValues[r], r, -1), t, width, lb) * w, 1);
                    } else {
                        for (int c = 0; c < width; c++) {
                            put(dst, at(k, c, t, width, lb) * w, sequenceValues[r * width + c]);
                        }
                    }
                }
            }
            case STEPS -> fillSteps(plan, b, n, lb, dst, io, horizon);
            default -> throw new IllegalStateException(role.toString());
        }
    }

    private int at(int k, int c, int t, int width, int lb) {
        return channelsFirst ? (k * width + c) * lb + t : (k * lb + t) * width + c;
    }

    private void put(ByteBuffer dst, int off, double v) {
        if (out == DataType.DOUBLE) {
            dst.putDouble(off, v);
        } else if (out == DataType.FLOAT) {
            dst.putFloat(off, (float) v);
        } else {
            throw new IllegalStateException("masks and labels are FLOAT or DOUBLE, not " + out);
        }
    }

    private int checkedClass(long c, int sequence, int step) {
        if (c < 0 || c >= classes) {
            Hdf5Array a = steps == null ? null : steps.part().array();
            throw new CorruptDataException("Sequence " + sequence + (step >= 0 ? " step " + step : "") + " holds class " + c
                    + ", outside oneHot(" + classes + ") = [0, " + classes + ")" + (a == null ? "" : " (dataset '" + a.path()
                    + "' in " + a.file().path() + ")"));
        }
        return (int) c;
    }

    private void fillSteps(EpochPlan plan, int b, int n, int lb, ByteBuffer dst, BlockIo io, int horizon) {
        Hdf5Array a = steps.part().array();
        ElementType st = a.elementType();
        int es = st.size();
        int sw = steps.width();
        int width = classes > 0 ? classes : sw;
        int w = out.width();
        if (classes > 0) {
            RowFormat.zero(dst, n * width * lb * w);
        }
        int br = a.blockRows();
        int rowBytes = a.rowBytes();
        for (int k = 0; k < n; k++) {
            int r = (int) plan.row(b, k);
            int len = lengths[r];
            if (classes == 0) {
                zeroPadding(dst, k, len, lb, width, w);
            }
            int t = 0;
            while (t < len) {
                long row = steps.offsets() == null ? r : steps.offsets()[r] + t;
                int blk = (int) (row / br);
                // steps t .. t+m-1 lie in this block: consecutive rows (ragged) or one row (padded)
                int m = steps.offsets() == null ? len - t : (int) Math.min(len - t, (long) (blk + 1) * br - row);
                int srcOff = (int) (row - (long) blk * br) * rowBytes + a.memberOffset()
                        + (steps.offsets() == null ? t * sw * es : 0);
                ByteBuffer src = steps.part().cache().acquire(blk, io, horizon);
                try {
                    int stepBytes = steps.offsets() == null ? sw * es : rowBytes;
                    for (int i = 0; i < m; i++) {
                        writeStep(src, srcOff + i * stepBytes, st, dst, k, t + i, lb, width, r);
                    }
                } finally {
                    steps.part().cache().release(blk);
                }
                t += m;
            }
        }
    }

    private void writeStep(ByteBuffer src, int srcOff, ElementType st, ByteBuffer dst, int k, int t, int lb, int width,
                           int sequence) {
        int w = out.width();
        if (classes > 0) {
            int c = checkedClass(ElementConverter.readInteger(src, srcOff, st), sequence, t);
            put(dst, at(k, c, t, width, lb) * w, 1);
        } else if (!channelsFirst) {
            ElementConverter.convert(src, srcOff, st, dst, at(k, 0, t, width, lb) * w, out, width);
        } else if (out == DataType.FLOAT && st.kind() == ElementType.Kind.FLOAT && st.size() == 4
                && st.byteOrder() == java.nio.ByteOrder.nativeOrder() && src.order() == st.byteOrder()) {
            // the transpose of float32 steps: one strided store per element, no conversion
            int stride = lb * 4;
            int d = at(k, 0, t, width, lb) * 4;
            for (int c = 0; c < width; c++, d += stride) {
                dst.putFloat(d, src.getFloat(srcOff + 4 * c));
            }
        } else {
            int es = st.size();
            for (int c = 0; c < width; c++) {
                ElementConverter.convert(src, srcOff + c * es, st, dst, at(k, c, t, width, lb) * w, out, 1);
            }
        }
    }

    private void zeroPadding(ByteBuffer dst, int k, int len, int lb, int width, int w) {
        if (len >= lb) {
            return;
        }
        if (channelsFirst) {
            for (int c = 0; c < width; c++) {
                zeroRange(dst, at(k, c, len, width, lb) * w, (lb - len) * w);
            }
        } else {
            zeroRange(dst, at(k, 0, len, width, lb) * w, (lb - len) * width * w);
        }
    }

    private static void zeroRange(ByteBuffer dst, int from, int bytes) {
        for (int i = 0; i < bytes; i++) {
            dst.put(from + i, (byte) 0);
        }
    }
}
