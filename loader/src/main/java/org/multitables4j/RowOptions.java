package org.multitables4j;

/**
 * The part of the iterators' options that says which rows are served and what a row is: a row
 * range of the dataset ({@link #rows(long, long)}, {@link #rowFraction(double, double)}) and
 * variable-length sequences with masks ({@link #paddedSequences(String)},
 * {@link #raggedSequences(String, String)}). The rest is in {@link StreamOptions}; setters change
 * the builder and return it.
 *
 * @param <B> the concrete builder type
 */
public abstract class RowOptions<B extends RowOptions<B>> {
    RowRange range = RowRange.ALL;
    /** Rows are sequences (set by the iterators' sequence options), or null. */
    SequenceOptions sequences;
    private SequenceFormat seqFormat = SequenceFormat.NCW;
    private SequenceAlignment seqAlignment = SequenceAlignment.ALIGN_END;
    private int seqMax;

    RowOptions() {
    }

    @SuppressWarnings("unchecked")
    final B self() {
        return (B) this;
    }

    /**
     * Serves only dataset rows {@code [from, to)}: every order, shard, sample draw and resume
     * works within the range, and nothing is copied, so one file serves training
     * ({@code rows(0, 50_000)}) and validation ({@code rows(50_000, 60_000)}). Sample weights
     * given for the whole dataset are narrowed to the range. Default: all rows.
     *
     * @param from first row
     * @param to   end row, exclusive (at most the dataset's rows, checked at {@code build()})
     * @return this builder
     */
    public B rows(long from, long to) {
        this.range = RowRange.rows(from, to);
        return self();
    }

    /**
     * Serves a fraction of the rows, resolved at {@code build()} to
     * {@code [floor(from * rows), floor(to * rows))} ({@code to == 1} reaches the last row): the
     * ranges {@code rowFraction(0, 0.8)} and {@code rowFraction(0.8, 1)} are disjoint and cover
     * the dataset. See {@link #rows(long, long)}.
     *
     * @param from start, in {@code [0, 1)}
     * @param to   end, in {@code (from, 1]}
     * @return this builder
     */
    public B rowFraction(double from, double to) {
        this.range = RowRange.fraction(from, to);
        return self();
    }

    /**
     * The rows are padded sequences: {@code features} is {@code [n, T, F]} (steps past a
     * sequence's length ignored) and {@code lengthsPath} holds the steps of each of the
     * {@code n} sequences, as {@code datasets generate sequences --layout padded} writes them.
     * Each batch is delivered as DL4J's recurrent layers take it: features
     * {@code [batch, F, Lb]} ({@link #sequenceFormat}), padded to the batch's longest sequence
     * {@code Lb} (not the dataset's), with a features mask {@code [batch, Lb]} and, with labels,
     * a labels mask; built on the workers in the one copy into the slot. Labels are per
     * sequence ({@code [n]} class ids with one-hot ({@code oneHot} / {@code outputOneHot}), or {@code [n, K]} values), placed at
     * the aligned step ({@link #sequenceAlignment}), or per step ({@code [n, T]} /
     * {@code [n, T, K]}). With {@link Hdf5MultiDataSetIterator} every input is such a step
     * dataset (all with the same steps) and gets its features mask, every output its labels mask.
     *
     * @param lengthsPath integer dataset {@code [n]}, each length in {@code [1, T]}
     * @return this builder
     */
    public B paddedSequences(String lengthsPath) {
        this.sequences = SequenceOptions.padded(lengthsPath).withFormat(seqFormat).withAlignment(seqAlignment)
                .withMaxLength(seqMax);
        return self();
    }

    /**
     * The rows are sequences stored back to back in one table: {@code features} is
     * {@code [steps, F]}, sequence {@code i} is rows {@code [offsets[i], offsets[i] + lengths[i])},
     * as {@code datasets convert csv-sequences} and {@code generate sequences --layout ragged}
     * write them. Labels are per sequence ({@code [n]} or {@code [n, K]}) or per step
     * ({@code [steps]} or {@code [steps, K]}). Delivered as with {@link #paddedSequences}.
     *
     * @param lengthsPath integer dataset {@code [n]}
     * @param offsetsPath integer dataset {@code [n]} of first rows, or null when the sequences
     *                    follow each other without gaps (offsets are then the running sum of the lengths)
     * @return this builder
     */
    public B raggedSequences(String lengthsPath, String offsetsPath) {
        this.sequences = SequenceOptions.ragged(lengthsPath, offsetsPath).withFormat(seqFormat).withAlignment(seqAlignment)
                .withMaxLength(seqMax);
        return self();
    }

    /**
     * @param format {@link SequenceFormat#NCW} (default: {@code [batch, features, time]}, DL4J's
     *               {@code RNNFormat.NCW}) or {@link SequenceFormat#NWC} ({@code [batch, time, features]})
     * @return this builder
     */
    public B sequenceFormat(SequenceFormat format) {
        if (format == null) {
            throw new InvalidConfigurationException("sequenceFormat must not be null");
        }
        this.seqFormat = format;
        this.sequences = sequences == null ? null : sequences.withFormat(format);
        return self();
    }

    /**
     * @param alignment where a label given once per sequence sits: {@link SequenceAlignment#ALIGN_END}
     *                  (default, the sequence's last step) or {@code ALIGN_START}; as DL4J's
     *                  {@code AlignmentMode}
     * @return this builder
     */
    public B sequenceAlignment(SequenceAlignment alignment) {
        if (alignment == null) {
            throw new InvalidConfigurationException("sequenceAlignment must not be null");
        }
        this.seqAlignment = alignment;
        this.sequences = sequences == null ? null : sequences.withAlignment(alignment);
        return self();
    }

    /**
     * @param steps keep only the first {@code steps} steps of each sequence (default: all); a
     *              label given once per sequence with ALIGN_END then sits at the last kept step
     * @return this builder
     */
    public B maxSequenceLength(int steps) {
        if (steps < 1) {
            throw new InvalidConfigurationException("maxSequenceLength must be at least 1, got " + steps);
        }
        this.seqMax = steps;
        this.sequences = sequences == null ? null : sequences.withMaxLength(steps);
        return self();
    }
}
