package org.multitables4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.spark.SparkConf;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.CollectionAccumulator;
import org.deeplearning4j.core.loader.DataSetLoader;
import org.deeplearning4j.core.loader.MultiDataSetLoader;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.weights.WeightInit;
import org.multitables4j.Hdf5DataSetIterator;
import org.multitables4j.Order;
import org.nd4j.common.loader.Source;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The Spark tests' file (written by h5py, see make_spark_fixture.py), a Spark context in local
 * mode with 2 task threads and one retry, and a loader wrapper that records the row ids of every
 * batch where the executors read it.
 */
final class SparkTestData {
    static final int N = 1024;
    static final int D = 16;
    static final int CLASSES = 3;
    static final int BATCH = 32;

    private SparkTestData() {
    }

    static Path write(Path dir) throws IOException, InterruptedException {
        Path file = dir.resolve("spark-fixture.h5");
        Path script = Path.of("src/test/resources/make_spark_fixture.py").toAbsolutePath();
        Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), file.toString(), String.valueOf(N),
                String.valueOf(D), String.valueOf(CLASSES), "1").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "make_spark_fixture.py (needs h5py and numpy for /usr/bin/python3): " + out);
        return file;
    }

    /** local[2,2]: two task threads, a failed task is tried once more. */
    /**
     * @param file a file from {@link #write}
     * @return every row in file order, one detached batch
     */
    static DataSet readAll(Path file) {
        try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(file).features("/x").labels("/y")
                .oneHot(CLASSES).batchSize(N).order(Order.ORDERED).copyBatches(true).workers(1).build()) {
            return it.next();
        }
    }

    static JavaSparkContext context() {
        SparkConf conf = new SparkConf().setMaster("local[2,2]").setAppName("multitables4j-spark-test")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1");
        JavaSparkContext sc = new JavaSparkContext(conf);
        sc.setLogLevel("ERROR");
        return sc;
    }

    static MultiLayerConfiguration mlp(long seed) {
        return new NeuralNetConfiguration.Builder().seed(seed).updater(new Adam(0.01)).weightInit(WeightInit.XAVIER)
                .list()
                .layer(new DenseLayer.Builder().nIn(D).nOut(32).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(32).nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build())
                .build();
    }

    /** @return the row ids of a batch: x[:, 0] = row / N, exact in float32 for N up to 2^20 */
    static long[] ids(INDArray features) {
        long[] ids = new long[(int) features.size(0)];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = Math.round(features.getDouble(i, 0) * N);
        }
        return ids;
    }

    /** What one read recorded: the batch, the task attempt that read it and its row ids. */
    record Read(BatchName batch, int attempt, long[] ids) implements java.io.Serializable {
    }

    /** Reads of failed task attempts too (local mode: one JVM), which Spark's accumulators drop. */
    static final Queue<Read> ALL_READS = new ConcurrentLinkedQueue<>();
    /** Set once the injected failure has been thrown. */
    static final AtomicBoolean FAILED = new AtomicBoolean();

    static Read record(String path, long[] ids, CollectionAccumulator<Read> acc, String failAt) throws IOException {
        TaskContext tc = TaskContext.get();
        Read r = new Read(BatchName.parse(path), tc == null ? -1 : tc.attemptNumber(), ids);
        ALL_READS.add(r);
        acc.add(r);
        String at = r.batch().shard() + "." + r.batch().epoch() + "." + r.batch().batch();
        if (at.equals(failAt) && FAILED.compareAndSet(false, true)) {
            throw new IOException("injected failure at shard.epoch.batch " + at);
        }
        return r;
    }

    /** Records each batch's row ids (into a Spark accumulator) and can fail once at one batch. */
    static final class RecordingLoader implements DataSetLoader {
        private final DataSetLoader inner;
        private final CollectionAccumulator<Read> reads;
        private final String failAt;

        RecordingLoader(DataSetLoader inner, CollectionAccumulator<Read> reads, String failAt) {
            this.inner = inner;
            this.reads = reads;
            this.failAt = failAt;
        }

        @Override
        public DataSet load(Source source) throws IOException {
            DataSet ds = inner.load(source);
            record(source.getPath(), ids(ds.getFeatures()), reads, failAt);
            return ds;
        }
    }

    /** As {@link RecordingLoader}, for MultiDataSets (ids from the first input). */
    static final class RecordingMultiLoader implements MultiDataSetLoader {
        private final MultiDataSetLoader inner;
        private final CollectionAccumulator<Read> reads;

        RecordingMultiLoader(MultiDataSetLoader inner, CollectionAccumulator<Read> reads) {
            this.inner = inner;
            this.reads = reads;
        }

        @Override
        public MultiDataSet load(Source source) throws IOException {
            MultiDataSet ds = inner.load(source);
            record(source.getPath(), ids(ds.getFeatures(0)), reads, null);
            return ds;
        }
    }

    /** @return the ids of every read of one epoch, in read order per shard */
    static List<Long> idsOf(List<Read> reads, long epoch) {
        List<Long> ids = new ArrayList<>();
        reads.stream().filter(r -> r.batch().epoch() == epoch)
                .sorted(java.util.Comparator.comparingInt((Read r) -> r.batch().shard())
                        .thenComparingInt(r -> r.batch().batch()))
                .forEach(r -> {
                    for (long id : r.ids()) {
                        ids.add(id);
                    }
                });
        return ids;
    }
}
