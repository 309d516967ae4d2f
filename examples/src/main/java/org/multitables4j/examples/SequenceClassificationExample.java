package org.multitables4j.examples;

import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.multitables4j.Hdf5DataSetIterator;
import org.multitables4j.Order;
import org.multitables4j.SequenceAlignment;
import org.multitables4j.datasets.ElementKind;
import org.multitables4j.datasets.H5Writer;
import org.multitables4j.datasets.RowWriter;
import org.multitables4j.datasets.WriteOptions;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * An LSTM classifies variable-length sequences (is the sum of the steps positive?) streamed from
 * one HDF5 file in the ragged layout of {@code datasets convert csv-sequences}: {@code /x}
 * {@code [steps, 1]}, {@code /offsets} and {@code /lengths} {@code [n]}, {@code /y} {@code [n]}
 * with {@code class_names}. The first 80% of the sequences train, the rest validate; each batch
 * comes as {@code [batch, 1, longest]} with features and labels masks, the label at each
 * sequence's last step.
 */
public final class SequenceClassificationExample {
    private SequenceClassificationExample() {
    }

    /**
     * Writes {@code n} random sequences of 2 to 11 steps with their labels.
     *
     * @param file the file to write
     * @param n    sequences
     * @param seed random seed
     */
    public static void write(Path file, int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        H5Writer.write(file, w -> {
            RowWriter x = w.dataset("/x", ElementKind.FLOAT32, new long[] {1}, WriteOptions.DEFAULT);
            RowWriter offsets = w.dataset("/offsets", ElementKind.INT64, new long[0], WriteOptions.DEFAULT);
            RowWriter lengths = w.dataset("/lengths", ElementKind.INT64, new long[0], WriteOptions.DEFAULT);
            RowWriter y = w.dataset("/y", ElementKind.INT64, new long[0], WriteOptions.DEFAULT);
            long at = 0;
            for (int i = 0; i < n; i++) {
                int len = 2 + rnd.nextInt(10);
                float[] steps = new float[len];
                double sum = 0;
                for (int t = 0; t < len; t++) {
                    steps[t] = (float) (rnd.nextDouble() * 2 - 1);
                    sum += steps[t];
                }
                x.append(steps);
                offsets.append(new long[] {at});
                lengths.append(new long[] {len});
                y.append(new long[] {sum > 0 ? 1 : 0});
                at += len;
            }
            w.attribute("/y", "class_names", List.of("negative", "positive"));
        });
    }

    /**
     * @param file   a file from {@link #write}
     * @param epochs training epochs
     * @return the evaluation on the validation sequences
     */
    public static Evaluation run(Path file, int epochs) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).updater(new Adam(0.02)).list()
                .layer(new LSTM.Builder().nIn(1).nOut(12).activation(Activation.TANH).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(12).nOut(2)
                        .activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        Hdf5DataSetIterator.Builder b = Hdf5DataSetIterator.builder(file).features("/x")
                .raggedSequences("/lengths", "/offsets")           // [steps, F] + where each sequence starts
                .labels("/y").oneHot(2)
                .sequenceAlignment(SequenceAlignment.ALIGN_END)     // many-to-one: label at the last step
                .batchSize(32);
        try (Hdf5DataSetIterator train = b.rowFraction(0, 0.8).order(Order.SHUFFLED).seed(3).build();
             Hdf5DataSetIterator validation = b.rowFraction(0.8, 1).order(Order.ORDERED).build()) {
            net.fit(train, epochs);
            return net.evaluate(validation, validation.getLabels());
        }
    }

    /**
     * @param args the file to write and read (default {@code data/sequences.h5})
     */
    public static void main(String[] args) {
        Path file = Path.of(args.length > 0 ? args[0] : "data/sequences.h5");
        if (file.getParent() != null) {
            file.getParent().toFile().mkdirs();
        }
        write(file, 2000, 42);
        System.out.println(run(file, 5).stats());
    }
}
