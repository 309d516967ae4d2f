package org.multitables4j.datasets;

/**
 * How sequence training files store sequences of different lengths (for recurrent networks).
 * Both write {@code lengths} (int64 {@code [n]}, steps per sequence); see the README section "The sequence file layout"
 * for the exact layout.
 */
public enum SequenceLayout {
    /**
     * Every step of every sequence in one {@code x} float32 {@code [steps, F]}, sequence after
     * sequence, with {@code offsets} (int64 {@code [n]}, the first row of each sequence) beside
     * {@code lengths}. Nothing is padded; the file holds exactly the data.
     */
    RAGGED,
    /**
     * {@code x} float32 {@code [n, T, F]} with {@code T} the longest sequence, steps past a
     * sequence's length filled with zeros (as are per-step labels there), ready for a
     * fixed-length batch with a mask built from {@code lengths}.
     */
    PADDED
}
