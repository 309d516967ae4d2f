package org.multitables4j;

/**
 * The order in which an epoch's rows are delivered. Each order carries its behaviour (whether
 * rows are permuted, batches delivered in sequence, positions resumable, rows drawn at random),
 * which the engine reads instead of testing for orders by name.
 */
public enum Order {
    /** Rows in on-disk order; batches are delivered in sequence. */
    ORDERED(false, true, false, false),
    /**
     * The same batches as {@link #ORDERED}, delivered as soon as any is ready (the fastest
     * mode; batch order varies from run to run, batch contents do not).
     */
    AS_AVAILABLE(false, false, false, false),
    /**
     * Window shuffle: chunks are visited in a random order in windows of several chunks, all rows
     * of a window are permuted, and batches are cut from the result. Each chunk is decoded once
     * per epoch. The order is a pure function of (seed, epoch).
     */
    SHUFFLED(true, true, false, false),
    /**
     * A uniform random permutation of all rows, served through a chunk cache; chunks may be
     * decoded more than once (see {@link IteratorStats#blocksDecoded()}). The order is a pure
     * function of (seed, epoch).
     */
    RANDOM(true, true, true, false),
    /**
     * Random minibatches for SGD: each epoch draws {@code samplesPerEpoch} rows (default: the
     * dataset's row count) uniformly, or by {@code sampleWeights}, with replacement. The draw is
     * a pure function of (seed, epoch); chunks are served through the chunk cache as for RANDOM.
     */
    RANDOM_WITH_REPLACEMENT(true, true, true, true);

    private final boolean permuted;
    private final boolean inSequence;
    private final boolean random;
    private final boolean withReplacement;

    Order(boolean permuted, boolean inSequence, boolean random, boolean withReplacement) {
        this.permuted = permuted;
        this.inSequence = inSequence;
        this.random = random;
        this.withReplacement = withReplacement;
    }

    /** @return true when the epoch's rows are a permutation or a draw, not the on-disk order */
    public boolean permuted() {
        return permuted;
    }

    /**
     * @return true when batches are delivered in their index order, so that a position
     *     ({@code state()}) is meaningful and an epoch can be resumed
     */
    public boolean inSequence() {
        return inSequence;
    }

    /** @return true when a batch may touch any chunk: the block cache should hold the dataset */
    public boolean random() {
        return random;
    }

    /** @return true when rows are drawn with replacement ({@code samplesPerEpoch}, {@code sampleWeights}) */
    public boolean withReplacement() {
        return withReplacement;
    }

    /**
     * @return true when rows are permuted within windows of whole chunks ({@code shuffleWindow}),
     *     so that each chunk is read whole, once
     */
    public boolean windowed() {
        return this == SHUFFLED;
    }

    /** @return true when {@code state()}/{@code resumeFrom} apply */
    public boolean resumable() {
        return inSequence;
    }
}
