package org.multitables4j.spark;

import org.multitables4j.IteratorState;

/**
 * One executor's open iterator over one shard, whichever the iterator type: the little that
 * {@link ShardCursors} needs to deliver batches in order and to resume.
 */
interface ShardStream extends AutoCloseable {
    /** @return true while the epoch has batches left */
    boolean hasNext();

    /** @return the next batch, a detached copy ({@code DataSet} or {@code MultiDataSet}) */
    Object next();

    /** @return batches of this shard per epoch */
    int batchesPerEpoch();

    /** @return rows per batch (the last batch of an epoch may have fewer) */
    int batchSize();

    /** @return the position after the batches delivered so far */
    IteratorState state();

    /** Stops the workers and closes the file. */
    @Override
    void close();
}
