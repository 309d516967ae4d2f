package org.multitables4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.junit.jupiter.api.Test;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** A network trains from the iterator, reading slot memory without a copy. */
class Dl4jTrainingTest {

    static MultiLayerNetwork mlp() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(1).updater(new Adam(0.01)).list()
                .layer(new DenseLayer.Builder().nIn(16).nOut(32).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(32).nOut(4)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    static Hdf5DataSetIterator cls(Order order) {
        return Hdf5DataSetIterator.builder(Hdf5DataSetIteratorTest.fixture())
                .features("/cls/x").labels("/cls/y").oneHot(4).batchSize(64).order(order).workers(2).seed(1).build();
    }

    static double fullLoss(MultiLayerNetwork net) {
        double sum = 0;
        int n = 0;
        try (Hdf5DataSetIterator it = cls(Order.ORDERED)) {
            while (it.hasNext()) {
                DataSet ds = it.next();
                sum += net.score(ds) * ds.numExamples();
                n += ds.numExamples();
            }
        }
        return sum / n;
    }

    @Test
    void lossFallsAndAccuracyIsHigh() {
        MultiLayerNetwork net = mlp();
        double before = fullLoss(net);
        List<Long> inputAddresses = new ArrayList<>();
        net.setListeners(new BaseTrainingListener() {
            @Override
            public void iterationDone(Model model, int iteration, int epoch) {
                inputAddresses.add(((MultiLayerNetwork) model).getInput().data().address());
            }
        });
        try (Hdf5DataSetIterator it = cls(Order.SHUFFLED)) {
            net.fit(it, 3);
            assertEquals(3, it.stats().epochs());
            assertEquals(3L * 2048, it.stats().rows());
        }
        double after = fullLoss(net);
        assertTrue(after < 0.5 * before, "loss " + before + " -> " + after);
        Evaluation ev;
        try (Hdf5DataSetIterator it = cls(Order.ORDERED)) {
            ev = net.evaluate(it);
        }
        assertTrue(ev.accuracy() > 0.9, ev.stats());
        assertEquals(3 * 32, inputAddresses.size());
    }

    @Test
    void networkReadsTheSlotMemoryItself() {
        MultiLayerNetwork net = mlp();
        List<Long> seen = new ArrayList<>();
        net.setListeners(new BaseTrainingListener() {
            @Override
            public void iterationDone(Model model, int iteration, int epoch) {
                seen.add(((MultiLayerNetwork) model).getInput().data().address());
            }
        });
        try (Hdf5DataSetIterator it = cls(Order.ORDERED)) {
            for (int i = 0; i < 5; i++) {
                DataSet ds = it.next();
                long slot = ds.getFeatures().data().address();
                net.fit(ds);
                assertEquals(slot, seen.get(seen.size() - 1), "the network's input is the slot memory");
            }
        }
    }
}
