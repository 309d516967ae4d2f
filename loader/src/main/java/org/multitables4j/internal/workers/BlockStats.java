package org.multitables4j.internal.workers;

/**
 * Counters since the store was made.
 *
 * @param hits         requests for a block that was cached
 * @param misses       requests that had to decode the block
 * @param decodes      blocks decoded (misses, decodes ahead and decodes into a slot)
 * @param decodedBytes bytes of rows decoded
 * @param needed       distinct blocks needed, summed over epochs (planned) or requested
 *                     (LRU): {@code decodes / needed} is the read amplification
 */
public record BlockStats(long hits, long misses, long decodes, long decodedBytes, long needed) {
    /**
     * @param o other counters
     * @return the sums
     */
    public BlockStats plus(BlockStats o) {
        return new BlockStats(hits + o.hits, misses + o.misses, decodes + o.decodes, decodedBytes + o.decodedBytes,
                needed + o.needed);
    }

    /** No counts. */
    public static final BlockStats ZERO = new BlockStats(0, 0, 0, 0, 0);
}
