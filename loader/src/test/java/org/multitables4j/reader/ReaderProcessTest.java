package org.multitables4j.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.multitables4j.Backend;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The Reader with worker processes: every request form against the h5py fixture's formula
 * (reader.h5, see make_reader_fixtures.py), a child killed between requests, and nothing left
 * behind after close.
 */
class ReaderProcessTest {
    static final long ROWS = 40;

    static long[] randomRows(Random rnd, int n) {
        long[] r = new long[n];
        for (int i = 0; i < n; i++) {
            r[i] = rnd.nextInt((int) ROWS);
        }
        return r;
    }

    static List<Path> ourShmFiles() throws IOException {
        String prefix = "multitables4j-" + ProcessHandle.current().pid() + "-";
        try (Stream<Path> s = Files.list(Path.of(Files.isWritable(Path.of("/dev/shm")) ? "/dev/shm"
                : System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
        }
    }

    @Test
    void everyRequestFormMatchesTheFixtureAndSurvivesAKilledChild() throws Exception {
        Random rnd = new Random(11);
        long[] full0 = {0, 0, 0};
        long[] full1 = InnerSliceTest.ROW;
        try (Hdf5Reader reader = Hdf5Reader.open(InnerSliceTest.file(), 2, 1 << 20, Backend.PROCESSES)) {
            for (String path : new String[] {"/rank4", "/rank4_be", "/rank4_i2"}) {
                boolean integer = path.endsWith("i2");
                Hdf5Dataset ds = reader.dataset(path);
                Stage stage = ds.createStage(64);
                for (int round = 0; round < 12; round++) {
                    if (round == 6) {
                        List<Long> pids = reader.workerPids();
                        assertFalse(pids.isEmpty(), "worker processes run");
                        ProcessHandle.of(pids.get(0)).ifPresent(ProcessHandle::destroyForcibly);
                        Thread.sleep(50);
                    }
                    long[] rows = randomRows(rnd, 1 + rnd.nextInt(60));
                    long[] lo = {rnd.nextInt(3), 0, rnd.nextInt(2)};
                    long[] hi = {lo[0] + 1 + rnd.nextInt(3), 5, 4};
                    INDArray got = reader.request(InnerSliceTest.select(ds.rows(rows), lo, hi), stage).get();
                    InnerSliceTest.check(got, rows, lo, hi, integer);
                    long a = rnd.nextInt((int) ROWS - 10);
                    long[] slice = new long[10];
                    for (int i = 0; i < 10; i++) {
                        slice[i] = a + i;
                    }
                    InnerSliceTest.check(reader.request(ds.rows(a, a + 10), stage).get(), slice, full0, full1, integer);
                    boolean[] mask = new boolean[(int) ROWS];
                    int n = 0;
                    for (int i = 0; i < mask.length; i++) {
                        mask[i] = rnd.nextInt(3) == 0;
                        n += mask[i] ? 1 : 0;
                    }
                    long[] masked = new long[n];
                    for (int i = 0, j = 0; i < mask.length; i++) {
                        if (mask[i]) {
                            masked[j++] = i;
                        }
                    }
                    if (n > 0) {
                        InnerSliceTest.check(reader.request(ds.mask(mask), stage).get(), masked, full0, full1, integer);
                    }
                }
            }
            assertTrue(reader.cacheStats().misses() > 0);
            assertTrue(reader.workerPids().size() >= 1, "worker processes still serve");
        }
        for (int i = 0; i < 100 && ProcessHandle.current().children().anyMatch(ProcessHandle::isAlive); i++) {
            Thread.sleep(20);
        }
        assertEquals(0, ProcessHandle.current().children().filter(ProcessHandle::isAlive).count(), "no child left");
        assertEquals(List.of(), ourShmFiles(), "no shared-memory file left");
    }

    /** ProcessOptions: the shared memory in the given directory, JVM options that print to stdout, the values right. */
    @Test
    void processOptionsAreUsed(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        org.multitables4j.ProcessOptions po = new org.multitables4j.ProcessOptions(dir, List.of("-Xlog:gc", "-XX:+UseG1GC"), 2,
                java.time.Duration.ofSeconds(30));
        try (Hdf5Reader reader = Hdf5Reader.open(InnerSliceTest.file(), 2, 1 << 20, po)) {
            Hdf5Dataset ds = reader.dataset("/rank4");
            long[] rows = {3, 1, 4, 1, 5, 9, 2, 6};
            InnerSliceTest.check(reader.request(ds.rows(rows), ds.createStage(8)).get(), rows, new long[] {0, 0, 0},
                    InnerSliceTest.ROW, false);
            try (Stream<Path> s = Files.list(dir)) {
                assertTrue(s.anyMatch(p -> p.getFileName().toString().endsWith(".shm")), "the shared memory is in " + dir);
            }
            assertFalse(reader.workerPids().isEmpty());
        }
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(), s.toList(), "nothing left in " + dir);
        }
        assertThrows(org.multitables4j.InvalidConfigurationException.class,
                () -> new org.multitables4j.ProcessOptions(dir, List.of(), 0, null));
    }

    @Test
    void samplingIteratorOverWorkerProcesses() {
        try (org.multitables4j.Hdf5DataSetIterator it = org.multitables4j.Hdf5DataSetIterator.builder(InnerSliceTest.file())
                .features("/rank4").order(org.multitables4j.Order.RANDOM_WITH_REPLACEMENT)
                .batchSize(16).batchesPerEpoch(5).seed(4).backend(Backend.PROCESSES).build()) {
            int batches = 0;
            while (it.hasNext()) {
                INDArray f = it.next().getFeatures();
                long[] idx = it.lastIndices();
                InnerSliceTest.check(f, idx, new long[] {0, 0, 0}, InnerSliceTest.ROW, false);
                batches++;
            }
            assertEquals(5, batches);
        }
    }
}
