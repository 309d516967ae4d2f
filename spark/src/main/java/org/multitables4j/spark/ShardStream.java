package org.multitables4j.spark;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
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

    /**
     * A shard stream over an open iterator, given by its methods.
     *
     * @param hasNext         the iterator's {@code hasNext}
     * @param next            the iterator's {@code next}
     * @param batchesPerEpoch batches of the shard per epoch
     * @param batchSize       rows per batch
     * @param state           the iterator's {@code state}
     * @param close           the iterator's {@code close}
     * @return the stream
     */
    static ShardStream of(BooleanSupplier hasNext, Supplier<Object> next, int batchesPerEpoch, int batchSize,
            Supplier<IteratorState> state, Runnable close) {
        return new ShardStream() {
            @Override
            public boolean hasNext() {
                return hasNext.getAsBoolean();
            }

            @Override
            public Object next() {
                return next.get();
            }

            @Override
            public int batchesPerEpoch() {
                return batchesPerEpoch;
            }

            @Override
            public int batchSize() {
                return batchSize;
            }

            @Override
            public IteratorState state() {
                return state.get();
            }

            @Override
            public void close() {
                close.run();
            }
        };
    }
}
