package org.multitables4j;

/**
 * Counters of the block stores (decoded chunk rows) behind an iterator or a reader, in one
 * vocabulary for both.
 *
 * @param hits          requests for a block that was already decoded
 * @param misses        requests that had to decode their block
 * @param blocksDecoded blocks decoded, by misses and by workers decoding ahead
 * @param decodedBytes  bytes of rows decoded
 * @param blocksNeeded  distinct blocks needed (per epoch, summed, for iterators; ever requested,
 *                      for a reader)
 */
public record CacheStats(long hits, long misses, long blocksDecoded, long decodedBytes, long blocksNeeded) {
    static CacheStats of(org.multitables4j.internal.workers.BlockStats s) {
        return new CacheStats(s.hits(), s.misses(), s.decodes(), s.decodedBytes(), s.needed());
    }

    /**
     * @return blocks decoded per block needed: 1.0 when every needed block was decoded once, more
     *     when evicted blocks were decoded again (0 before anything was needed)
     */
    public double readAmplification() {
        return blocksNeeded == 0 ? 0 : (double) blocksDecoded / blocksNeeded;
    }
}
