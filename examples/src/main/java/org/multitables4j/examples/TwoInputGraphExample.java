package org.multitables4j.examples;

import java.nio.file.Path;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.multitables4j.Hdf5MultiDataSetIterator;
import org.multitables4j.Order;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * A {@link ComputationGraph} with two inputs fed by {@link Hdf5MultiDataSetIterator}: two feature
 * datasets of one file read in lockstep (row r of each belongs to the same example).
 */
public final class TwoInputGraphExample {
    private TwoInputGraphExample() {
    }

    /**
     * @param nA      features of input A
     * @param nB      features of input B
     * @param classes classes
     * @return a graph merging two dense branches
     */
    public static ComputationGraph graph(int nA, int nB, int classes) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).updater(new Adam(1e-2))
                .graphBuilder()
                .addInputs("a", "b")
                .setInputTypes(InputType.feedForward(nA), InputType.feedForward(nB))
                .addLayer("da", new DenseLayer.Builder().nOut(16).activation(Activation.RELU).build(), "a")
                .addLayer("db", new DenseLayer.Builder().nOut(16).activation(Activation.RELU).build(), "b")
                .addVertex("merge", new MergeVertex(), "da", "db")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(classes)
                        .activation(Activation.SOFTMAX).build(), "merge")
                .setOutputs("out")
                .build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    /**
     * Trains on inputs {@code /a}, {@code /b} and labels {@code /y}; evaluates on the training data.
     *
     * @param file    HDF5 file with /a [n, nA], /b [n, nB], /y [n] class ids
     * @param classes classes
     * @param epochs  epochs
     * @return accuracy after training
     */
    public static double run(Path file, int classes, int epochs) {
        try (Hdf5MultiDataSetIterator it = Hdf5MultiDataSetIterator.builder(file).input("/a").input("/b")
                .outputOneHot("/y", classes).batchSize(64).order(Order.SHUFFLED).seed(3).build()) {
            int nA = (int) it.next().getFeatures(0).size(1);
            int nB = (int) it.next().getFeatures(1).size(1);
            it.reset();
            ComputationGraph g = graph(nA, nB, classes);
            g.fit(it, epochs);
            it.reset();
            Evaluation ev = g.evaluate(it);
            return ev.accuracy();
        }
    }

    /**
     * @param args HDF5 file with /a, /b, /y and the number of classes
     */
    public static void main(String[] args) {
        System.out.printf("accuracy %.4f%n", run(Path.of(args[0]), Integer.parseInt(args[1]), 5));
    }
}
