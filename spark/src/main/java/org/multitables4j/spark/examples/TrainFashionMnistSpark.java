package org.multitables4j.spark.examples;

import org.multitables4j.examples.TrainFashionMnist;
import org.multitables4j.examples.TrainFashionMnist.Architecture;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.TrainingMaster;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.multitables4j.Hdf5DataSetIterator;
import org.multitables4j.Order;
import org.multitables4j.examples.ExampleData;
import org.multitables4j.spark.Hdf5Source;
import org.multitables4j.spark.ShardLayout;
import org.multitables4j.spark.ShardedDataSet;
import org.multitables4j.spark.ShardedTraining;
import org.multitables4j.spark.TrainingMasters;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.dataset.api.preprocessor.ImagePreProcessingScaler;
import org.nd4j.parameterserver.distributed.conf.VoidConfiguration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The main job on Spark ({@code ./train.sh --spark}): the network of
 * {@code org.multitables4j.examples.TrainFashionMnist} trained with dl4j-spark from the same
 * HDF5 file (Fashion-MNIST converted from Debian's {@code dataset-fashion-mnist}, otherwise the
 * generated fallback), each Spark task streaming one shard of {@code /train} on its executor.
 * Prints per epoch the training time, rows/s and the test accuracy (evaluated on the driver).
 */
@Command(name = "train-fashion-mnist-spark", mixinStandardHelpOptions = true,
        description = "Train the main job's network on Spark (dl4j-spark), each task streaming an HDF5 shard.")
public final class TrainFashionMnistSpark implements Callable<Integer> {
    /** How the workers combine their training. */
    public enum Mode {
        /** ParameterAveragingTrainingMaster: synchronous averaging every {@code --averaging} batches. */
        AVERAGING,
        /** SharedTrainingMaster: asynchronous threshold-encoded gradient sharing. */
        SHARING
    }

    @Option(names = "--master", description = "Spark master (default: ${DEFAULT-VALUE}; ignored under spark-submit)")
    String master = "local[2]";

    @Option(names = "--shards", description = "shards = concurrent training tasks (default: the master's parallelism)")
    int shards;

    @Option(names = "--mode", description = "AVERAGING or SHARING (default: ${DEFAULT-VALUE})")
    Mode mode = Mode.AVERAGING;

    @Option(names = "--averaging", description = "batches per worker between parameter averagings (default: ${DEFAULT-VALUE})")
    int averaging = 5;

    @Option(names = "--model", description = "MLP or CNN (default: ${DEFAULT-VALUE})")
    Architecture model = Architecture.MLP;

    @Option(names = "--epochs", description = "training epochs (default: ${DEFAULT-VALUE})")
    int epochs = 5;

    @Option(names = "--batch", description = "rows per batch and worker (default: ${DEFAULT-VALUE})")
    int batch = 128;

    @Option(names = "--loader-workers", description = "loader threads per shard (default: ${DEFAULT-VALUE})")
    int loaderWorkers = 1;

    @Option(names = "--data", description = "HDF5 file with /train/x, /train/y, /test/x, /test/y, at this path on every executor"
            + " (default: prepared under --work-dir)")
    Path data;

    @Option(names = "--fashion-mnist-dir", description = "directory of the Fashion-MNIST IDX files (default: ${DEFAULT-VALUE})")
    Path idxDir = Path.of("/usr/share/datasets/fashion-mnist");

    @Option(names = "--work-dir", description = "where converted or generated data is kept (default: ${DEFAULT-VALUE})")
    Path workDir = Path.of("data");

    @Option(names = "--generated-rows", description = "training rows of the generated fallback dataset (default: ${DEFAULT-VALUE})")
    int generatedRows = 20000;

    @Option(names = "--seed", description = "seed of the network and the shuffle (default: ${DEFAULT-VALUE})")
    long seed = 42;

    private final PrintStream out;
    private double lastAccuracy = Double.NaN;

    /** Creates the job printing to standard output. */
    public TrainFashionMnistSpark() {
        this(System.out);
    }

    TrainFashionMnistSpark(PrintStream out) {
        this.out = out;
    }

    /** @return test accuracy after the last epoch (NaN before training) */
    public double lastAccuracy() {
        return lastAccuracy;
    }

    @Override
    public Integer call() {
        Path file = data;
        if (file == null) {
            ExampleData.Prepared p = ExampleData.prepare(workDir, idxDir, generatedRows, seed, false);
            file = p.file();
            out.println("Data: " + p.description());
        } else {
            out.println("Data: " + file);
        }
        SparkConf conf = new SparkConf().setAppName("multitables4j-fashion-mnist").setIfMissing("spark.master", master)
                .setIfMissing("spark.ui.enabled", "false");
        if (conf.get("spark.master").startsWith("local")) {
            conf.setIfMissing("spark.driver.host", "127.0.0.1").setIfMissing("spark.driver.bindAddress", "127.0.0.1");
        }
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            sc.setLogLevel("WARN");
            int n = shards > 0 ? shards : sc.defaultParallelism();
            final boolean mlp = model == Architecture.MLP;
            final int rows = batch;
            final long shuffleSeed = seed;
            ShardedDataSet train = ShardedDataSet.of(Hdf5Source.path(file.toAbsolutePath()), n, b -> {
                Hdf5DataSetIterator.Builder s = b.features("/train/x").labels("/train/y").oneHot(10)
                        .batchSize(rows).order(Order.SHUFFLED).seed(shuffleSeed);
                return mlp ? s.featureShape(28 * 28) : s.featureShape(1, 28, 28);
            }).withLoaderWorkers(loaderWorkers).withPreProcessor(new ImagePreProcessingScaler(0, 1));
            ShardLayout layout = train.layout(sc);
            TrainingMaster<?, ?> tm = mode == Mode.AVERAGING
                    ? TrainingMasters.parameterAveraging(layout, averaging).build()
                    : TrainingMasters.gradientSharing(layout, VoidConfiguration.builder().unicastPort(40123)
                            .controllerAddress(conf.get("spark.driver.host", "127.0.0.1")).build()).build();
            SparkDl4jMultiLayer sparkNet = new SparkDl4jMultiLayer(sc, TrainFashionMnist.network(model, seed), tm);
            ShardedTraining training = ShardedTraining.of(sparkNet, train, layout);
            out.printf("Model: %s, %d parameters; Spark %s, %d shards of %d batches of %d rows, %s%s, %d loader worker(s) per shard%n",
                    model, sparkNet.getNetwork().numParams(), conf.get("spark.master"), n, layout.maxBatches(), batch,
                    mode, mode == Mode.AVERAGING ? " every " + averaging + " batches" : "", loaderWorkers);
            out.printf("%5s %10s %9s %10s %8s%n", "epoch", "score", "test acc", "samples/s", "time s");
            for (int e = 0; e < epochs; e++) {
                long t0 = System.nanoTime();
                training.fitEpoch(e);
                double seconds = (System.nanoTime() - t0) / 1e9;
                lastAccuracy = evaluate(sparkNet.getNetwork(), file, mlp).accuracy();
                out.printf("%5d %10.4f %9.4f %10.0f %8.1f%n", e + 1, sparkNet.getScore(), lastAccuracy,
                        layout.totalBatches() * batch / seconds, seconds);
            }
            out.printf("Direct (NIO) memory of this JVM after training (loader rings and blocks, Spark's buffers): %.1f MiB%n",
                    directBytes() / 1048576.0);
            sparkNet.getTrainingMaster().deleteTempFiles(sc);
        }
        out.printf("Final test accuracy: %.4f%n", lastAccuracy);
        return 0;
    }

    private static long directBytes() {
        long used = 0;
        for (java.lang.management.BufferPoolMXBean pool
                : java.lang.management.ManagementFactory.getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                used += pool.getMemoryUsed();
            }
        }
        return used;
    }

    private static Evaluation evaluate(MultiLayerNetwork net, Path file, boolean mlp) {
        Hdf5DataSetIterator.Builder b = Hdf5DataSetIterator.builder(file).features("/test/x").labels("/test/y")
                .oneHot(10).batchSize(512).order(Order.ORDERED).workers(2);
        try (Hdf5DataSetIterator test = (mlp ? b.featureShape(28 * 28) : b.featureShape(1, 28, 28)).build()) {
            test.setPreProcessor(new ImagePreProcessingScaler(0, 1));
            return net.evaluate(test);
        }
    }

    /**
     * @param args see {@code --help}
     */
    public static void main(String[] args) {
        System.exit(new CommandLine(new TrainFashionMnistSpark()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
    }
}
