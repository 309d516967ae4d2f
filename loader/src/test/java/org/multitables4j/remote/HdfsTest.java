package org.multitables4j.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.multitables4j.Backend;
import org.multitables4j.FileChangedException;
import org.multitables4j.Hdf5DataSetIterator;
import org.multitables4j.InvalidConfigurationException;
import org.multitables4j.MultitablesException;
import org.multitables4j.ProcessOptions;
import org.multitables4j.ReadStats;
import org.multitables4j.RemoteOptions;
import org.multitables4j.RemoteReadException;
import org.multitables4j.internal.hdf5.Hdf5File;
import org.multitables4j.reader.Hdf5Dataset;
import org.multitables4j.reader.Hdf5Reader;
import org.multitables4j.reader.Stage;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Reads h5py's gzip + shuffle fixture from a real HDFS: a one-DataNode MiniDFSCluster in this
 * JVM. Values are checked against the formula the fixture was written with; the read counts
 * against h5py's chunk index. The DataNode is stopped by the last test.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(120)
class HdfsTest {
    private static MiniDFSCluster cluster;
    private static Configuration conf;
    private static URI uri;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void startHdfs() throws IOException {
        Configuration c = new Configuration();
        c.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, tmp.resolve("dfs").toString());
        // a dead DataNode is given up on in milliseconds, not after the default back-off
        c.setInt("dfs.client.retry.window.base", 10);
        c.setInt("dfs.client.max.block.acquire.failures", 1);
        c.setInt("ipc.client.connect.max.retries", 0);
        c.setInt("ipc.client.connect.max.retries.on.timeouts", 0);
        cluster = new MiniDFSCluster.Builder(c, tmp.resolve("dfs").toFile()).numDataNodes(1).build();
        cluster.waitActive();
        org.apache.hadoop.fs.Path dst = new org.apache.hadoop.fs.Path("/data/remote.h5");
        cluster.getFileSystem().copyFromLocalFile(new org.apache.hadoop.fs.Path(RemoteFixture.file().toUri()), dst);
        conf = c;
        uri = URI.create(cluster.getFileSystem().getUri() + "/data/remote.h5");
    }

    @AfterAll
    static void stopHdfs() {
        if (cluster != null) {
            cluster.shutdown();
        }
    }

    private static RemoteOptions remote() {
        return RemoteOptions.defaults().withHadoopConfiguration(conf);
    }

    private static Hdf5DataSetIterator.Builder builder(RemoteOptions remote, org.multitables4j.Order order) {
        return Hdf5DataSetIterator.builder(uri, remote).features("/x").labels("/y").batchSize(100).order(order)
                .seed(11).workers(2);
    }

    @Test
    @Order(1)
    void everyOrderStreamsH5pysValuesWithThreads() {
        for (org.multitables4j.Order order : new org.multitables4j.Order[] {org.multitables4j.Order.ORDERED,
            org.multitables4j.Order.AS_AVAILABLE, org.multitables4j.Order.SHUFFLED, org.multitables4j.Order.RANDOM}) {
            List<Integer> remoteIds;
            try (Hdf5DataSetIterator it = builder(remote(), order).build()) {
                remoteIds = RemoteFixture.epochIds(it);
            }
            RemoteFixture.assertEachRowOnce(remoteIds);
            if (order == org.multitables4j.Order.ORDERED) {
                for (int i = 0; i < remoteIds.size(); i++) {
                    assertEquals(i, remoteIds.get(i));
                }
            } else if (order != org.multitables4j.Order.AS_AVAILABLE) {
                // the plan is a function of seed and epoch: the same sequence as the local file
                try (Hdf5DataSetIterator local = Hdf5DataSetIterator.builder(RemoteFixture.file()).features("/x")
                        .labels("/y").batchSize(100).order(order).seed(11).workers(2).build()) {
                    assertEquals(RemoteFixture.epochIds(local), remoteIds, order.name());
                }
            }
        }
    }

    @Test
    @Order(2)
    void workerProcessesOpenTheUriThemselves() {
        // one order only: a child JVM takes seconds to load Hadoop's client (the other orders
        // differ in the parent's scheduling, not in what the children read)
        for (org.multitables4j.Order order : new org.multitables4j.Order[] {org.multitables4j.Order.ORDERED}) {
            try (Hdf5DataSetIterator it = builder(remote(), order).backend(Backend.PROCESSES)
                    .sharedMemoryDir(tmp).build()) {
                List<Integer> ids = RemoteFixture.epochIds(it);
                RemoteFixture.assertEachRowOnce(ids);
                if (order == org.multitables4j.Order.ORDERED) {
                    assertEquals(0, ids.get(0));
                    assertEquals(RemoteFixture.ROWS - 1, ids.get(ids.size() - 1));
                }
            }
        }
    }

    @Test
    @Order(3)
    void oneEpochReadsEveryChunkOnceInOneCallEach() throws IOException {
        ReadStats stats = new ReadStats();
        long[] x = RemoteFixture.chunkInfo("/x");
        long[] y = RemoteFixture.chunkInfo("/y");
        RemoteOptions small = remote().withMetadataBlockBytes(4096).withStats(stats);
        for (org.multitables4j.Order order : new org.multitables4j.Order[] {org.multitables4j.Order.ORDERED,
            org.multitables4j.Order.SHUFFLED}) {
            try (Hdf5DataSetIterator it = builder(small, order).build()) {
                long metaCalls = stats.metadataCalls();
                assertTrue(metaCalls > 0 && stats.dataCalls() == 0, stats.toString());
                RemoteFixture.assertEachRowOnce(RemoteFixture.epochIds(it));
                assertEquals(x[0] + y[0], stats.dataCalls(), order + ": " + stats);
                assertEquals(x[1] + y[1], stats.dataBytes(), order + ": " + stats);
                // 4 KiB blocks of the 28 KiB file: each block fetched at most once per open
                long blocks = (Files.size(RemoteFixture.file()) + 4095) / 4096;
                assertTrue(stats.metadataCalls() <= blocks && stats.metadataBytes() <= blocks * 4096, stats.toString());
                assertEquals(metaCalls, stats.metadataCalls(), "no metadata read while streaming: " + stats);
            }
            stats.reset();
        }
    }

    @Test
    @Order(4)
    void metadataBlocksCoalesceJhdfsSmallReads() throws IOException {
        ReadStats stats = new ReadStats();
        try (Hdf5File f = Hdf5File.open(uri, remote().withStats(stats))) {
            assertEquals(Files.size(RemoteFixture.file()), f.size());
            assertEquals(RemoteFixture.ROWS, f.array("/x").rows());
            assertTrue(f.isRemote());
            assertEquals(uri.toString(), f.location());
        }
        // the 28 KiB file fits one 128 KiB block: jhdf's dozens of header reads become one call
        assertEquals(1, stats.metadataCalls(), stats.toString());
    }

    @Test
    @Order(5)
    void readerRequestsEqualTheFormula() {
        for (Backend backend : new Backend[] {Backend.THREADS, Backend.PROCESSES}) {
            try (Hdf5Reader reader = Hdf5Reader.open(uri, remote(), 2, 1L << 20, backend)) {
                Hdf5Dataset ds = reader.dataset("/x");
                Stage stage = ds.createStage(256, DataType.DOUBLE);
                SplittableRandom rnd = new SplittableRandom(3);
                long[] idx = new long[200];
                for (int i = 0; i < idx.length; i++) {
                    idx[i] = rnd.nextInt(RemoteFixture.ROWS);
                }
                RemoteFixture.checkRows(reader.request(ds.rows(idx), stage).get(), idx);
                long[] range = new long[70];
                for (int i = 0; i < range.length; i++) {
                    range[i] = 2900 + i;
                }
                RemoteFixture.checkRows(reader.request(ds.rows(2900, 2970), stage).get(), range);
            }
        }
    }

    /**
     * A worker process reads the file the parent opened or none: the remote file is replaced
     * (overwritten with the same bytes: a new length-and-modification-time identity) after the
     * reader opened it, and the child started after the old one died refuses it with
     * {@link FileChangedException} naming the URI instead of reading the new file. Before that,
     * an iterator streams through the reader's worker process.
     */
    @Test
    @Order(8)
    void aChildRefusesARemoteFileReplacedSinceTheParentOpenedIt() throws Exception {
        org.apache.hadoop.fs.FileSystem fs = cluster.getFileSystem();
        org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path("/data/replaced.h5");
        org.apache.hadoop.fs.Path local = new org.apache.hadoop.fs.Path(RemoteFixture.file().toUri());
        fs.copyFromLocalFile(false, true, local, p);
        URI replaced = URI.create(fs.getUri() + "/data/replaced.h5");
        ProcessOptions po = ProcessOptions.defaults().withSharedMemoryDir(tmp).withRestarts(2);
        // a store of one block: the read after the replacement misses it and goes to the child
        try (Hdf5Reader reader = Hdf5Reader.open(replaced, remote(), 1, 0, po)) {
            assertNull(reader.path());
            assertEquals(replaced, reader.uri());
            try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(reader).features("/x").labels("/y").batchSize(100)
                    .order(org.multitables4j.Order.ORDERED).workers(1).build()) {
                List<Integer> ids = RemoteFixture.epochIds(it);
                RemoteFixture.assertEachRowOnce(ids);
                assertEquals(0, ids.get(0));
            }
            InvalidConfigurationException table = assertThrows(InvalidConfigurationException.class, () -> reader.table("/x"));
            assertTrue(table.getMessage().contains(replaced.toString()), table.getMessage());
            Hdf5Dataset ds = reader.dataset("/x");
            Stage stage = ds.createStage(64, DataType.DOUBLE);
            long[] idx = {5, 2999, 17};
            RemoteFixture.checkRows(reader.request(ds.rows(idx), stage).get(), idx);
            long before = fs.getFileStatus(p).getModificationTime();
            Thread.sleep(5); // the replacement's modification time differs
            fs.copyFromLocalFile(false, true, local, p);
            assertTrue(fs.getFileStatus(p).getModificationTime() != before);
            List<Long> pids = reader.workerPids();
            assertEquals(1, pids.size());
            ProcessHandle child = ProcessHandle.of(pids.get(0)).orElseThrow();
            child.destroyForcibly();
            child.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
            long[] twoBlocks = {5, 2999};
            FileChangedException changed = assertThrows(FileChangedException.class,
                    () -> reader.request(ds.rows(twoBlocks), stage).get());
            assertTrue(changed.getMessage().contains(replaced.toString()) && changed.getMessage().contains("changed"),
                    changed.getMessage());
        }
    }

    @Test
    @Order(6)
    void missingFilesAndUnknownSchemesAreTyped() throws IOException {
        URI missing = URI.create(cluster.getFileSystem().getUri() + "/data/none.h5");
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> Hdf5DataSetIterator.builder(missing, remote()).features("/x").build());
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        InvalidConfigurationException s = assertThrows(InvalidConfigurationException.class,
                () -> Hdf5File.open(URI.create("nosuchfs://host/x.h5"), remote()));
        assertTrue(s.getMessage().contains("nosuchfs"), s.getMessage());
    }

    @Test
    @Order(7)
    void fileUrisAndPlainPathsStayLocal() {
        for (URI local : new URI[] {RemoteFixture.file().toUri(), URI.create(RemoteFixture.file().toString())}) {
            try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(local).features("/x").labels("/y").batchSize(100)
                    .order(org.multitables4j.Order.ORDERED).workers(2).build()) {
                List<Integer> ids = RemoteFixture.epochIds(it);
                RemoteFixture.assertEachRowOnce(ids);
            }
        }
        // local and remote files in one list: rows of both, in list order
        try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(List.of(RemoteFixture.file().toUri(), uri), remote())
                .features("/x").labels("/y").batchSize(100).order(org.multitables4j.Order.ORDERED).workers(2).build()) {
            List<Integer> ids = RemoteFixture.epochIds(it);
            assertEquals(2 * RemoteFixture.ROWS, ids.size());
            assertEquals(ids.subList(0, RemoteFixture.ROWS), ids.subList(RemoteFixture.ROWS, 2 * RemoteFixture.ROWS));
        }
    }

    @Test
    @Order(100)
    @Timeout(90)
    void aDataNodeStoppedMidReadGivesATypedErrorNotWrongRows() {
        List<Integer> delivered = new ArrayList<>();
        MultitablesException failure;
        try (Hdf5DataSetIterator it = builder(remote(), org.multitables4j.Order.ORDERED).batchSize(64).workers(1)
                .prefetch(1).build()) {
            collect(it.next(), delivered);
            cluster.stopDataNode(0);
            failure = assertThrows(MultitablesException.class, () -> {
                while (it.hasNext()) {
                    collect(it.next(), delivered);
                }
            });
        }
        // the rows delivered before the failure are right, and some were not delivered
        assertTrue(delivered.size() < RemoteFixture.ROWS, "every row arrived after the DataNode stopped");
        for (int i = 0; i < delivered.size(); i++) {
            assertEquals(i, delivered.get(i));
        }
        assertInstanceOf(RemoteReadException.class, failure, failure.toString());
        assertTrue(failure.getMessage().contains(uri.toString()), failure.getMessage());
    }

    private static void collect(org.nd4j.linalg.dataset.DataSet ds, List<Integer> ids) {
        for (int i = 0; i < ds.getFeatures().size(0); i++) {
            int r = (int) ds.getLabels().getDouble((long) i);
            for (int k = 0; k < RemoteFixture.COLS; k++) {
                assertEquals(RemoteFixture.x(r, k), ds.getFeatures().getDouble(i, k), "row " + r);
            }
            ids.add(r);
        }
    }
}
