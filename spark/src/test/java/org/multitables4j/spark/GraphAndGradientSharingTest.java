package org.multitables4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.CollectionAccumulator;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.multitables4j.Order;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.parameterserver.distributed.conf.VoidConfiguration;

/**
 * SparkComputationGraph from sharded MultiDataSets (parameter averaging), and
 * SparkDl4jMultiLayer with gradient sharing (SharedTrainingMaster over Aeron on 127.0.0.1), in
 * local[2,2] over 2 shards of a file written by h5py.
 */
class GraphAndGradientSharingTest {
    @TempDir
    static Path dir;
    static Path file;
    static JavaSparkContext sc;
    static DataSet all;

    @BeforeAll
    static void setUp() throws Exception {
        file = SparkTestData.write(dir);
        sc = SparkTestData.context();
        all = SparkTestData.readAll(file);
    }

    @AfterAll
    static void tearDown() {
        if (sc != null) {
            sc.stop();
        }
    }

    static List<Long> everyRow() {
        return LongStream.range(0, SparkTestData.N).boxed().collect(Collectors.toList());
    }

    static List<Long> sortedIds(List<SparkTestData.Read> reads, long epoch) {
        return SparkTestData.idsOf(reads, epoch).stream().sorted().collect(Collectors.toList());
    }

    @Test
    void computationGraphFromShardedMultiDataSets() {
        ShardedMultiDataSet data = ShardedMultiDataSet.of(Hdf5Source.path(file), 2, b -> b
                .input("/x", SparkTestData.D).outputOneHot("/y", SparkTestData.CLASSES)
                .batchSize(SparkTestData.BATCH).order(Order.SHUFFLED).seed(3));
        ShardLayout layout = data.layout(sc);
        assertEquals(SparkTestData.BATCH, layout.batchSize());
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(5).updater(new Adam(0.01))
                .weightInit(WeightInit.XAVIER).graphBuilder().addInputs("in")
                .addLayer("hidden", new DenseLayer.Builder().nIn(SparkTestData.D).nOut(32)
                        .activation(Activation.RELU).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(32)
                        .nOut(SparkTestData.CLASSES).activation(Activation.SOFTMAX).build(), "hidden")
                .setOutputs("out").build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        double before = graph.score(all);
        SparkComputationGraph sparkGraph = new SparkComputationGraph(sc, graph,
                TrainingMasters.parameterAveraging(layout, 4).build());
        CollectionAccumulator<SparkTestData.Read> reads = sc.sc().collectionAccumulator("graph");
        ShardedTraining.of(sparkGraph, data, layout, new SparkTestData.RecordingMultiLoader(new ShardMultiBatchLoader(data), reads))
                .fitEpoch(0);
        assertEquals(everyRow(), sortedIds(reads.value(), 0), "every row exactly once");
        double after = sparkGraph.getNetwork().score(all);
        assertTrue(after < 0.7 * before, "loss " + before + " -> " + after);
    }

    @Test
    void gradientSharingInLocalMode() {
        ShardedDataSet data = ShardedDataSet.of(Hdf5Source.path(file), 2, b -> b.features("/x").labels("/y")
                .oneHot(SparkTestData.CLASSES).batchSize(SparkTestData.BATCH).order(Order.SHUFFLED).seed(11));
        ShardLayout layout = data.layout(sc);
        MultiLayerNetwork net = new MultiLayerNetwork(SparkTestData.mlp(5));
        net.init();
        double before = net.score(all);
        VoidConfiguration voidConf = VoidConfiguration.builder().unicastPort(40123)
                .controllerAddress("127.0.0.1").build();
        SparkDl4jMultiLayer sparkNet = new SparkDl4jMultiLayer(sc, net,
                TrainingMasters.gradientSharing(layout, voidConf).build());
        CollectionAccumulator<SparkTestData.Read> reads = sc.sc().collectionAccumulator("shared");
        ShardedTraining training = ShardedTraining.of(sparkNet, data, layout,
                new SparkTestData.RecordingLoader(new ShardBatchLoader(data), reads, null));
        assertEquals(1, training.callsPerEpoch());
        training.fitEpoch(0);
        training.fitEpoch(1);
        assertEquals(everyRow(), sortedIds(reads.value(), 0), "epoch 0: every row exactly once");
        assertEquals(everyRow(), sortedIds(reads.value(), 1), "epoch 1: every row exactly once");
        double after = sparkNet.getNetwork().score(all);
        // threshold-encoded updates are sparse: 2 epochs of 16 batches per worker move less than averaging does
        // (measured: 1.28 -> 1.15)
        assertTrue(after < 0.95 * before, "loss " + before + " -> " + after);
    }
}
