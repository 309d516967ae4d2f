package org.multitables4j.spark;

import java.io.Serializable;
import org.multitables4j.Hdf5MultiDataSetIterator;

/**
 * Sets the options of the {@link Hdf5MultiDataSetIterator} that every executor builds over its
 * shard, for a {@code ComputationGraph}: inputs, outputs, batch size, order, seed. Serialised
 * with the tasks; write it as a lambda:
 *
 * <pre>{@code
 * MultiDataSetOptions opts = b -> b.input("/x", 784).outputOneHot("/y", 10).batchSize(128).seed(42);
 * }</pre>
 *
 * Return the builder that the chained calls return. The shard, the epoch, the worker count and
 * {@code copyBatches(true)} are set by {@link ShardedMultiDataSet} after this function.
 */
@FunctionalInterface
public interface MultiDataSetOptions extends Serializable {
    /**
     * @param builder a builder over the executor's copy of the file
     * @return the configured builder
     */
    Hdf5MultiDataSetIterator.Builder apply(Hdf5MultiDataSetIterator.Builder builder);
}
