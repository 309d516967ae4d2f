package org.multitables4j;

/**
 * What a streaming iterator does with a chunk it cannot decode (a bad checksum, a broken
 * compressed stream, a chunk that ends early): {@link StreamOptions#onCorruptChunk}.
 *
 * <p>Either way, every batch before the first one that needs the chunk is delivered as usual.
 */
public enum CorruptChunkPolicy {
    /**
     * The default: the {@code next()} that would return the first batch needing the chunk throws
     * the {@link CorruptDataException} (naming the file, the dataset and the chunk) instead. In
     * every order but {@link Order#AS_AVAILABLE}, {@code state()} is then exactly that batch, so a
     * run resumed from it starts with that batch and skips nothing; a later {@code next()} on the
     * same iterator tries that batch again.
     */
    FAIL,

    /**
     * The rows of the chunk are left out of the batches that would hold them: such a batch is
     * delivered with fewer rows (a batch that loses every row is not delivered at all), the rows
     * of every array of the batch (features, labels, inputs, outputs) stay aligned, and
     * {@code lastIndices()} lists the rows delivered. Each such chunk is logged once (WARN, logger
     * {@code org.multitables4j.CorruptChunks}, naming the file, the dataset and the chunk) and
     * counted in {@link IteratorStats#skippedChunks()} (once per epoch) and
     * {@link IteratorStats#skippedRows()}. Only chunks that fail to decode are skipped; other
     * errors (a class id outside {@code oneHot}, an unreadable file) still fail as with
     * {@link #FAIL}. Not available for sequences.
     */
    SKIP
}
