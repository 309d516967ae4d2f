package org.multitables4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.CollectionAccumulator;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.multitables4j.Hdf5DataSetIterator;
import org.multitables4j.InvalidConfigurationException;
import org.multitables4j.Order;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * SparkDl4jMultiLayer with parameter averaging in local[2,2] over 2 shards of a file written by
 * h5py: row coverage counted where the executors read, loss, determinism, epoch order, retry.
 */
class ParameterAveragingTest {
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

    static ShardedDataSet data() {
        return ShardedDataSet.of(Hdf5Source.path(file), 2, b -> b.features("/x").labels("/y")
                .oneHot(SparkTestData.CLASSES).batchSize(SparkTestData.BATCH).order(Order.SHUFFLED).seed(11));
    }

    /** Trains {@code epochs} epochs from a fresh network of seed 5, recording every read. */
    static MultiLayerNetwork train(ShardedDataSet data, int epochs, CollectionAccumulator<SparkTestData.Read> reads,
            String failAt) {
        ShardLayout layout = data.layout(sc);
        MultiLayerNetwork net = new MultiLayerNetwork(SparkTestData.mlp(5));
        net.init();
        ParameterAveragingTrainingMaster tm = TrainingMasters.parameterAveraging(layout, 4).build();
        SparkDl4jMultiLayer sparkNet = new SparkDl4jMultiLayer(sc, net, tm);
        ShardedTraining training = ShardedTraining.of(sparkNet, data, layout,
                new SparkTestData.RecordingLoader(new ShardBatchLoader(data), reads, failAt));
        for (int e = 0; e < epochs; e++) {
            training.fitEpoch(e);
        }
        return sparkNet.getNetwork();
    }

    static List<Long> sortedIds(List<SparkTestData.Read> reads, long epoch) {
        return SparkTestData.idsOf(reads, epoch).stream().sorted().collect(Collectors.toList());
    }

    static List<Long> everyRow() {
        return LongStream.range(0, SparkTestData.N).boxed().collect(Collectors.toList());
    }

    @Test
    void layoutAndBatchNamesKeepOneShardPerPartition() {
        ShardedDataSet data = data();
        ShardLayout layout = data.layout(sc);
        assertEquals(SparkTestData.BATCH, layout.batchSize());
        assertEquals(List.of(16, 16), layout.batchesPerShard());
        assertEquals(SparkTestData.N, layout.rows());
        JavaRDD<String> names = data.batchNames(sc, layout, 3, 4, 8);
        List<List<String>> parts = names.glom().collect();
        assertEquals(2, parts.size());
        for (int s = 0; s < 2; s++) {
            List<String> p = parts.get(s);
            assertEquals(4, p.size());
            for (int i = 0; i < 4; i++) {
                assertEquals(new BatchName(s, 2, 3, 4 + i), BatchName.parse(p.get(i)));
            }
        }
        assertThrows(InvalidConfigurationException.class, () -> BatchName.parse("file:/x.h5"));
    }

    @Test
    void oneEpochReadsEveryRowOnceAndTheLossFalls() {
        CollectionAccumulator<SparkTestData.Read> reads = sc.sc().collectionAccumulator("reads");
        MultiLayerNetwork before = new MultiLayerNetwork(SparkTestData.mlp(5));
        before.init();
        double lossBefore = before.score(all);
        MultiLayerNetwork net = train(data(), 1, reads, null);
        List<SparkTestData.Read> r = reads.value();
        assertEquals(32, r.size(), "batches read");
        assertEquals(everyRow(), sortedIds(r, 0), "every row exactly once");
        assertEquals(16, r.stream().filter(x -> x.batch().shard() == 0).count());
        double lossAfter = net.score(all);
        assertTrue(lossAfter < 0.7 * lossBefore, "loss " + lossBefore + " -> " + lossAfter);
    }

    @Test
    void sameSeedSameResultAndEachEpochAnotherOrder() {
        CollectionAccumulator<SparkTestData.Read> r1 = sc.sc().collectionAccumulator("run1");
        CollectionAccumulator<SparkTestData.Read> r2 = sc.sc().collectionAccumulator("run2");
        INDArray p1 = train(data(), 2, r1, null).params();
        INDArray p2 = train(data(), 2, r2, null).params();
        assertEquals(p1, p2, "same seed, same parameters");
        List<Long> e0 = SparkTestData.idsOf(r1.value(), 0);
        List<Long> e1 = SparkTestData.idsOf(r1.value(), 1);
        assertEquals(everyRow(), sortedIds(r1.value(), 1), "second epoch: every row exactly once");
        assertNotEquals(e0, e1, "the second epoch has another order");
        assertEquals(e0, SparkTestData.idsOf(r2.value(), 0), "same seed, same order");
        // the order of shard 0 is the loader's global order cut round-robin: compare with a 1-shard reading
        List<Long> global = new ArrayList<>();
        try (Hdf5DataSetIterator it = ShardedDataSet.of(Hdf5Source.path(file), 1, b -> b.features("/x").labels("/y")
                .oneHot(SparkTestData.CLASSES).batchSize(SparkTestData.BATCH).order(Order.SHUFFLED).seed(11))
                .iterator(0, 0)) {
            while (it.hasNext()) {
                for (long id : SparkTestData.ids(it.next().getFeatures())) {
                    global.add(id);
                }
            }
        }
        List<Long> shard0 = new ArrayList<>();
        for (int b = 0; b < 32; b += 2) {
            shard0.addAll(global.subList(b * SparkTestData.BATCH, (b + 1) * SparkTestData.BATCH));
        }
        assertEquals(shard0, e0.subList(0, SparkTestData.N / 2), "shard 0 = global batches 0, 2, 4, ...");
    }

    @Test
    void aFailedTaskIsRetriedAndRereadsItsShard() {
        SparkTestData.FAILED.set(false);
        SparkTestData.ALL_READS.clear();
        CollectionAccumulator<SparkTestData.Read> reads = sc.sc().collectionAccumulator("retry");
        long opensBefore = ShardCursors.opens();
        // round 2 of shard 1 holds batches 4..7: fail on reading batch 5 once
        train(data(), 1, reads, "1.0.5");
        assertTrue(SparkTestData.FAILED.get(), "the failure was injected");
        List<SparkTestData.Read> ok = reads.value();
        assertEquals(everyRow(), sortedIds(ok, 0), "every row exactly once in the successful attempts");
        List<SparkTestData.Read> retried = ok.stream().filter(x -> x.attempt() == 1).toList();
        assertEquals(List.of(4, 5, 6, 7), retried.stream().map(x -> x.batch().batch()).toList(),
                "the retried attempt read its round of shard 1 again");
        List<SparkTestData.Read> failedReads = SparkTestData.ALL_READS.stream()
                .filter(x -> x.attempt() == 0 && x.batch().shard() == 1 && x.batch().batch() >= 4 && x.batch().batch() <= 5)
                .toList();
        assertEquals(2, failedReads.size(), "the failed attempt read batches 4 and 5");
        for (SparkTestData.Read f : failedReads) {
            SparkTestData.Read again = retried.stream().filter(x -> x.batch().equals(f.batch())).findFirst().orElseThrow();
            assertEquals(java.util.Arrays.toString(f.ids()), java.util.Arrays.toString(again.ids()),
                    "the retry read the same rows for " + f.batch());
        }
        assertTrue(ShardCursors.opens() - opensBefore >= 3, "the retry reopened shard 1 at batch 4");
    }

    @Test
    void unevenShardsReadEveryRowOnceWithoutPadding() {
        // 1024 rows in batches of 50: 21 global batches (the last of 24 rows), shards of 11 and 10
        ShardedDataSet data = ShardedDataSet.of(Hdf5Source.path(file), 2, b -> b.features("/x").labels("/y")
                .oneHot(SparkTestData.CLASSES).batchSize(50).order(Order.SHUFFLED).seed(11)
                .shardMode(org.multitables4j.ShardMode.UNEVEN));
        ShardLayout layout = data.layout(sc);
        assertEquals(List.of(11, 10), layout.batchesPerShard());
        MultiLayerNetwork net = new MultiLayerNetwork(SparkTestData.mlp(5));
        net.init();
        SparkDl4jMultiLayer sparkNet = new SparkDl4jMultiLayer(sc, net,
                TrainingMasters.parameterAveraging(layout, 4).build());
        CollectionAccumulator<SparkTestData.Read> reads = sc.sc().collectionAccumulator("uneven");
        ShardedTraining.of(sparkNet, data, layout, new SparkTestData.RecordingLoader(new ShardBatchLoader(data), reads, null))
                .fitEpoch(0);
        assertEquals(everyRow(), sortedIds(reads.value(), 0), "every row exactly once, no padding");
        assertEquals(10, reads.value().stream().filter(x -> x.batch().shard() == 1).count());
    }

    @Test
    void aFileShippedWithAddFileIsFoundOnTheExecutors() {
        sc.addFile(file.toString());
        ShardedDataSet data = ShardedDataSet.of(Hdf5Source.sparkFile(file.getFileName().toString()), 2,
                b -> b.features("/x").labels("/y").oneHot(SparkTestData.CLASSES).batchSize(SparkTestData.BATCH));
        ShardLayout layout = data.layout(sc);
        assertEquals(SparkTestData.N, layout.rows());
        String name = data.batchNames(sc, layout, 0, 0, 1).first();
        assertTrue(name.startsWith("file:/spark-files/spark-fixture.h5#0.2.0.0"), name);
    }

    @Test
    void aMasterThatExpectsAnotherBatchSizeIsRefused() {
        ShardedDataSet data = data();
        ShardLayout layout = data.layout(sc);
        MultiLayerNetwork net = new MultiLayerNetwork(SparkTestData.mlp(5));
        net.init();
        ParameterAveragingTrainingMaster tm = new ParameterAveragingTrainingMaster.Builder(2, 1).batchSizePerWorker(32)
                .build();
        SparkDl4jMultiLayer sparkNet = new SparkDl4jMultiLayer(sc, net, tm);
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> ShardedTraining.of(sparkNet, data, layout));
        assertTrue(e.getMessage().contains("batch size is 32"), e.getMessage());
    }
}
