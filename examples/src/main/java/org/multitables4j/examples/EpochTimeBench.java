package org.multitables4j.examples;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.multitables4j.Hdf5DataSetIterator;
import org.multitables4j.Order;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.preprocessor.ImagePreProcessingScaler;

/**
 * Does the loader keep the trainer fed? Times MLP epochs on the main job's training split fed by
 * {@link Hdf5DataSetIterator} (SHUFFLED, decoding and scaling on the workers) and by a
 * the same batches already in memory (scaled), alternating, after one warm-up epoch of each; both
 * loops call {@code fit(DataSet)} per batch, so neither goes through DL4J's
 * {@code AsyncDataSetIterator} (which wraps in-memory iterators in {@code fit(iterator)} and
 * costs them a copy and a thread per batch). A third contender copies each in-memory batch into one
 * reused array before {@code fit}: on nd4j-native, training on a new input buffer every batch was
 * measured 2x slower than on a few recycled ones, so this is the strongest in-memory baseline.
 * Prints the median epoch times and the ratios.
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
        if (Boolean.getBoolean("bench.noPeriodicGc")) {
            org.nd4j.linalg.factory.Nd4j.getMemoryManager().togglePeriodicGc(false);
        }
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
        MultiLayerNetwork reusedNet = TrainFashionMnist.network(TrainFashionMnist.Architecture.MLP, 1);
        double[] streamed = new double[epochs];
        double[] memory = new double[epochs];
        double[] reused = new double[epochs];
        org.nd4j.linalg.api.ndarray.INDArray f = inMemory.get(0).getFeatures().dup();
        org.nd4j.linalg.api.ndarray.INDArray l = inMemory.get(0).getLabels().dup();
        try (Hdf5DataSetIterator it = b.build()) {
            it.setPreProcessor(new ImagePreProcessingScaler(0, 1));
            for (int e = -1; e < epochs; e++) {
                long t0 = System.nanoTime();
                for (DataSet ds : inMemory) {
                    memoryNet.fit(ds);
                }
                double m = (System.nanoTime() - t0) / 1e9;
                t0 = System.nanoTime();
                for (DataSet ds : inMemory) {
                    if (ds.numExamples() == f.size(0)) {
                        f.assign(ds.getFeatures());
                        l.assign(ds.getLabels());
                        reusedNet.fit(new DataSet(f, l));
                    } else {
                        reusedNet.fit(ds);
                    }
                }
                double u = (System.nanoTime() - t0) / 1e9;
                it.reset();
                t0 = System.nanoTime();
                while (it.hasNext()) {
                    streamedNet.fit(it.next());
                }
                double s = (System.nanoTime() - t0) / 1e9;
                if (e >= 0) {
                    streamed[e] = s;
                    memory[e] = m;
                    reused[e] = u;
                }
                System.out.printf("epoch %d: streamed %.2f s, in memory %.2f s, in memory via one reused array %.2f s%n",
                        e + 1, s, m, u);
            }
            System.out.println("# " + it.stats());
        }
        java.util.Arrays.sort(streamed);
        java.util.Arrays.sort(memory);
        java.util.Arrays.sort(reused);
        double s = streamed[epochs / 2];
        double m = memory[epochs / 2];
        double u = reused[epochs / 2];
        System.out.printf("median epoch: streamed %.2f s, in memory %.2f s (ratio %.3f), in memory via one reused array"
                + " %.2f s (ratio %.3f)%n", s, m, s / m, u, s / u);
    }
}
