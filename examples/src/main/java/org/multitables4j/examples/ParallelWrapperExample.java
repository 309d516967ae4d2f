package org.multitables4j.examples;

import java.nio.file.Path;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.parallelism.ParallelWrapper;
import org.multitables4j.Hdf5DataSetIterator;
import org.multitables4j.Order;

/**
 * Data-parallel training with DL4J's {@link ParallelWrapper} from an {@link Hdf5DataSetIterator}.
 *
 * <p>ParallelWrapper hands one batch to each of its trainers before it waits for them, so it
 * holds up to {@code trainers + 1} batches at once. Slot views stay valid only for the last
 * {@code holdBatches} batches, so the iterator is built with {@code holdBatches(trainers + 1)}
 * (or {@code copyBatches(true)}, which costs one copy per batch). {@code asyncSupported()} is
 * false, so ParallelWrapper does not add its own prefetch thread on top.
 */
public final class ParallelWrapperExample {
    private ParallelWrapperExample() {
    }

    /**
     * @param trainers ParallelWrapper workers
     * @return the batches a ParallelWrapper with that many trainers may hold at once
     */
    public static int holdBatchesFor(int trainers) {
        return trainers + 1;
    }

    /**
     * Trains {@code net} for {@code epochs} epochs on /train/x, /train/y of {@code file}.
     *
     * @param file     HDF5 file with /train/x (28x28 images) and /train/y
     * @param net      an MLP taking 784 inputs and 10 outputs
     * @param trainers ParallelWrapper workers
     * @param epochs   epochs
     */
    public static void train(Path file, MultiLayerNetwork net, int trainers, int epochs) {
        try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(file).features("/train/x").labels("/train/y")
                .oneHot(10).featureShape(784).batchSize(64).order(Order.SHUFFLED).seed(1).workers(2)
                .holdBatches(holdBatchesFor(trainers)).build()) {
            it.setPreProcessor(new org.nd4j.linalg.dataset.api.preprocessor.ImagePreProcessingScaler(0, 1));
            ParallelWrapper pw = new ParallelWrapper.Builder<>(net).workers(trainers).prefetchBuffer(0)
                    .averagingFrequency(1).build();
            try {
                for (int e = 0; e < epochs; e++) {
                    it.reset();
                    pw.fit(it);
                }
            } finally {
                pw.shutdown();
            }
        }
    }

    /**
     * @param args HDF5 file (default: the main job's data)
     */
    public static void main(String[] args) {
        Path file = args.length > 0 ? Path.of(args[0])
                : ExampleData.prepare(Path.of("data"), Path.of("/usr/share/datasets/fashion-mnist"), 20000, 42, true).file();
        MultiLayerNetwork net = TrainFashionMnist.network(TrainFashionMnist.Architecture.MLP, 42);
        train(file, net, 2, 1);
        try (Hdf5DataSetIterator test = TrainFashionMnist.split(file, "test", TrainFashionMnist.Architecture.MLP)
                .batchSize(512).order(Order.ORDERED).build()) {
            test.setPreProcessor(new org.nd4j.linalg.dataset.api.preprocessor.ImagePreProcessingScaler(0, 1));
            System.out.println(net.evaluate(test).stats());
        }
    }
}
