package org.multitables4j.spark;

import org.apache.spark.api.java.JavaRDD;
import org.deeplearning4j.spark.api.Repartitioner;

/**
 * A dl4j-spark {@link Repartitioner} that leaves the batch names as they are: one partition per
 * shard, in batch order, so that each training task streams its shard's batches in sequence.
 * Set it on a {@code SharedTrainingMaster} ({@code .repartitioner(new KeepShardPartitions())});
 * {@link TrainingMasters#gradientSharing} does.
 */
public final class KeepShardPartitions implements Repartitioner {
    private static final long serialVersionUID = 1L;

    /** Creates the repartitioner. */
    public KeepShardPartitions() {
    }

    /**
     * @param input                  the batch names
     * @param minObjectsPerPartition ignored
     * @param numExecutors           ignored
     * @return {@code input}, unchanged
     */
    @Override
    public <T> JavaRDD<T> repartition(JavaRDD<T> input, int minObjectsPerPartition, int numExecutors) {
        return input;
    }
}
