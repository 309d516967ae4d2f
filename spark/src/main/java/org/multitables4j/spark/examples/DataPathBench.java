package org.multitables4j.spark.examples;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.multitables4j.Hdf5DataSetIterator;
import org.multitables4j.Order;
import org.multitables4j.examples.ExampleData;
import org.multitables4j.spark.Hdf5Source;
import org.multitables4j.spark.ShardLayout;
import org.multitables4j.spark.ShardedDataSet;
import org.multitables4j.spark.ShardedTraining;
import org.multitables4j.spark.TrainingMasters;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.preprocessor.ImagePreProcessingScaler;

/**
 * Compares the two ways of feeding dl4j-spark from HDF5 shards, one epoch each of the main job's
 * MLP with parameter averaging in local[2]: (a) {@code fitPaths} over batch names with the
 * executors' shard loaders ({@link ShardedTraining}), (b) {@code fit(JavaRDD<DataSet>)} per
 * averaging round over an RDD whose partitions stream their shard's batches lazily (Direct
 * approach, no persistence, so no row is serialised; dl4j-spark's {@code count()} then reads
 * each round once more). Arguments: [epochs].
 */
public final class DataPathBench {
    private DataPathBench() {
    }

    /**
     * @param args optional number of epochs per variant (default 1)
     */
    public static void main(String[] args) {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        Path file = ExampleData.prepare(Path.of("data"), Path.of("/usr/share/datasets/fashion-mnist"), 20000, 42, false)
                .file().toAbsolutePath();
        SparkConf conf = new SparkConf().setAppName("data-path-bench").setMaster("local[2]")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1");
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            sc.setLogLevel("WARN");
            ShardedDataSet data = ShardedDataSet.of(Hdf5Source.path(file), 2, b -> b.features("/train/x")
                    .labels("/train/y").oneHot(10).featureShape(784).batchSize(128).order(Order.SHUFFLED).seed(42))
                    .withPreProcessor(new ImagePreProcessingScaler(0, 1));
            ShardLayout layout = data.layout(sc);
            int f = 5;
            for (String variant : new String[] {"fitPaths", "lazy RDD", "fitPaths", "lazy RDD"}) {
                SparkDl4jMultiLayer net = new SparkDl4jMultiLayer(sc,
                        org.multitables4j.examples.TrainFashionMnist.network(org.multitables4j.examples.TrainFashionMnist.Architecture.MLP, 42),
                        TrainingMasters.parameterAveraging(layout, f).rddTrainingApproach(RDDTrainingApproach.Direct)
                                .storageLevel(null).build());
                ShardedTraining training = ShardedTraining.of(net, data, layout);
                for (int e = 0; e < epochs; e++) {
                    long t0 = System.nanoTime();
                    if (variant.equals("fitPaths")) {
                        training.fitEpoch(e);
                    } else {
                        for (int from = 0; from < layout.maxBatches(); from += f) {
                            net.fit(lazyRound(sc, data, layout, e, from, from + f));
                        }
                    }
                    System.out.printf("%-9s epoch %d: %.1f s%n", variant, e, (System.nanoTime() - t0) / 1e9);
                }
            }
        }
    }

    /** An RDD of batches [from, to) of every shard, each partition streaming its shard when computed. */
    static JavaRDD<DataSet> lazyRound(JavaSparkContext sc, ShardedDataSet data, ShardLayout layout, long epoch, int from,
            int to) {
        List<Integer> shards = new ArrayList<>();
        for (int s = 0; s < data.shards(); s++) {
            shards.add(s);
        }
        return sc.parallelize(shards, data.shards()).mapPartitions(it -> {
            List<DataSet> out = new ArrayList<>();
            while (it.hasNext()) {
                int s = it.next();
                int end = Math.min(to, layout.batchesPerShard().get(s));
                if (from >= end) {
                    continue;
                }
                try (Hdf5DataSetIterator shard = data.iterator(s, epoch, from)) {
                    for (int b = from; b < end; b++) {
                        out.add(shard.next());
                    }
                }
            }
            return out.iterator();
        });
    }
}
