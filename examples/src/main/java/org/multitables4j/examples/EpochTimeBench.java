package org.multitables4j.examples;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.multitables4j.Hdf5DataSetIterator;
import org.multitables4j.Order;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.preprocessor.ImagePreProcessingScaler;

/**
 * Does the loader keep the trainer fed? Times MLP epochs on the main job's training split fed by
 * {@link Hdf5DataSetIterator} (SHUFFLED, decoding and scaling on the workers) and by a
 * {@code ListDataSetIterator} over the same batches already in memory (scaled), alternating,
 * after one warm-up epoch of each. Prints the median epoch times and their ratio.
 * Usage: {@code EpochTimeBench [file] [epochs]}.
 */
public final class EpochTimeBench {
    private EpochTimeBench() {
    }

    /**
     * @param args HDF5 file (default: the main job's data) and measured epochs per contender (default 3)
     */
    public static void main(String[] args) {
        Path file = args.length > 0 ? Path.of(args[0])
                : ExampleData.prepare(Path.of("data"), Path.of("/usr/share/datasets/fashion-mnist"), 20000, 42, false).file();
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int workers = Runtime.getRuntime().availableProcessors();
        Hdf5DataSetIterator.Builder b = TrainFashionMnist.split(file, "train", TrainFashionMnist.Architecture.MLP)
                .batchSize(128).order(Order.SHUFFLED).seed(1).workers(workers);
        List<DataSet> inMemory = new ArrayList<>();
        try (Hdf5DataSetIterator it = b.copyBatches(true).build()) {
            it.setPreProcessor(new ImagePreProcessingScaler(0, 1));
            while (it.hasNext()) {
                inMemory.add(it.next());
            }
        }
        MultiLayerNetwork streamedNet = TrainFashionMnist.network(TrainFashionMnist.Architecture.MLP, 1);
        MultiLayerNetwork memoryNet = TrainFashionMnist.network(TrainFashionMnist.Architecture.MLP, 1);
        double[] streamed = new double[epochs];
        double[] memory = new double[epochs];
        try (Hdf5DataSetIterator it = b.build()) {
            it.setPreProcessor(new ImagePreProcessingScaler(0, 1));
            ListDataSetIterator<DataSet> list = new ListDataSetIterator<>(inMemory, 1);
            for (int e = -1; e < epochs; e++) {
                it.reset();
                long t0 = System.nanoTime();
                streamedNet.fit(it);
                double s = (System.nanoTime() - t0) / 1e9;
                list.reset();
                t0 = System.nanoTime();
                memoryNet.fit(list);
                double m = (System.nanoTime() - t0) / 1e9;
                if (e >= 0) {
                    streamed[e] = s;
                    memory[e] = m;
                }
                System.out.printf("epoch %d: streamed %.2f s, in memory %.2f s%n", e + 1, s, m);
            }
            System.out.println("# " + it.stats());
        }
        java.util.Arrays.sort(streamed);
        java.util.Arrays.sort(memory);
        double s = streamed[epochs / 2];
        double m = memory[epochs / 2];
        System.out.printf("median epoch: streamed %.2f s, in memory %.2f s, ratio %.3f%n", s, m, s / m);
    }
}
