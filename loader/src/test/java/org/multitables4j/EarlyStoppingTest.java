package org.multitables4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jhdf.HdfFile;
import java.util.Map;
import org.deeplearning4j.datasets.iterator.DataSetIteratorSplitter;
import org.deeplearning4j.earlystopping.EarlyStoppingConfiguration;
import org.deeplearning4j.earlystopping.EarlyStoppingResult;
import org.deeplearning4j.earlystopping.saver.InMemoryModelSaver;
import org.deeplearning4j.earlystopping.scorecalc.DataSetLossCalculator;
import org.deeplearning4j.earlystopping.termination.MaxEpochsTerminationCondition;
import org.deeplearning4j.earlystopping.trainer.EarlyStoppingTrainer;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * DL4J's early stopping over one file split by row ranges (and by DL4J's
 * {@code DataSetIteratorSplitter}): the validation score the trainer reports for its best model
 * equals that model's loss on the validation rows read independently with jhdf (labels.h5,
 * dl4j/make_dl4j_fixtures.py).
 */
class EarlyStoppingTest {
    /** Rows [from, to) of labels.h5 as one DataSet, read with jhdf. */
    private static DataSet rows(int from, int to) {
        try (HdfFile f = new HdfFile(ClassNamesTest.file("labels.h5"))) {
            double[][] x = (double[][]) f.getDatasetByPath("/x").getData();
            long[] y = (long[]) f.getDatasetByPath("/y").getData();
            INDArray fx = Nd4j.create(java.util.Arrays.copyOfRange(x, from, to)).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT);
            INDArray ly = Nd4j.zeros(to - from, 3);
            for (int i = from; i < to; i++) {
                ly.putScalar(i - from, (int) y[i], 1f);
            }
            return new DataSet(fx, ly);
        }
    }

    private static MultiLayerNetwork net() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(4).updater(new Adam(0.01)).list()
                .layer(new DenseLayer.Builder().nIn(5).nOut(8).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(8).nOut(3)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork n = new MultiLayerNetwork(conf);
        n.init();
        return n;
    }

    private static void assertBestScoreIsTheValidationLoss(EarlyStoppingResult<MultiLayerNetwork> r, DataSet valid) {
        Map<Integer, Double> scores = r.getScoreVsEpoch();
        assertEquals(3, scores.size(), "one validation score per epoch");
        double reported = scores.get(r.getBestModelEpoch());
        assertEquals(java.util.Collections.min(scores.values()), reported, 0, "the best epoch has the lowest loss");
        assertEquals(r.getBestModel().score(valid), reported, 1e-5,
                "the reported score is the best model's mean loss over the validation rows");
    }

    @Test
    void rowRangesServeTrainingAndValidation() {
        Hdf5DataSetIterator.Builder b = Hdf5DataSetIterator.builder(ClassNamesTest.file("labels.h5")).features("/x")
                .labels("/y").oneHot(3).batchSize(32).workers(2).copyBatches(true);
        try (Hdf5DataSetIterator train = b.rowFraction(0, 0.8).order(Order.SHUFFLED).build();
             Hdf5DataSetIterator valid = b.rowFraction(0.8, 1).order(Order.RANDOM).build()) {
            EarlyStoppingConfiguration<MultiLayerNetwork> conf = new EarlyStoppingConfiguration.Builder<MultiLayerNetwork>()
                    .epochTerminationConditions(new MaxEpochsTerminationCondition(3))
                    .scoreCalculator(new DataSetLossCalculator(valid, true))
                    .evaluateEveryNEpochs(1).modelSaver(new InMemoryModelSaver<>()).build();
            EarlyStoppingResult<MultiLayerNetwork> r = new EarlyStoppingTrainer(conf, net(), train).fit();
            assertBestScoreIsTheValidationLoss(r, rows(240, 300));
        }
    }

    @Test
    void dataSetIteratorSplitterTakesTheLastBatchesForValidation() {
        // 300 rows in ORDERED batches of 30: the splitter's test part is the last 2 of 10 batches
        try (Hdf5DataSetIterator all = Hdf5DataSetIterator.builder(ClassNamesTest.file("labels.h5")).features("/x")
                .labels("/y").oneHot(3).batchSize(30).order(Order.ORDERED).copyBatches(true).build()) {
            DataSetIteratorSplitter split = new DataSetIteratorSplitter(all, all.batchesPerEpoch(), 0.8);
            EarlyStoppingConfiguration<MultiLayerNetwork> conf = new EarlyStoppingConfiguration.Builder<MultiLayerNetwork>()
                    .epochTerminationConditions(new MaxEpochsTerminationCondition(3))
                    .scoreCalculator(new DataSetLossCalculator(split.getTestIterator(), true))
                    .evaluateEveryNEpochs(1).modelSaver(new InMemoryModelSaver<>()).build();
            EarlyStoppingResult<MultiLayerNetwork> r = new EarlyStoppingTrainer(conf, net(), split.getTrainIterator()).fit();
            assertBestScoreIsTheValidationLoss(r, rows(240, 300));
        }
    }
}
