package org.multitables4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.multitables4j.reader.Hdf5Dataset;
import org.multitables4j.reader.Hdf5Reader;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Worker processes read the file the parent opened, even when its path is replaced by a rename
 * (an atomic refresh) after the iterator was built: before the children opened it, and before a
 * killed child is restarted. iter.h5 holds [r, 2r, -r, r % 7] with label r % 10 (h5py,
 * make_iter_fixture.py); the replacement holds [r + 0.5, 3r, r, 100] with label (r + 3) % 10 in
 * other chunks (make_replacement_fixture.py), so any row read from it fails the formula checks.
 */
class FileReplacementTest {
    @TempDir
    Path tmp;

    static Path resource(String name) {
        try {
            return Path.of(FileReplacementTest.class.getResource("/iter/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Replaces {@code target} by the replacement file with a rename, as an atomic refresh does. */
    static void replaceByRename(Path target) throws IOException {
        Path next = target.resolveSibling(target.getFileName() + ".next");
        Files.copy(resource("iter_replacement.h5"), next, StandardCopyOption.REPLACE_EXISTING);
        Files.move(next, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private Path original() throws IOException {
        Path data = tmp.resolve("data.h5");
        Files.copy(Hdf5DataSetIteratorTest.fixture(), data);
        return data;
    }

    private Hdf5DataSetIterator.Builder builder(Path data, Order order) {
        return Hdf5DataSetIterator.builder(data).features("/x").labels("/y").oneHot(10).batchSize(96).order(order)
                .seed(11).workers(2).backend(Backend.PROCESSES).sharedMemoryDir(tmp).cacheBytes(16 << 10);
    }

    @ParameterizedTest
    @EnumSource(value = Order.class, names = {"ORDERED", "SHUFFLED", "RANDOM"})
    void replacedAfterBuildBeforeTheFirstBatch(Order order) throws IOException {
        Path data = original();
        try (Hdf5DataSetIterator it = builder(data, order).build()) {
            replaceByRename(data);
            ProcessBackendTest.assertExactlyOnce(ProcessBackendTest.epochIds(it));
            it.reset();
            ProcessBackendTest.assertExactlyOnce(ProcessBackendTest.epochIds(it));
        }
    }

    @Test
    void replacedAndChildrenKilledMidEpoch() throws Exception {
        Path data = original();
        // a ring of four slots keeps reads to do after batch 20 (SHUFFLED's default ring, sized for
        // two shuffle windows, holds 90 of the 105 batches: the children would have nothing left)
        try (Hdf5DataSetIterator it = builder(data, Order.SHUFFLED).prefetch(4).build()) {
            List<int[]> got = new ArrayList<>();
            int batch = 0;
            while (it.hasNext()) {
                got.add(batchIds(it.next()));
                if (++batch == 20) {
                    replaceByRename(data);
                    List<Long> pids = it.workerPids();
                    assertEquals(2, pids.size());
                    pids.forEach(pid -> ProcessBackendTest.signal("KILL", pid));
                }
            }
            assertTrue(it.workerRestarts() > 0, "the killed children were restarted: " + it.workerRestarts());
            ProcessBackendTest.assertExactlyOnce(got);
        }
    }

    /** The Reader opens datasets on demand and sends them to running children; restarted ones find the file too. */
    @Test
    void readerAfterReplacementOpensAndRestartsOnTheOriginal() throws Exception {
        Path data = original();
        try (Hdf5Reader reader = Hdf5Reader.open(data, 2, 64 << 10, Backend.PROCESSES)) {
            Hdf5Dataset x = reader.dataset("/x");
            check(reader.request(x.rows(0, 50), x.createStage(50)).get(), 0);
            replaceByRename(data);
            // a dataset opened now is sent to the running children as OPEN
            Hdf5Dataset contig = reader.dataset("/x_contig");
            check(reader.request(contig.rows(1000, 1100), contig.createStage(100)).get(), 1000);
            check(reader.request(x.rows(5000, 5200), x.createStage(200)).get(), 5000);
            List<Long> pids = reader.workerPids();
            assertTrue(!pids.isEmpty());
            pids.forEach(pid -> ProcessBackendTest.signal("KILL", pid));
            Thread.sleep(200);
            // restarted children get the whole list in their handshake
            check(reader.request(x.rows(9000, 9990), x.createStage(990)).get(), 9000);
            check(reader.request(contig.rows(7000, 7300), contig.createStage(300)).get(), 7000);
        }
    }

    /** Row ids of one batch, each row and label checked against iter.h5's formula. */
    private static int[] batchIds(DataSet ds) {
        INDArray f = ds.getFeatures();
        int[] ids = new int[(int) f.size(0)];
        for (int i = 0; i < ids.length; i++) {
            int r = (int) f.getFloat(i, 0);
            ids[i] = r;
            assertEquals(r, f.getFloat(i, 0), 0f, "row " + r);
            assertEquals(2f * r, f.getFloat(i, 1), 0f, "row " + r);
            assertEquals(-r, f.getFloat(i, 2), 0f, "row " + r);
            assertEquals(r % 7, f.getFloat(i, 3), 0f, "row " + r);
            assertEquals(r % 10, ds.getLabels().argMax(1).getInt(i), "label of row " + r);
        }
        return ids;
    }

    /** Rows {@code first...} of iter.h5's /x: [r, 2r, -r, r % 7]. */
    private static void check(INDArray got, long first) {
        for (int i = 0; i < got.size(0); i++) {
            long r = first + i;
            assertEquals(r, got.getFloat(i, 0), 0f, "row " + r);
            assertEquals(2f * r, got.getFloat(i, 1), 0f, "row " + r);
            assertEquals(-r, got.getFloat(i, 2), 0f, "row " + r);
            assertEquals(r % 7, got.getFloat(i, 3), 0f, "row " + r);
        }
    }
}
