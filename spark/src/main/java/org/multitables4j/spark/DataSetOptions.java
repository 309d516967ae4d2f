package org.multitables4j.spark;

import java.io.Serializable;
import org.multitables4j.Hdf5DataSetIterator;

/**
 * Sets the options of the {@link Hdf5DataSetIterator} that every executor builds over its
 * shard: datasets, batch size, order, seed and the rest. It is serialised with the tasks, so a
 * lambda written for this type is enough:
 *
 * <pre>{@code
 * DataSetOptions opts = b -> b.features("/train/x").labels("/train/y").oneHot(10)
 *         .featureShape(784).batchSize(128).order(Order.SHUFFLED).seed(42);
 * }</pre>
 *
 * Return the builder that the chained calls return. The shard, the epoch, the worker count and
 * {@code copyBatches(true)} are set by {@link ShardedDataSet} after this function and override
 * what it sets.
 */
@FunctionalInterface
public interface DataSetOptions extends Serializable {
    /**
     * @param builder a builder over the executor's copy of the file
     * @return the configured builder
     */
    Hdf5DataSetIterator.Builder apply(Hdf5DataSetIterator.Builder builder);
}
