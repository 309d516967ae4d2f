package org.multitables4j.datasets;

import java.util.Arrays;

/**
 * Writes variable-length sequences into one group of an {@link H5Writer} in a
 * {@link SequenceLayout}: {@code x} float32 (ragged {@code [steps, F]} or padded
 * {@code [n, T, F]}), {@code lengths} int64 {@code [n]}, {@code offsets} int64 {@code [n]}
 * (ragged only) and, with labels, {@code y} per sequence ({@code [n]}) or per step (ragged
 * {@code [steps]}, padded {@code [n, T]}), int64 or float32. {@link #finish()} writes the group's
 * attributes: {@code sequence_layout}, {@code label_mode}, {@code sequences}, {@code steps},
 * {@code max_length}.
 */
final class SequenceWriter {
    /** Labels per sequence or per step. */
    enum LabelMode {
        /** One label per sequence. */
        SEQUENCE,
        /** One label per step. */
        STEP
    }

    private final H5Writer file;
    private final String group;
    private final SequenceLayout layout;
    private final int features;
    private final int maxLength;
    private final ElementKind labelKind;
    private final LabelMode labelMode;
    private final RowWriter x;
    private final RowWriter lengths;
    private final RowWriter offsets;
    private final RowWriter y;
    private final float[] padded;
    private final long[] paddedLongs;
    private final float[] paddedFloats;
    private long sequences;
    private long steps;
    private int longest;

    /**
     * @param file      the writer
     * @param group     group path, {@code ""} for the root, else e.g. {@code /train}
     * @param layout    ragged or padded
     * @param features  features per step
     * @param maxLength the padded length T (PADDED), or any bound (RAGGED)
     * @param labelKind INT64 or FLOAT32 labels, or null for none
     * @param labelMode per sequence or per step (ignored without labels)
     * @param options   storage options
     */
    SequenceWriter(H5Writer file, String group, SequenceLayout layout, int features, int maxLength,
                   ElementKind labelKind, LabelMode labelMode, WriteOptions options) {
        if (features < 1 || maxLength < 1) {
            throw new DatasetsException("Sequences need at least one feature and one step, got " + features
                    + " features and a longest sequence of " + maxLength);
        }
        this.file = file;
        this.group = group;
        this.layout = layout;
        this.features = features;
        this.maxLength = maxLength;
        this.labelKind = labelKind;
        this.labelMode = labelKind == null ? null : labelMode;
        boolean pad = layout == SequenceLayout.PADDED;
        x = file.dataset(group + "/x", ElementKind.FLOAT32, pad ? new long[] {maxLength, features} : new long[] {features},
                options);
        lengths = file.dataset(group + "/lengths", ElementKind.INT64, new long[0], options);
        offsets = pad ? null : file.dataset(group + "/offsets", ElementKind.INT64, new long[0], options);
        long[] yShape = pad && this.labelMode == LabelMode.STEP ? new long[] {maxLength} : new long[0];
        y = labelKind == null ? null : file.dataset(group + "/y", labelKind, yShape, options);
        padded = pad ? new float[maxLength * features] : null;
        paddedLongs = pad && labelKind == ElementKind.INT64 && this.labelMode == LabelMode.STEP ? new long[maxLength] : null;
        paddedFloats = pad && labelKind == ElementKind.FLOAT32 && this.labelMode == LabelMode.STEP
                ? new float[maxLength] : null;
    }

    /**
     * Adds one sequence.
     *
     * @param values  {@code length * features} values, step after step (longer arrays: the rest is ignored)
     * @param length  its steps, 1 to {@code maxLength} for PADDED
     * @param longs   INT64 labels (1 per sequence or {@code length} per step), or null
     * @param floats  FLOAT32 labels, or null
     */
    void add(float[] values, int length, long[] longs, float[] floats) {
        if (length < 1 || (layout == SequenceLayout.PADDED && length > maxLength)) {
            throw new DatasetsException("Sequence " + sequences + " has " + length + " steps (1.." + maxLength + " allowed)");
        }
        int n = length * features;
        if (layout == SequenceLayout.PADDED) {
            System.arraycopy(values, 0, padded, 0, n);
            Arrays.fill(padded, n, padded.length, 0f);
            x.append(padded);
        } else {
            x.append(values.length == n ? values : Arrays.copyOf(values, n));
            offsets.append(new long[] {steps});
        }
        lengths.append(new long[] {length});
        if (y != null) {
            int count = labelMode == LabelMode.SEQUENCE ? 1 : length;
            if (labelKind == ElementKind.INT64) {
                if (paddedLongs != null) {
                    System.arraycopy(longs, 0, paddedLongs, 0, count);
                    Arrays.fill(paddedLongs, count, maxLength, 0L);
                    y.append(paddedLongs);
                } else {
                    y.append(longs.length == count ? longs : Arrays.copyOf(longs, count));
                }
            } else if (paddedFloats != null) {
                System.arraycopy(floats, 0, paddedFloats, 0, count);
                Arrays.fill(paddedFloats, count, maxLength, 0f);
                y.append(paddedFloats);
            } else {
                y.append(floats.length == count ? floats : Arrays.copyOf(floats, count));
            }
        }
        sequences++;
        steps += length;
        longest = Math.max(longest, length);
    }

    /** @return sequences added */
    long sequences() {
        return sequences;
    }

    /** @return steps added */
    long steps() {
        return steps;
    }

    /** Writes the group's attributes describing the layout. */
    void finish() {
        String g = group.isEmpty() ? "/" : group;
        file.group(g);
        file.attribute(g, "sequence_layout", layout.name().toLowerCase());
        if (labelMode != null) {
            file.attribute(g, "label_mode", labelMode.name().toLowerCase());
        }
        file.attribute(g, "sequences", sequences);
        file.attribute(g, "steps", steps);
        file.attribute(g, "max_length", (long) (layout == SequenceLayout.PADDED ? maxLength : longest));
    }
}
