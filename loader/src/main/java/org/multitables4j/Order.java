package org.multitables4j;

/** The order in which an epoch's rows are delivered. */
public enum Order {
    /** Rows in on-disk order; batches are delivered in sequence. */
    ORDERED,
    /**
     * The same batches as {@link #ORDERED}, delivered as soon as any is ready (the fastest
     * mode; batch order varies from run to run, batch contents do not).
     */
    AS_AVAILABLE,
    /**
     * Window shuffle: chunks are visited in a random order in windows of several chunks, all rows
     * of a window are permuted, and batches are cut from the result. Each chunk is decoded once
     * per epoch. The order is a pure function of (seed, epoch).
     */
    SHUFFLED,
    /**
     * A uniform random permutation of all rows, served through a chunk cache; chunks may be
     * decoded more than once (see {@link IteratorStats#blocksDecoded()}). The order is a pure
     * function of (seed, epoch).
     */
    RANDOM,
    /**
     * Random minibatches for SGD: each epoch draws {@code samplesPerEpoch} rows (default: the
     * dataset's row count) uniformly, or by {@code sampleWeights}, with replacement. The draw is
     * a pure function of (seed, epoch); chunks are served through the chunk cache as for RANDOM.
     */
    RANDOM_WITH_REPLACEMENT
}
