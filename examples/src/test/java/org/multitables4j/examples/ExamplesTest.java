package org.multitables4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.earlystopping.EarlyStoppingResult;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.parallelism.ParallelWrapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.multitables4j.Hdf5DataSetIterator;
import org.multitables4j.Order;
import org.multitables4j.datasets.Generate;
import org.multitables4j.datasets.WriteOptions;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import picocli.CommandLine;

class ExamplesTest {
    @TempDir
    static Path dir;
    static Path images;
    static Path clusters;

    @BeforeAll
    static void data() {
        images = dir.resolve("images.h5");
        Generate.write(Generate.Kind.IMAGES, 3000, 600, 28, 10, 5, images, WriteOptions.DEFAULT, true);
        clusters = dir.resolve("clusters.h5");
        Generate.write(Generate.Kind.CLUSTERS, 2000, 0, 12, 4, 9, clusters, WriteOptions.DEFAULT.withChunkBytes(4096), true);
    }

    @Test
    void mainJobRunsEndToEndAndBeatsChance() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TrainFashionMnist job = new TrainFashionMnist(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        int code = new CommandLine(job).execute("--data", images.toString(), "--epochs", "2", "--max-batches", "20",
                "--batch", "64", "--quiet", "--workers", "2");
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, out);
        assertTrue(out.contains("epoch") && out.contains("test acc") && out.contains("stall"), out);
        assertTrue(job.lastAccuracy() > 0.3, "accuracy " + job.lastAccuracy() + " vs chance 0.1\n" + out);
    }

    @Test
    void mainJobWithRandomMinibatches() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TrainFashionMnist job = new TrainFashionMnist(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        int code = new CommandLine(job).execute("--data", images.toString(), "--epochs", "1", "--max-batches", "30",
                "--batch", "64", "--quiet", "--sampling");
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, out);
        assertTrue(out.contains("RANDOM_WITH_REPLACEMENT"), out);
        assertTrue(job.lastAccuracy() > 0.3, "accuracy " + job.lastAccuracy() + "\n" + out);
    }

    @Test
    void fallbackDataIsGeneratedAndSaysSo() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("no-fashion"));
        ExampleData.Prepared p = ExampleData.prepare(dir.resolve("work"), empty, 500, 1, false);
        assertFalse(p.fashion());
        assertTrue(p.description().contains("not found"), p.description());
        try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(p.file()).features("/train/x").labels("/train/y")
                .oneHot(10).order(Order.ORDERED).batchSize(500).build()) {
            assertEquals(500, it.next().getFeatures().size(0));
        }
    }

    @Test
    void fashionMnistIsConvertedFaithfully() throws IOException {
        Path idx = Path.of("/usr/share/datasets/fashion-mnist");
        assumeTrue(ExampleData.hasFashionMnist(idx), "Debian's dataset-fashion-mnist is not installed");
        ExampleData.Prepared p = ExampleData.prepare(dir.resolve("fm"), idx, 500, 1, false);
        assertTrue(p.fashion());
        // independent reference: the IDX bytes themselves
        byte[] pixels = new byte[3 * 784];
        byte[] labels = new byte[3];
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(idx.resolve("t10k-images-idx3-ubyte.gz"))))) {
            in.skipNBytes(16 + 9997L * 784);
            in.readFully(pixels);
        }
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(idx.resolve("t10k-labels-idx1-ubyte.gz"))))) {
            in.skipNBytes(8 + 9997L);
            in.readFully(labels);
        }
        try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(p.file()).features("/test/x").labels("/test/y")
                .storedDataType().order(Order.ORDERED).batchSize(9997).build()) {
            it.next();
            DataSet last = it.next();
            assertEquals(3, last.getFeatures().size(0));
            for (int i = 0; i < 3; i++) {
                assertEquals(labels[i], last.getLabels().getLong(i, 0));
                for (int k = 0; k < 784; k++) {
                    assertEquals(pixels[i * 784 + k] & 0xff, last.getFeatures().getInt(i, k / 28, k % 28));
                }
            }
        }
    }

    static double checksum(INDArray features, INDArray labels) {
        return features.sumNumber().doubleValue() * 1.000001 + 1e-3 * labels.argMax(1).sumNumber().doubleValue();
    }

    @Test
    void parallelWrapperNeverTrainsOnAnOverwrittenBatch() {
        int trainers = 2;
        Hdf5DataSetIterator.Builder b = Hdf5DataSetIterator.builder(images).features("/train/x").labels("/train/y")
                .oneHot(10).featureShape(784).batchSize(32).order(Order.SHUFFLED).seed(4).workers(2).prefetch(2);
        Map<Double, Integer> expected = new HashMap<>();
        try (Hdf5DataSetIterator it = b.copyBatches(true).build()) {
            while (it.hasNext()) {
                DataSet ds = it.next();
                expected.merge(checksum(ds.getFeatures(), ds.getLabels()), 1, Integer::sum);
            }
        }
        List<Double> seen = Collections.synchronizedList(new ArrayList<>());
        MultiLayerNetwork net = TrainFashionMnist.network(TrainFashionMnist.Architecture.MLP, 3);
        try (Hdf5DataSetIterator it = b.holdBatches(ParallelWrapperExample.holdBatchesFor(trainers)).build()) {
            ParallelWrapper pw = new ParallelWrapper.Builder<>(net).workers(trainers).prefetchBuffer(0)
                    .averagingFrequency(1).build();
            try {
                pw.setListeners(new BaseTrainingListener() {
                    @Override
                    public void iterationDone(Model model, int iteration, int epoch) {
                        MultiLayerNetwork m = (MultiLayerNetwork) model;
                        seen.add(checksum(m.getInput(), m.getLabels()));
                    }
                });
                pw.fit(it);
            } finally {
                pw.shutdown();
            }
        }
        Map<Double, Integer> got = new HashMap<>();
        for (double c : seen) {
            got.merge(c, 1, Integer::sum);
        }
        assertEquals(expected, got, "every batch trained exactly once, none overwritten while in use");
    }

    static MultiLayerNetwork small() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(12).updater(new Sgd(0.05))
                .list()
                .layer(new DenseLayer.Builder().nIn(12).nOut(8).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(8).nOut(4)
                        .activation(Activation.SOFTMAX).build())
                .build());
        net.init();
        return net;
    }

    @Test
    void sameParametersAsAnInMemoryIterator() {
        Hdf5DataSetIterator.Builder b = Hdf5DataSetIterator.builder(clusters).features("/x").labels("/y").oneHot(4)
                .batchSize(50).order(Order.SHUFFLED).seed(21).workers(2);
        List<DataSet> batches = new ArrayList<>();
        try (Hdf5DataSetIterator it = b.copyBatches(true).build()) {
            while (it.hasNext()) {
                batches.add(it.next());
            }
        }
        MultiLayerNetwork streamed = small();
        try (Hdf5DataSetIterator it = b.build()) {
            streamed.fit(it);
        }
        MultiLayerNetwork inMemory = small();
        inMemory.fit(new ListDataSetIterator<>(batches, 1));
        assertFalse(small().params().equalsWithEps(streamed.params(), 1e-3), "training changed the parameters");
        assertTrue(inMemory.params().equalsWithEps(streamed.params(), 1e-5),
                "max difference " + inMemory.params().sub(streamed.params()).amaxNumber());
    }

    @Test
    void earlyStoppingAndTwoInputGraph() throws Exception {
        EarlyStoppingResult<MultiLayerNetwork> r = EarlyStoppingExample.run(images, 2);
        assertTrue(r.getTotalEpochs() >= 1 && r.getBestModel() != null, r.toString());
        Path two = dir.resolve("two.h5");
        try (org.multitables4j.datasets.H5Writer w = org.multitables4j.datasets.H5Writer.create(two)) {
            java.util.Random rnd = new java.util.Random(2);
            int n = 1200;
            float[] a = new float[n * 3];
            float[] bb = new float[n * 5];
            long[] y = new long[n];
            for (int i = 0; i < n; i++) {
                int c = rnd.nextInt(3);
                y[i] = c;
                for (int k = 0; k < 3; k++) {
                    a[i * 3 + k] = (float) (rnd.nextGaussian() + (k == c ? 2 : 0));
                }
                for (int k = 0; k < 5; k++) {
                    bb[i * 5 + k] = (float) rnd.nextGaussian();
                }
            }
            w.dataset("/a", org.multitables4j.datasets.ElementKind.FLOAT32, new long[] {3}, WriteOptions.DEFAULT).append(a);
            w.dataset("/b", org.multitables4j.datasets.ElementKind.FLOAT32, new long[] {5}, WriteOptions.DEFAULT).append(bb);
            w.dataset("/y", org.multitables4j.datasets.ElementKind.INT64, new long[0], WriteOptions.DEFAULT).append(y);
        }
        double acc = TwoInputGraphExample.run(two, 3, 4);
        assertTrue(acc > 0.6, "accuracy " + acc);
    }

    @Test
    void sequenceExampleBeatsChance(@TempDir Path dir) {
        Path file = dir.resolve("sequences.h5");
        SequenceClassificationExample.write(file, 480, 5);
        org.nd4j.evaluation.classification.Evaluation ev = SequenceClassificationExample.run(file, 4);
        assertTrue(ev.accuracy() > 0.75, ev.stats());
        assertTrue(ev.stats().contains("positive"), "class names from the file");
    }
}
