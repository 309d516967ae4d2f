package org.multitables4j;

/**
 * Where a label given once per sequence sits among the sequence's steps, as DL4J's
 * {@code SequenceRecordReaderDataSetIterator.AlignmentMode} places it: the features start at step
 * 0 and are padded at the end in both modes; the label (and the single 1 of the label mask) is at
 * the sequence's own first or last step. Labels given per step follow the steps and are masked
 * like the features.
 */
public enum SequenceAlignment {
    /** The label at the first step ({@code AlignmentMode.ALIGN_START}). */
    ALIGN_START,
    /** The label at the sequence's last step ({@code AlignmentMode.ALIGN_END}; the default): many-to-one. */
    ALIGN_END
}
