package org.multitables4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.multitables4j.Hdf5DataSetIterator;
import org.multitables4j.Hdf5MultiDataSetIterator;
import org.multitables4j.Order;

/**
 * The shard iterators built outside Spark: shard 0 of 2 from batch 3 on delivers the global
 * order's batches 6, 8, 10, ... (the global order read by a plain unsharded iterator), for the
 * DataSet and the MultiDataSet kind.
 */
class ShardIteratorTest {
    @TempDir
    static Path dir;
    static Path file;
    static List<long[]> global = new ArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        file = SparkTestData.write(dir);
        try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(file).features("/x").labels("/y")
                .oneHot(SparkTestData.CLASSES).batchSize(SparkTestData.BATCH).order(Order.SHUFFLED).seed(5).build()) {
            while (it.hasNext()) {
                global.add(SparkTestData.ids(it.next().getFeatures()));
            }
        }
    }

    static List<Long> expectedFromBatch(int firstBatch) {
        List<Long> ids = new ArrayList<>();
        for (int b = 2 * firstBatch; b < global.size(); b += 2) {
            for (long id : global.get(b)) {
                ids.add(id);
            }
        }
        return ids;
    }

    @Test
    void dataSetShardFromBatch3() {
        ShardedDataSet data = ShardedDataSet.of(Hdf5Source.path(file), 2, b -> b.features("/x").labels("/y")
                .oneHot(SparkTestData.CLASSES).batchSize(SparkTestData.BATCH).order(Order.SHUFFLED).seed(5));
        List<Long> got = new ArrayList<>();
        try (Hdf5DataSetIterator it = data.iterator(0, 0, 3)) {
            while (it.hasNext()) {
                for (long id : SparkTestData.ids(it.next().getFeatures())) {
                    got.add(id);
                }
            }
        }
        assertEquals(expectedFromBatch(3), got);
    }

    @Test
    void multiDataSetShardFromBatch3() {
        ShardedMultiDataSet data = ShardedMultiDataSet.of(Hdf5Source.path(file), 2, b -> b
                .input("/x", SparkTestData.D).outputOneHot("/y", SparkTestData.CLASSES)
                .batchSize(SparkTestData.BATCH).order(Order.SHUFFLED).seed(5));
        List<Long> got = new ArrayList<>();
        try (Hdf5MultiDataSetIterator it = data.iterator(0, 0, 3)) {
            assertEquals(SparkTestData.BATCH, it.batch());
            while (it.hasNext()) {
                for (long id : SparkTestData.ids(it.next().getFeatures(0))) {
                    got.add(id);
                }
            }
        }
        assertEquals(expectedFromBatch(3), got);
    }
}
