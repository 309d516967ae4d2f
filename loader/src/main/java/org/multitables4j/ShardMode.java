package org.multitables4j;

/** How an epoch's rows are divided when an iterator reads one shard of several. */
public enum ShardMode {
    /**
     * Every shard gets the same number of full batches; the epoch's row sequence is extended by
     * repeating its first rows (same epoch order) up to a multiple of shards x batch size. The
     * union of the shards is the whole dataset. The default.
     */
    PAD,
    /** Every shard gets the same number of full batches; the tail of the sequence is dropped. */
    DROP,
    /** Global batches are dealt round-robin; batch counts of the shards differ by at most one. */
    UNEVEN
}
