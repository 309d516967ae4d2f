package org.multitables4j.examples;

import java.nio.file.Path;
import org.deeplearning4j.earlystopping.EarlyStoppingConfiguration;
import org.deeplearning4j.earlystopping.EarlyStoppingResult;
import org.deeplearning4j.earlystopping.saver.InMemoryModelSaver;
import org.deeplearning4j.earlystopping.scorecalc.DataSetLossCalculator;
import org.deeplearning4j.earlystopping.termination.MaxEpochsTerminationCondition;
import org.deeplearning4j.earlystopping.termination.ScoreImprovementEpochTerminationCondition;
import org.deeplearning4j.earlystopping.trainer.EarlyStoppingTrainer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.multitables4j.Hdf5DataSetIterator;
import org.multitables4j.Order;
import org.nd4j.linalg.dataset.api.preprocessor.ImagePreProcessingScaler;

/**
 * DL4J's {@link EarlyStoppingTrainer} with two streaming iterators: SHUFFLED training batches and
 * an ORDERED validation pass scored after every epoch. Both iterators are reset by the trainer;
 * each reset starts the next epoch (a new shuffle for the training split).
 */
public final class EarlyStoppingExample {
    private EarlyStoppingExample() {
    }

    /**
     * @param file      HDF5 file with /train/* and /test/* (the test split validates)
     * @param maxEpochs upper bound on epochs
     * @return the trainer's result (best model, epochs, scores)
     */
    public static EarlyStoppingResult<MultiLayerNetwork> run(Path file, int maxEpochs) {
        MultiLayerNetwork net = TrainFashionMnist.network(TrainFashionMnist.Architecture.MLP, 7);
        try (Hdf5DataSetIterator train = TrainFashionMnist.split(file, "train", TrainFashionMnist.Architecture.MLP)
                .batchSize(128).order(Order.SHUFFLED).seed(7).build();
             Hdf5DataSetIterator validation = TrainFashionMnist.split(file, "test", TrainFashionMnist.Architecture.MLP)
                     .batchSize(512).order(Order.ORDERED).build()) {
            train.setPreProcessor(new ImagePreProcessingScaler(0, 1));
            validation.setPreProcessor(new ImagePreProcessingScaler(0, 1));
            EarlyStoppingConfiguration<MultiLayerNetwork> conf = new EarlyStoppingConfiguration.Builder<MultiLayerNetwork>()
                    .epochTerminationConditions(new MaxEpochsTerminationCondition(maxEpochs),
                            new ScoreImprovementEpochTerminationCondition(2))
                    .scoreCalculator(new DataSetLossCalculator(validation, true))
                    .modelSaver(new InMemoryModelSaver<>())
                    .build();
            return new EarlyStoppingTrainer(conf, net, train).fit();
        }
    }

    /**
     * @param args HDF5 file (default: the main job's data)
     */
    public static void main(String[] args) {
        Path file = args.length > 0 ? Path.of(args[0])
                : ExampleData.prepare(Path.of("data"), Path.of("/usr/share/datasets/fashion-mnist"), 20000, 42, true).file();
        EarlyStoppingResult<MultiLayerNetwork> r = run(file, 10);
        System.out.printf("stopped after %d epochs (%s); best epoch %d, validation loss %.4f%n", r.getTotalEpochs(),
                r.getTerminationDetails(), r.getBestModelEpoch(), r.getBestModelScore());
    }
}
