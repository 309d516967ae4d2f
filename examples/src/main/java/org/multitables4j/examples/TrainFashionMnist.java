package org.multitables4j.examples;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.multitables4j.Hdf5DataSetIterator;
import org.multitables4j.IteratorStats;
import org.multitables4j.Order;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.api.preprocessor.ImagePreProcessingScaler;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The main job: trains a DL4J network on Fashion-MNIST streamed from HDF5 through
 * {@link Hdf5DataSetIterator}. Uses Debian's {@code dataset-fashion-mnist} files when present
 * (converted once to HDF5), otherwise a generated image dataset, and says which. Prints per
 * epoch: training loss, test accuracy, samples/s and the loader stall share (time the trainer
 * waited for data / epoch time).
 */
@Command(name = "train-fashion-mnist", mixinStandardHelpOptions = true,
        description = "Train an MLP or a small CNN on Fashion-MNIST streamed from HDF5.")
public final class TrainFashionMnist implements Callable<Integer> {
    /** Network architectures. */
    public enum Architecture {
        /** 784-256-128-10 perceptron. */
        MLP,
        /** Two convolution/pooling stages and a dense layer. */
        CNN
    }

    @Option(names = "--model", description = "MLP or CNN (default: ${DEFAULT-VALUE})")
    Architecture model = Architecture.MLP;

    @Option(names = "--epochs", description = "training epochs (default: ${DEFAULT-VALUE})")
    int epochs = 5;

    @Option(names = "--batch", description = "rows per batch (default: ${DEFAULT-VALUE})")
    int batch = 128;

    @Option(names = "--workers", description = "loader threads (default: the number of cores)")
    int workers = Runtime.getRuntime().availableProcessors();

    @Option(names = "--data", description = "HDF5 file with /train/x, /train/y, /test/x, /test/y (default: prepared under --work-dir)")
    Path data;

    @Option(names = "--fashion-mnist-dir", description = "directory of the Fashion-MNIST IDX files (default: ${DEFAULT-VALUE})")
    Path idxDir = Path.of("/usr/share/datasets/fashion-mnist");

    @Option(names = "--work-dir", description = "where converted or generated data is kept (default: ${DEFAULT-VALUE})")
    Path workDir = Path.of("data");

    @Option(names = "--generated-rows", description = "training rows of the generated fallback dataset (default: ${DEFAULT-VALUE})")
    int generatedRows = 20000;

    @Option(names = "--max-batches", description = "stop each epoch after this many batches (0: all; for smoke tests)")
    int maxBatches;

    @Option(names = "--seed", description = "seed of the network and the shuffle (default: ${DEFAULT-VALUE})")
    long seed = 42;

    @Option(names = "--sampling", description = "random minibatches drawn with replacement (one dataset's worth per epoch)"
            + " instead of SHUFFLED epochs")
    boolean sampling;

    @Option(names = "--quiet", description = "no progress bar")
    boolean quiet;

    private final PrintStream out;
    private double lastAccuracy = Double.NaN;

    /** Creates the job printing to standard output. */
    public TrainFashionMnist() {
        this(System.out);
    }

    TrainFashionMnist(PrintStream out) {
        this.out = out;
    }

    /** @return test accuracy after the last epoch (NaN before training) */
    public double lastAccuracy() {
        return lastAccuracy;
    }

    /**
     * The main job's network, also trained on Spark by the spark module's example.
     *
     * @param model the architecture
     * @param seed  the weights' seed
     * @return the initialised network
     */
    public static MultiLayerNetwork network(Architecture model, long seed) {
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder()
                .seed(seed).updater(new Adam(1e-3)).weightInit(WeightInit.XAVIER).list();
        if (model == Architecture.MLP) {
            b.layer(new DenseLayer.Builder().nOut(256).activation(Activation.RELU).build())
                    .layer(new DenseLayer.Builder().nOut(128).activation(Activation.RELU).build())
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
                            .activation(Activation.SOFTMAX).build())
                    .setInputType(InputType.feedForward(28 * 28));
        } else {
            b.layer(new ConvolutionLayer.Builder(5, 5).nOut(16).activation(Activation.RELU).build())
                    .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                    .layer(new ConvolutionLayer.Builder(5, 5).nOut(32).activation(Activation.RELU).build())
                    .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                    .layer(new DenseLayer.Builder().nOut(128).activation(Activation.RELU).build())
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10)
                            .activation(Activation.SOFTMAX).build())
                    .setInputType(InputType.convolutional(28, 28, 1));
        }
        MultiLayerConfiguration conf = b.build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /**
     * Builds the iterator over one split: pixels scaled to [0, 1] on the workers, rows shaped
     * for the model.
     */
    static Hdf5DataSetIterator.Builder split(Path file, String split, Architecture model) {
        Hdf5DataSetIterator.Builder b = Hdf5DataSetIterator.builder(file)
                .features("/" + split + "/x").labels("/" + split + "/y").oneHot(10);
        return model == Architecture.MLP ? b.featureShape(28 * 28) : b.featureShape(1, 28, 28);
    }

    @Override
    public Integer call() {
        Path file = data;
        if (file == null) {
            ExampleData.Prepared p = ExampleData.prepare(workDir, idxDir, generatedRows, seed, !quiet);
            file = p.file();
            out.println("Data: " + p.description());
        } else {
            out.println("Data: " + file);
        }
        MultiLayerNetwork net = network(model, seed);
        out.printf("Model: %s, %d parameters; loader: %d workers, batch %d, %s%n",
                model, net.numParams(), workers, batch, sampling ? "RANDOM_WITH_REPLACEMENT" : "SHUFFLED");
        List<String> summary = new ArrayList<>();
        Order order = sampling ? Order.RANDOM_WITH_REPLACEMENT : Order.SHUFFLED;
        try (Hdf5DataSetIterator train = split(file, "train", model).batchSize(batch).order(order)
                .seed(seed).workers(workers).build();
             Hdf5DataSetIterator test = split(file, "test", model).batchSize(512).order(Order.ORDERED)
                     .workers(workers).build()) {
            ImagePreProcessingScaler scale = new ImagePreProcessingScaler(0, 1);
            train.setPreProcessor(scale);
            test.setPreProcessor(scale);
            EpochListener listener = new EpochListener();
            net.setListeners(listener);
            out.printf("%5s %10s %9s %10s %7s %8s%n", "epoch", "loss", "test acc", "samples/s", "stall", "time s");
            for (int e = 0; e < epochs; e++) {
                train.reset();
                IteratorStats before = train.stats();
                long t0 = System.nanoTime();
                listener.start();
                int steps = maxBatches > 0 ? Math.min(maxBatches, train.batchesPerEpoch()) : train.batchesPerEpoch();
                try (ProgressBar bar = quiet ? null : new ProgressBarBuilder().setTaskName("epoch " + (e + 1))
                        .setInitialMax(steps).setStyle(ProgressBarStyle.ASCII).setUnit(" batches", 1)
                        .setUpdateIntervalMillis(250).build()) {
                    listener.bar = bar;
                    for (int s = 0; s < steps && train.hasNext(); s++) {
                        net.fit(train.next());
                    }
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                IteratorStats epochStats = train.stats().minus(before);
                double stall = epochStats.consumerWaitNanos() / 1e9 / seconds;
                test.reset();
                Evaluation ev = maxBatches > 0 ? evaluate(net, test, maxBatches) : net.evaluate(test);
                lastAccuracy = ev.accuracy();
                String line = String.format("%5d %10.4f %9.4f %10.0f %6.1f%% %8.1f", e + 1, listener.meanLoss(),
                        ev.accuracy(), epochStats.rows() / seconds, 100 * stall, seconds);
                out.println(line);
                summary.add(line);
            }
            out.println("Loader: " + train.stats());
        } finally {
            net.close();
        }
        out.printf("Final test accuracy: %.4f%n", lastAccuracy);
        return 0;
    }

    private static Evaluation evaluate(MultiLayerNetwork net, Hdf5DataSetIterator test, int maxBatches) {
        Evaluation ev = new Evaluation(10);
        for (int i = 0; i < maxBatches && test.hasNext(); i++) {
            org.nd4j.linalg.dataset.DataSet ds = test.next();
            ev.eval(ds.getLabels(), net.output(ds.getFeatures(), false));
        }
        return ev;
    }

    /** Mean training loss of an epoch and progress updates. */
    private static final class EpochListener extends BaseTrainingListener {
        ProgressBar bar;
        private double sum;
        private long n;

        void start() {
            sum = 0;
            n = 0;
        }

        double meanLoss() {
            return n == 0 ? Double.NaN : sum / n;
        }

        @Override
        public void iterationDone(Model model, int iteration, int epoch) {
            sum += model.score();
            n++;
            if (bar != null) {
                bar.step();
            }
        }
    }

    /**
     * @param args see {@code --help}
     */
    public static void main(String[] args) {
        System.exit(new CommandLine(new TrainFashionMnist()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
    }
}
