package org.multitables4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.multitables4j.hdf5.Fixtures;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * The process backend: child JVMs decode into shared memory. The rows of iter.h5 name
 * themselves (row r holds [r, 2r, -r, r % 7], label r % 10, written by h5py), so every batch is
 * checked against that formula, and against the thread backend for the same seed.
 */
class ProcessBackendTest {
    static final int N = Hdf5DataSetIteratorTest.N;

    @TempDir
    Path tmp;

    private Hdf5DataSetIterator.Builder base(String features, Order order, Backend backend) {
        return Hdf5DataSetIterator.builder(Hdf5DataSetIteratorTest.fixture()).features(features).labels("/y").oneHot(10)
                .batchSize(96).order(order).seed(5).workers(2).backend(backend).sharedMemoryDir(tmp);
    }

    /** Row ids of every batch of one epoch, each row checked against the fixture formula. */
    static List<int[]> epochIds(Hdf5DataSetIterator it) {
        List<int[]> out = new ArrayList<>();
        while (it.hasNext()) {
            DataSet ds = it.next();
            INDArray f = ds.getFeatures();
            int[] ids = new int[(int) f.size(0)];
            for (int i = 0; i < ids.length; i++) {
                int r = (int) f.getFloat(i, 0);
                ids[i] = r;
                assertEquals(2f * r, f.getFloat(i, 1), "row " + r);
                assertEquals(-r, f.getFloat(i, 2), 0f, "row " + r);
                assertEquals(r % 7, f.getFloat(i, 3), 0f, "row " + r);
                assertEquals(r % 10, ds.getLabels().argMax(1).getInt(i), "label of row " + r);
                assertEquals(1f, ds.getLabels().getRow(i).sumNumber().floatValue(), 0f);
            }
            out.add(ids);
        }
        return out;
    }

    static void assertExactlyOnce(List<int[]> batches) {
        int[] seen = new int[N];
        for (int[] b : batches) {
            for (int id : b) {
                seen[id]++;
            }
        }
        for (int r = 0; r < N; r++) {
            assertEquals(1, seen[r], "row " + r + " delivered once");
        }
    }

    @ParameterizedTest
    @CsvSource({"/x, ORDERED", "/x, SHUFFLED", "/x, RANDOM", "/x_contig, RANDOM", "/x_f8_be, SHUFFLED", "/x_i4, ORDERED",
        "/x_contig, ORDERED"})
    void sameBatchesInTheSameOrderAsThreads(String features, Order order) {
        List<int[]> threads;
        try (Hdf5DataSetIterator it = base(features, order, Backend.THREADS).build()) {
            threads = epochIds(it);
        }
        try (Hdf5DataSetIterator it = base(features, order, Backend.PROCESSES).build()) {
            List<int[]> procs = epochIds(it);
            assertEquals(threads.size(), procs.size());
            for (int i = 0; i < procs.size(); i++) {
                assertArrayEquals(threads.get(i), procs.get(i), "batch " + i);
            }
            assertExactlyOnce(procs);
            // a second epoch on the same children
            it.reset();
            assertExactlyOnce(epochIds(it));
        }
    }

    @Test
    void asAvailableDeliversEveryRowOnce() {
        try (Hdf5DataSetIterator it = base("/x", Order.AS_AVAILABLE, Backend.PROCESSES).build()) {
            assertExactlyOnce(epochIds(it));
        }
    }

    @Test
    void slotsAreViewsOfTheSharedFile() throws IOException {
        try (Hdf5DataSetIterator it = base("/x", Order.ORDERED, Backend.PROCESSES).build()) {
            DataSet ds = it.next();
            List<Path> files;
            try (Stream<Path> s = Files.list(tmp)) {
                files = s.collect(Collectors.toList());
            }
            assertEquals(1, files.size(), "one shared file: " + files);
            Path shm = files.get(0);
            assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                    Files.getPosixFilePermissions(shm), "mode 0600");
            // the bytes of the delivered features lie in the shared file
            float[] want = new float[4];
            for (int k = 0; k < 4; k++) {
                want[k] = ds.getFeatures().getFloat(1, k);
            }
            byte[] all = Files.readAllBytes(shm);
            ByteBuffer b = ByteBuffer.wrap(all).order(java.nio.ByteOrder.nativeOrder());
            boolean found = false;
            for (int at = 0; at + 16 <= all.length && !found; at += 4) {
                found = b.getFloat(at) == want[0] && b.getFloat(at + 4) == want[1] && b.getFloat(at + 8) == want[2]
                        && b.getFloat(at + 12) == want[3] && want[0] == 1f;
            }
            assertTrue(found, "row 1 of the batch is in " + shm);
            assertEquals(2, ProcessHandle.current().children().filter(ProcessHandle::isAlive).count(), "two children");
        }
        assertFalse(Files.list(tmp).findAny().isPresent(), "shared file removed at close");
    }

    @ParameterizedTest
    @EnumSource(value = Order.class, names = {"ORDERED", "SHUFFLED", "RANDOM"})
    void sigkillOfAChildMidEpochLosesNothing(Order order) {
        try (Hdf5DataSetIterator it = base("/x", order, Backend.PROCESSES).batchSize(50).build()) {
            List<int[]> got = new ArrayList<>();
            int killed = 0;
            List<Long> before = List.of();
            while (it.hasNext()) {
                DataSet ds = it.next();
                int[] ids = new int[(int) ds.getFeatures().size(0)];
                for (int i = 0; i < ids.length; i++) {
                    ids[i] = (int) ds.getFeatures().getFloat(i, 0);
                    assertEquals(ids[i] % 7, ds.getFeatures().getFloat(i, 3), 0f);
                }
                got.add(ids);
                if (got.size() == 20 || got.size() == 120) {
                    // every child alive now (a killed child is restarted at its worker's next read,
                    // so after the first kill one may still be down)
                    before = it.workerPids();
                    assertTrue(got.size() == 120 || before.size() == 2, "children alive at the first kill");
                    before.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
                    killed++;
                }
            }
            assertEquals(2, killed);
            assertExactlyOnce(got);
            // the next epoch needs both workers again (a child whose work was already done when
            // it was killed is restarted at its next read)
            it.reset();
            assertExactlyOnce(epochIds(it));
            assertTrue(it.workerRestarts() >= 1, "killed children were restarted: " + it.workerRestarts());
            assertEquals(2, it.workerPids().size(), "two children serve again");
        }
    }

    @Test
    void closeIsBoundedEvenWithStoppedChildren() throws Exception {
        Hdf5DataSetIterator it = base("/x", Order.ORDERED, Backend.PROCESSES).batchSize(20).prefetch(2).build();
        it.next();
        List<Long> pids = it.workerPids();
        assertEquals(2, pids.size());
        for (long pid : pids) {
            assertEquals(0, new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start().waitFor());
        }
        // a consumer waiting for a batch the stopped children will never deliver
        java.util.concurrent.atomic.AtomicReference<Throwable> woken = new java.util.concurrent.atomic.AtomicReference<>();
        Thread consumer = new Thread(() -> {
            try {
                while (it.hasNext()) {
                    it.next();
                }
            } catch (RuntimeException e) {
                woken.set(e);
            }
        });
        consumer.start();
        Thread.sleep(300);
        long t0 = System.nanoTime();
        it.close();
        double seconds = (System.nanoTime() - t0) / 1e9;
        consumer.join(10_000);
        assertFalse(consumer.isAlive(), "the waiting consumer was woken");
        assertTrue(woken.get() instanceof IteratorClosedException, "woken by close(): " + woken.get());
        assertTrue(seconds < 10, "close() took " + seconds + " s");
        for (long pid : pids) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "child " + pid + " ended");
        }
    }

    @Test
    void childThatCannotStartFailsClearlyAfterTheRetries() {
        Hdf5DataSetIterator it = base("/x", Order.ORDERED, Backend.PROCESSES).workerJvmOptions("-XX:+NoSuchJvmFlag")
                .workerRestarts(2).build();
        MultitablesException e = assertThrows(MultitablesException.class, () -> epochIds(it));
        String m = e.getMessage();
        assertTrue(m.contains("died 2 times in a row"), m);
        assertTrue(m.contains("exit status 1"), m);
        assertTrue(m.contains("NoSuchJvmFlag"), "names the cause from the child's output: " + m);
        it.close();
        assertEquals(0, ProcessHandle.current().children().filter(ProcessHandle::isAlive).count());
    }

    @Test
    void corruptChunkInAChildSurfacesWithFileDatasetAndChunk() throws IOException {
        String path = "/filters/gzip_shuffle_fletcher";
        Fixtures.ChunkInfo c = Fixtures.chunkTable().get("fixtures.h5").get(path).stream()
                .filter(ch -> ch.offset()[0] <= 300 && 300 < ch.offset()[0] + 100).findFirst().orElseThrow();
        Path copy = tmp.resolve("corrupt.h5");
        Files.copy(Fixtures.resource("fixtures.h5"), copy, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel ch = FileChannel.open(copy, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            long at = c.address() + c.size() / 2;
            ch.read(one, at);
            one.put(0, (byte) (one.get(0) ^ 0x5a)).rewind();
            ch.write(one, at);
        }
        try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(copy).features(path).batchSize(50)
                .order(Order.ORDERED).workers(2).backend(Backend.PROCESSES).sharedMemoryDir(tmp).build()) {
            CorruptDataException e = assertThrows(CorruptDataException.class, () -> {
                while (it.hasNext()) {
                    it.next();
                }
            });
            String m = e.getMessage();
            assertTrue(m.contains(path) && m.contains("corrupt.h5") && m.contains("300"), m);
            assertTrue(Arrays.stream(e.getStackTrace()).anyMatch(s -> s.getClassName().contains("BlockDecoder")
                    || s.getClassName().contains("Hdf5Array")), "the child's stack is kept");
            assertEquals(0, it.workerRestarts(), "a data error is not a dead child");
        }
    }

    @Test
    void staleFilesOfDeadProcessesAreRemoved() throws IOException {
        long dead = ProcessHandle.allProcesses().mapToLong(ProcessHandle::pid).max().orElse(1) + 1000;
        Path stale = tmp.resolve("multitables4j-" + dead + "-feed.shm");
        Path mine = tmp.resolve("multitables4j-" + ProcessHandle.current().pid() + "-other.shm");
        Path foreign = tmp.resolve("unrelated.shm");
        Files.write(stale, new byte[10]);
        Files.write(mine, new byte[10]);
        Files.write(foreign, new byte[10]);
        try (Hdf5DataSetIterator it = base("/x", Order.ORDERED, Backend.PROCESSES).build()) {
            it.next();
        }
        assertFalse(Files.exists(stale), "a dead process's file is removed");
        assertTrue(Files.exists(mine), "a live process's file is kept");
        assertTrue(Files.exists(foreign), "other files are kept");
    }

    @Test
    void resumeAcrossBackends() {
        List<int[]> whole;
        try (Hdf5DataSetIterator it = base("/x", Order.SHUFFLED, Backend.THREADS).build()) {
            whole = epochIds(it);
        }
        IteratorState st;
        try (Hdf5DataSetIterator it = base("/x", Order.SHUFFLED, Backend.THREADS).build()) {
            for (int i = 0; i < 37; i++) {
                it.next();
            }
            st = it.state();
        }
        try (Hdf5DataSetIterator it = base("/x", Order.SHUFFLED, Backend.PROCESSES).resumeFrom(st).build()) {
            List<int[]> rest = epochIds(it);
            assertEquals(whole.size() - 37, rest.size());
            for (int i = 0; i < rest.size(); i++) {
                assertArrayEquals(whole.get(37 + i), rest.get(i), "batch " + (37 + i));
            }
        }
    }

    @Test
    void hundredOpenCloseCyclesLeaveNothing() throws Exception {
        Order[] orders = {Order.ORDERED, Order.SHUFFLED, Order.RANDOM, Order.AS_AVAILABLE};
        for (int i = 0; i < 100; i++) {
            try (Hdf5DataSetIterator it = base(i % 2 == 0 ? "/x" : "/x_contig", orders[i % 4], Backend.PROCESSES)
                    .workers(1 + i % 2).build()) {
                DataSet ds = it.next();
                int r = (int) ds.getFeatures().getFloat(0, 0);
                assertEquals(2f * r, ds.getFeatures().getFloat(0, 1));
            }
        }
        assertEquals(0, ProcessHandle.current().children().filter(ProcessHandle::isAlive).count(), "no child left");
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of(), s.collect(Collectors.toList()), "no shared file left");
        }
        for (int i = 0; i < 100 && Hdf5DataSetIteratorTest.workerThreads() > 0; i++) {
            Thread.sleep(20);
        }
        assertEquals(0, Hdf5DataSetIteratorTest.workerThreads(), "no thread left");
    }
}
