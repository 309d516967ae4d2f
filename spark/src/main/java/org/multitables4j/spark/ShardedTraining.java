package org.multitables4j.spark;

import java.util.function.Consumer;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.core.loader.DataSetLoader;
import org.deeplearning4j.core.loader.MultiDataSetLoader;
import org.deeplearning4j.spark.api.TrainingMaster;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.multitables4j.InvalidConfigurationException;

/**
 * Trains a dl4j-spark network for whole epochs of {@link ShardedHdf5Data}: each training task
 * streams one shard from the HDF5 file on its executor.
 *
 * <pre>{@code
 * ShardLayout layout = data.layout(sc);
 * TrainingMaster<?, ?> tm = TrainingMasters.parameterAveraging(layout, 5).build();
 * SparkDl4jMultiLayer sparkNet = new SparkDl4jMultiLayer(sc, net, tm);
 * ShardedTraining training = ShardedTraining.of(sparkNet, data, layout);
 * for (int epoch = 0; epoch < 5; epoch++) {
 *     training.fitEpoch(epoch);          // the shuffle is a function of (seed, epoch)
 * }
 * }</pre>
 *
 * With a {@link ParameterAveragingTrainingMaster} an epoch is fitted in rounds: each round is one
 * {@code fitPaths} call over the next {@code averagingFrequency} batches of every shard (exactly
 * one averaging split, so dl4j-spark's random split never reorders a shard), followed by the
 * averaging. With another master (gradient sharing) the whole epoch is one {@code fitPaths}
 * call. Either way the master must keep the partitions (one per shard); the builders of
 * {@link TrainingMasters} are set up so.
 */
public final class ShardedTraining {
    private final JavaSparkContext sc;
    private final TrainingMaster<?, ?> master;
    private final ShardedHdf5Data data;
    private final ShardLayout layout;
    private final Consumer<JavaRDD<String>> fit;

    private ShardedTraining(JavaSparkContext sc, TrainingMaster<?, ?> master, ShardedHdf5Data data, ShardLayout layout,
            Consumer<JavaRDD<String>> fit) {
        if (layout.shards() != data.shards()) {
            throw new InvalidConfigurationException("the layout has " + layout.shards() + " shards, the data "
                    + data.shards() + " (" + data.source() + ")");
        }
        if (master instanceof ParameterAveragingTrainingMaster pa) {
            if (pa.getRddDataSetNumExamples() != layout.batchSize()) {
                throw new InvalidConfigurationException("the ParameterAveragingTrainingMaster expects "
                        + pa.getRddDataSetNumExamples() + " examples per loaded object, the loader's batch size is "
                        + layout.batchSize() + " (" + data.source() + ")");
            }
            int workers = pa.getNumWorkers() != null ? pa.getNumWorkers() : sc.defaultParallelism();
            if (workers < data.shards()) {
                throw new InvalidConfigurationException(data.shards() + " shards need at least as many workers;"
                        + " the master has " + workers + " (" + data.source() + ")");
            }
        }
        this.sc = sc;
        this.master = master;
        this.data = data;
        this.layout = layout;
        this.fit = fit;
    }

    /**
     * @param net    the network, with its training master
     * @param data   the sharded data
     * @param layout from {@code data.layout(sc)}
     * @return the training
     */
    public static ShardedTraining of(SparkDl4jMultiLayer net, ShardedDataSet data, ShardLayout layout) {
        return of(net, data, layout, new ShardBatchLoader(data));
    }

    /**
     * @param net    the network, with its training master
     * @param data   the sharded data
     * @param layout from {@code data.layout(sc)}
     * @param loader {@code new ShardBatchLoader(data)} or a loader that wraps it (to count or log batches)
     * @return the training
     */
    public static ShardedTraining of(SparkDl4jMultiLayer net, ShardedDataSet data, ShardLayout layout,
            DataSetLoader loader) {
        return new ShardedTraining(net.getSparkContext(), net.getTrainingMaster(), data, layout,
                rdd -> net.fitPaths(rdd, loader));
    }

    /**
     * @param graph  the graph (one input, one output), with its training master
     * @param data   the sharded data
     * @param layout from {@code data.layout(sc)}
     * @return the training
     */
    public static ShardedTraining of(SparkComputationGraph graph, ShardedDataSet data, ShardLayout layout) {
        DataSetLoader loader = new ShardBatchLoader(data);
        return new ShardedTraining(graph.getSparkContext(), graph.getTrainingMaster(), data, layout,
                rdd -> graph.fitPaths(rdd, loader));
    }

    /**
     * @param graph  the graph, with its training master
     * @param data   the sharded multi-input data
     * @param layout from {@code data.layout(sc)}
     * @return the training
     */
    public static ShardedTraining of(SparkComputationGraph graph, ShardedMultiDataSet data, ShardLayout layout) {
        return of(graph, data, layout, new ShardMultiBatchLoader(data));
    }

    /**
     * @param graph  the graph, with its training master
     * @param data   the sharded multi-input data
     * @param layout from {@code data.layout(sc)}
     * @param loader {@code new ShardMultiBatchLoader(data)} or a loader that wraps it
     * @return the training
     */
    public static ShardedTraining of(SparkComputationGraph graph, ShardedMultiDataSet data, ShardLayout layout,
            MultiDataSetLoader loader) {
        return new ShardedTraining(graph.getSparkContext(), graph.getTrainingMaster(), data, layout,
                rdd -> graph.fitPaths(rdd, loader));
    }

    /** @return the layout the epochs are cut by */
    public ShardLayout layout() {
        return layout;
    }

    /** @return {@code fitPaths} calls per epoch: averaging rounds, or 1 for gradient sharing */
    public int callsPerEpoch() {
        int f = roundBatches();
        return (layout.maxBatches() + f - 1) / f;
    }

    private int roundBatches() {
        if (master instanceof ParameterAveragingTrainingMaster pa) {
            return Math.max(1, pa.getAveragingFrequency());
        }
        return Math.max(1, layout.maxBatches());
    }

    /**
     * Fits one epoch: every batch of every shard once (with {@code ShardMode.PAD}, the padding
     * rows too), in the order the loader gives for this epoch.
     *
     * @param epoch the epoch; its order is a function of the seed and this number
     */
    public void fitEpoch(long epoch) {
        int f = roundBatches();
        for (int from = 0; from < layout.maxBatches(); from += f) {
            fit.accept(data.batchNames(sc, layout, epoch, from, from + f));
        }
    }
}
