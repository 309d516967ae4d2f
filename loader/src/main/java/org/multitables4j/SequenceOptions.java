package org.multitables4j;

/**
 * How the rows of an iterator are sequences (see {@link Hdf5DataSetIterator.Builder#paddedSequences}).
 *
 * @param lengths   dataset of the steps of each sequence, {@code [n]}
 * @param offsets   dataset of the first step row of each sequence {@code [n]} (ragged layout),
 *                  or null: ragged sequences follow each other, or the layout is padded
 * @param ragged    the features are one {@code [steps, F]} table (else padded {@code [n, T, F]})
 * @param format    delivered layout
 * @param alignment where a per-sequence label sits
 * @param maxLength steps kept per sequence (the first ones), 0 for all
 */
record SequenceOptions(String lengths, String offsets, boolean ragged, SequenceFormat format,
                       SequenceAlignment alignment, int maxLength) {
    static SequenceOptions padded(String lengths) {
        return new SequenceOptions(check(lengths, "lengths"), null, false, SequenceFormat.NCW, SequenceAlignment.ALIGN_END, 0);
    }

    static SequenceOptions ragged(String lengths, String offsets) {
        return new SequenceOptions(check(lengths, "lengths"), offsets, true, SequenceFormat.NCW, SequenceAlignment.ALIGN_END, 0);
    }

    private static String check(String path, String what) {
        if (path == null || path.isBlank()) {
            throw new InvalidConfigurationException("the " + what + " dataset path must not be empty");
        }
        return path;
    }

    SequenceOptions withFormat(SequenceFormat f) {
        return new SequenceOptions(lengths, offsets, ragged, f, alignment, maxLength);
    }

    SequenceOptions withAlignment(SequenceAlignment a) {
        return new SequenceOptions(lengths, offsets, ragged, format, a, maxLength);
    }

    SequenceOptions withMaxLength(int m) {
        return new SequenceOptions(lengths, offsets, ragged, format, alignment, m);
    }
}
