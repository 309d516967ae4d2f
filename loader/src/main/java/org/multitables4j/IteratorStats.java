package org.multitables4j;

/**
 * Counters of an iterator since it was built (all epochs), taken at one moment. Subtract two
 * snapshots with {@link #minus(IteratorStats)} to measure one epoch.
 *
 * @param rows               rows delivered
 * @param batches            batches delivered
 * @param bytes              bytes of features and labels delivered
 * @param wallNanos          nanoseconds since the first batch was requested
 * @param consumerWaitNanos  nanoseconds the caller spent blocked in {@code next()}
 * @param workerBusyNanos    nanoseconds the workers spent reading, decoding and converting, summed over workers
 * @param blocksDecoded      chunk rows (blocks) decoded, including decodes repeated after eviction
 * @param blocksNeeded       distinct blocks the epochs needed; {@code blocksDecoded / blocksNeeded} is the read amplification
 * @param epochs             epochs started
 * @param cache              the block stores' counters (hits, misses, decoded bytes), the same
 *                           vocabulary as {@code Hdf5Reader.cacheStats()}
 * @param skippedChunks      undecodable chunks whose rows were left out with
 *                           {@link CorruptChunkPolicy#SKIP}, each counted once per epoch
 * @param skippedRows        rows left out of batches with {@link CorruptChunkPolicy#SKIP}
 */
public record IteratorStats(long rows, long batches, long bytes, long wallNanos, long consumerWaitNanos,
                            long workerBusyNanos, long blocksDecoded, long blocksNeeded, long epochs,
                            CacheStats cache, long skippedChunks, long skippedRows) {

    /**
     * Counters without skipped chunks (both 0).
     *
     * @param rows              rows delivered
     * @param batches           batches delivered
     * @param bytes             bytes delivered
     * @param wallNanos         nanoseconds since the first batch was requested
     * @param consumerWaitNanos nanoseconds the caller spent blocked in {@code next()}
     * @param workerBusyNanos   nanoseconds the workers spent filling batches
     * @param blocksDecoded     blocks decoded
     * @param blocksNeeded      distinct blocks needed
     * @param epochs            epochs started
     * @param cache             the block stores' counters
     */
    public IteratorStats(long rows, long batches, long bytes, long wallNanos, long consumerWaitNanos,
                         long workerBusyNanos, long blocksDecoded, long blocksNeeded, long epochs, CacheStats cache) {
        this(rows, batches, bytes, wallNanos, consumerWaitNanos, workerBusyNanos, blocksDecoded, blocksNeeded, epochs,
                cache, 0, 0);
    }

    /** @return megabytes (10^6 bytes) delivered */
    public double megabytes() {
        return bytes / 1e6;
    }

    /** @return rows per second of wall time (0 before the first batch) */
    public double rowsPerSecond() {
        return wallNanos <= 0 ? 0 : rows * 1e9 / wallNanos;
    }

    /** @return the share of wall time the caller waited for data, in [0, 1] */
    public double stallShare() {
        return wallNanos <= 0 ? 0 : Math.min(1.0, (double) consumerWaitNanos / wallNanos);
    }

    /** @return blocks decoded per block needed (1.0 = every chunk decoded once; 0 when nothing was decoded) */
    public double readAmplification() {
        return blocksNeeded == 0 ? 0 : (double) blocksDecoded / blocksNeeded;
    }

    /**
     * @param earlier an earlier snapshot of the same iterator
     * @return the counts between the two snapshots
     */
    public IteratorStats minus(IteratorStats earlier) {
        return new IteratorStats(rows - earlier.rows, batches - earlier.batches, bytes - earlier.bytes,
                wallNanos - earlier.wallNanos, consumerWaitNanos - earlier.consumerWaitNanos,
                workerBusyNanos - earlier.workerBusyNanos, blocksDecoded - earlier.blocksDecoded,
                blocksNeeded - earlier.blocksNeeded, epochs - earlier.epochs,
                new CacheStats(cache.hits() - earlier.cache.hits(), cache.misses() - earlier.cache.misses(),
                        cache.blocksDecoded() - earlier.cache.blocksDecoded(),
                        cache.decodedBytes() - earlier.cache.decodedBytes(),
                        cache.blocksNeeded() - earlier.cache.blocksNeeded()),
                skippedChunks - earlier.skippedChunks, skippedRows - earlier.skippedRows);
    }

    @Override
    public String toString() {
        return String.format("%d rows, %d batches, %.1f MB in %.3f s (%.0f rows/s), caller waited %.1f%%, "
                        + "workers busy %.3f s, %d blocks decoded (amplification %.2f), %d epochs%s",
                rows, batches, megabytes(), wallNanos / 1e9, rowsPerSecond(), 100 * stallShare(),
                workerBusyNanos / 1e9, blocksDecoded, readAmplification(), epochs,
                skippedChunks == 0 && skippedRows == 0 ? ""
                        : String.format(", %d corrupt chunks skipped (%d rows)", skippedChunks, skippedRows));
    }
}
