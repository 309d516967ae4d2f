package org.multitables4j.internal.workers;

/**
 * The running counters of one {@link BlockCache}: hits, misses, blocks decoded, decoded bytes and
 * distinct blocks needed. Not thread-safe: every method runs under the cache's lock.
 */
final class BlockCounters {
    private long hits;
    private long misses;
    private long decodes;
    private long decodedBytes;
    private long needed;

    /** A request found its block decoded. */
    void hit() {
        hits++;
    }

    /** A request had to decode its block. */
    void miss() {
        misses++;
    }

    /**
     * A block was decoded (a miss, a decode ahead or a decode into a slot).
     *
     * @param bytes bytes of the block's rows
     */
    void decoded(long bytes) {
        decodes++;
        decodedBytes += bytes;
    }

    /** One more distinct block needed (per epoch for a planned store, once per block for LRU). */
    void needed() {
        needed++;
    }

    /** @return the counters so far */
    BlockStats snapshot() {
        return new BlockStats(hits, misses, decodes, decodedBytes, needed);
    }
}
