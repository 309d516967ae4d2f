package org.multitables4j;

/**
 * The layout of a batch of sequences, as DL4J's {@code RNNFormat} names it.
 */
public enum SequenceFormat {
    /** {@code [batch, features, time]}: DL4J's default for recurrent layers ({@code RNNFormat.NCW}). */
    NCW,
    /** {@code [batch, time, features]}, time-major within an example ({@code RNNFormat.NWC}). */
    NWC
}
