package org.multitables4j.spark;

import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.parameterserver.training.SharedTrainingMaster;
import org.nd4j.parameterserver.distributed.conf.VoidConfiguration;

/**
 * dl4j-spark training masters set up for {@link ShardedTraining}: one worker per shard, the
 * worker batch size and the examples per loaded object equal to the loader's batch size, and no
 * repartitioning of the batch names (each task keeps its shard), and no prefetch by dl4j-spark:
 * the shard's iterator prefetches on its own workers, and a batch that fails to load inside
 * dl4j-spark's prefetch thread ({@code AsyncDataSetIterator}, 1.0.0-M2) leaves the task waiting
 * forever instead of failing it, so Spark could not retry it. Further options can be set on the
 * returned builders.
 */
public final class TrainingMasters {
    private TrainingMasters() {
    }

    /**
     * Synchronous parameter averaging: every worker fits {@code averagingFrequency} batches of
     * its shard, then the parameters (and updater state) are averaged on the driver.
     *
     * @param layout             from {@link ShardedHdf5Data#layout}
     * @param averagingFrequency batches each worker fits between averagings
     * @return a builder; {@code build()} it
     */
    public static ParameterAveragingTrainingMaster.Builder parameterAveraging(ShardLayout layout, int averagingFrequency) {
        return new ParameterAveragingTrainingMaster.Builder(layout.shards(), layout.batchSize())
                .batchSizePerWorker(layout.batchSize())
                .averagingFrequency(averagingFrequency)
                .repartionData(Repartition.Never)
                .workerPrefetchNumBatches(0);
    }

    /**
     * The Aeron system property that gradient sharing needs: dl4j's transport (1.0.0-M2) sets a
     * client liveness timeout of 30 s, and Aeron refuses to start its media driver unless the
     * publication unblock timeout (15 s by default) is longer.
     */
    public static final String AERON_UNBLOCK_TIMEOUT = "aeron.publication.unblock.timeout";

    /** The value set for {@link #AERON_UNBLOCK_TIMEOUT}: 60 s in nanoseconds. */
    public static final String AERON_UNBLOCK_TIMEOUT_NS = "60000000000";

    /**
     * Asynchronous gradient sharing (threshold-encoded updates over Aeron UDP): every worker fits
     * its whole shard for the epoch. Sets the system property {@link #AERON_UNBLOCK_TIMEOUT} in
     * this JVM unless it is set; on a cluster, give it to the executors too
     * ({@code spark.executor.extraJavaOptions=-Daeron.publication.unblock.timeout=60000000000}).
     *
     * @param layout            from {@link ShardedHdf5Data#layout}
     * @param voidConfiguration the transport: unicast port and controller address (the driver's
     *                          address on a cluster; {@code 127.0.0.1} in local mode)
     * @return a builder; {@code build()} it
     */
    public static SharedTrainingMaster.Builder gradientSharing(ShardLayout layout, VoidConfiguration voidConfiguration) {
        if (System.getProperty(AERON_UNBLOCK_TIMEOUT) == null) {
            System.setProperty(AERON_UNBLOCK_TIMEOUT, AERON_UNBLOCK_TIMEOUT_NS);
        }
        return new SharedTrainingMaster.Builder(voidConfiguration, layout.batchSize())
                .batchSizePerWorker(layout.batchSize())
                .repartitionData(Repartition.Never)
                .repartitioner(new KeepShardPartitions())
                .workerPrefetchNumBatches(0);
    }
}
