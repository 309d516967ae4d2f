package org.multitables4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * An LSTM learns the sign of the sum of a variable-length sequence (sum_sign.h5, ragged layout,
 * written by h5py with labels computed by numpy; see dl4j/make_sequence_fixtures.py), trained on
 * the first 80% of the sequences and evaluated on the other 20% of the same file with the
 * label-masked ALIGN_END batches; chance is about 50%.
 */
class SequenceTrainingTest {
    @Test
    void lstmLearnsTheSignOfTheSum() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).updater(new Adam(0.02)).list()
                .layer(new LSTM.Builder().nIn(1).nOut(12).activation(Activation.TANH).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(12).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        Hdf5DataSetIterator.Builder b = Hdf5DataSetIterator.builder(ClassNamesTest.file("sum_sign.h5")).features("/x")
                .raggedSequences("/lengths", "/offsets").labels("/y").oneHot(2).batchSize(32).workers(2);
        try (Hdf5DataSetIterator train = b.rowFraction(0, 0.8).order(Order.SHUFFLED).seed(3).build();
             Hdf5DataSetIterator valid = b.rowFraction(0.8, 1).order(Order.ORDERED).build()) {
            assertEquals(List.of("negative", "positive"), valid.getLabels());
            long t0 = System.nanoTime();
            net.fit(train, 4);
            System.out.println("fit: " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            Evaluation ev = net.evaluate(valid, valid.getLabels());
            System.out.println("accuracy " + ev.accuracy());
            assertEquals(96, ev.getConfusionMatrix().getActualTotal(0) + ev.getConfusionMatrix().getActualTotal(1),
                    "one prediction per validation sequence (the label mask keeps the last step only)");
            assertTrue(ev.accuracy() > 0.8, "accuracy " + ev.accuracy() + "\n" + ev.stats());
        }
    }
}
