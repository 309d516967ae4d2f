package org.multitables4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.multitables4j.Hdf5DataSetIterator;
import org.multitables4j.InvalidConfigurationException;
import org.multitables4j.Order;

/**
 * Shards read by the executors from HDFS (a one-DataNode MiniDFSCluster in this JVM): the
 * layout found by Spark tasks, and the two shards' rows (read where the iterators read them)
 * cover the file exactly once, in the order of the same data read from the local copy.
 */
class RemoteShardTest {
    @TempDir
    static Path dir;
    static Path local;
    static MiniDFSCluster cluster;
    static String uri;
    static JavaSparkContext sc;

    @BeforeAll
    static void setUp() throws Exception {
        local = SparkTestData.write(dir);
        Configuration c = new Configuration();
        cluster = new MiniDFSCluster.Builder(c, dir.resolve("dfs").toFile()).numDataNodes(1).build();
        cluster.waitActive();
        org.apache.hadoop.fs.Path dst = new org.apache.hadoop.fs.Path("/data/train.h5");
        cluster.getFileSystem().copyFromLocalFile(new org.apache.hadoop.fs.Path(local.toUri()), dst);
        uri = cluster.getFileSystem().getUri() + "/data/train.h5";
        sc = SparkTestData.context();
    }

    @AfterAll
    static void tearDown() {
        if (sc != null) {
            sc.stop();
        }
        if (cluster != null) {
            cluster.shutdown();
        }
    }

    static DataSetOptions options() {
        return b -> b.features("/x").labels("/y").oneHot(SparkTestData.CLASSES).batchSize(SparkTestData.BATCH)
                .order(Order.SHUFFLED).seed(9);
    }

    static List<Long> ids(ShardedDataSet data, int shard) {
        List<Long> ids = new ArrayList<>();
        try (Hdf5DataSetIterator it = data.iterator(shard, 0)) {
            while (it.hasNext()) {
                for (long id : SparkTestData.ids(it.next().getFeatures())) {
                    ids.add(id);
                }
            }
        }
        return ids;
    }

    @Test
    void shardsFromHdfsCoverTheFileOnceInTheLocalOrder() {
        ShardedDataSet remote = ShardedDataSet.of(Hdf5Source.uri(uri, Map.of()), 2, options());
        ShardLayout layout = remote.layout(sc); // read by Spark tasks
        assertEquals(SparkTestData.BATCH, layout.batchSize());
        assertEquals(SparkTestData.N, layout.rows());
        List<Long> all = new ArrayList<>();
        ShardedDataSet fromLocal = ShardedDataSet.of(Hdf5Source.path(local), 2, options());
        for (int shard = 0; shard < 2; shard++) {
            List<Long> got = ids(remote, shard);
            assertEquals(ids(fromLocal, shard), got, "shard " + shard + ": the rows of the local copy, in its order");
            all.addAll(got);
        }
        Collections.sort(all);
        assertEquals(LongStream.range(0, SparkTestData.N).boxed().collect(Collectors.toList()), all,
                "every row of the file exactly once");
    }

    @Test
    void aRemoteSourceNeedsAScheme() {
        assertThrows(InvalidConfigurationException.class, () -> Hdf5Source.uri("/data/train.h5", Map.of()));
        assertThrows(InvalidConfigurationException.class, () -> Hdf5Source.uri(uri, Map.of()).resolve());
    }
}
