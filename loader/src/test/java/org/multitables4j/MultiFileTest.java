package org.multitables4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.dataset.DataSet;

/**
 * One logical dataset over three files written by h5py with different chunking, filters, types
 * and byte orders (resources/multifile/make_parts.py): global row g holds [g, 2g, -g, g % 7] and
 * label g % 10.
 */
class MultiFileTest {
    static final int[] ROWS = {1234, 777, 2001};
    static final int N = 1234 + 777 + 2001;

    @TempDir
    static Path dir;
    static List<Path> parts;

    @BeforeAll
    static void makeParts() throws IOException, InterruptedException {
        Path script = Path.of("src/test/resources/multifile/make_parts.py").toAbsolutePath();
        Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), dir.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "make_parts.py (needs h5py and numpy for /usr/bin/python3): " + out);
        assertEquals(String.valueOf(N), out.trim());
        parts = List.of(dir.resolve("part-0.h5"), dir.resolve("part-1.h5"), dir.resolve("part-2.h5"));
    }

    static int fileOf(int g) {
        return g < ROWS[0] ? 0 : g < ROWS[0] + ROWS[1] ? 1 : 2;
    }

    /** Every batch of one epoch as row ids, each row checked against the formula. */
    static List<int[]> epoch(Hdf5DataSetIterator it) {
        List<int[]> out = new ArrayList<>();
        while (it.hasNext()) {
            DataSet ds = it.next();
            int[] ids = new int[(int) ds.getFeatures().size(0)];
            for (int i = 0; i < ids.length; i++) {
                int g = (int) ds.getFeatures().getFloat(i, 0);
                ids[i] = g;
                assertEquals(2f * g, ds.getFeatures().getFloat(i, 1), "row " + g);
                assertEquals(-g, ds.getFeatures().getFloat(i, 2), 0f, "row " + g);
                assertEquals(g % 7, ds.getFeatures().getFloat(i, 3), 0f, "row " + g);
                assertEquals(g % 10, ds.getLabels().argMax(1).getInt(i), "label of row " + g);
            }
            out.add(ids);
        }
        return out;
    }

    static void assertExactlyOnce(List<int[]> batches) {
        int[] seen = new int[N];
        for (int[] b : batches) {
            for (int g : b) {
                seen[g]++;
            }
        }
        for (int g = 0; g < N; g++) {
            assertEquals(1, seen[g], "row " + g + " once");
        }
    }

    static Hdf5DataSetIterator.Builder base(List<Path> files, Order order, int workers, Backend backend) {
        return Hdf5DataSetIterator.builder(files).features("/x").labels("/y").oneHot(10).batchSize(64).order(order)
                .seed(3).workers(workers).backend(backend).sharedMemoryDir(dir);
    }

    @ParameterizedTest
    @CsvSource({"ORDERED, 1, THREADS", "ORDERED, 2, THREADS", "AS_AVAILABLE, 2, THREADS", "SHUFFLED, 2, THREADS",
        "RANDOM, 2, THREADS", "SHUFFLED, 1, THREADS", "ORDERED, 2, PROCESSES", "SHUFFLED, 2, PROCESSES", "RANDOM, 2, PROCESSES"})
    void everyRowOfEveryFileOnce(Order order, int workers, Backend backend) {
        try (Hdf5DataSetIterator it = base(parts, order, workers, backend).build()) {
            assertEquals(N, it.datasetRows());
            List<int[]> b = epoch(it);
            assertExactlyOnce(b);
            if (order == Order.ORDERED) {
                int next = 0;
                for (int[] batch : b) {
                    for (int g : batch) {
                        assertEquals(next++, g, "rows in file order");
                    }
                }
            }
            if (order == Order.SHUFFLED || order == Order.RANDOM) {
                int mixed = 0;
                for (int[] batch : b) {
                    Set<Integer> f = new HashSet<>();
                    for (int g : batch) {
                        f.add(fileOf(g));
                    }
                    mixed += f.size() > 1 ? 1 : 0;
                }
                assertTrue(mixed > b.size() / 4, "batches mix rows of several files: " + mixed + " of " + b.size());
            }
            it.reset();
            assertExactlyOnce(epoch(it));
        }
    }

    @Test
    void processesDeliverWhatThreadsDeliver() {
        List<int[]> threads;
        try (Hdf5DataSetIterator it = base(parts, Order.SHUFFLED, 2, Backend.THREADS).build()) {
            threads = epoch(it);
        }
        try (Hdf5DataSetIterator it = base(parts, Order.SHUFFLED, 2, Backend.PROCESSES).build()) {
            List<int[]> procs = epoch(it);
            assertEquals(threads.size(), procs.size());
            for (int i = 0; i < procs.size(); i++) {
                assertArrayEquals(threads.get(i), procs.get(i), "batch " + i);
            }
        }
    }

    @Test
    void globListsThePartsInOrder() {
        assertEquals(parts, Hdf5Files.glob(dir + "/part-*.h5"));
        assertEquals(parts.subList(1, 3), Hdf5Files.glob(dir + "/part-[12].h5"));
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> Hdf5Files.glob(dir + "/nothing-*.h5"));
        assertTrue(e.getMessage().contains("nothing-*.h5"), e.getMessage());
    }

    @Test
    void mismatchedFilesAreRefusedAtBuild() {
        List<Path> odd = List.of(parts.get(0), dir.resolve("odd-shape.h5"));
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> base(odd, Order.ORDERED, 1, Backend.THREADS).build());
        assertTrue(e.getMessage().contains("odd-shape.h5") && e.getMessage().contains("[5]"), e.getMessage());
        List<Path> shortLabels = List.of(parts.get(0), dir.resolve("short-labels.h5"));
        e = assertThrows(InvalidConfigurationException.class, () -> base(shortLabels, Order.ORDERED, 1, Backend.THREADS).build());
        assertTrue(e.getMessage().contains("short-labels.h5") && e.getMessage().contains("9 rows"), e.getMessage());
    }

    @Test
    void weightsAndResumeSpanTheFiles() {
        try (Hdf5DataSetIterator it = base(parts, Order.RANDOM_WITH_REPLACEMENT, 2, Backend.THREADS).sampleWeights("/w")
                .samplesPerEpoch(3000).build()) {
            int n = 0;
            Set<Integer> files = new HashSet<>();
            for (int[] b : epoch(it)) {
                for (int g : b) {
                    assertEquals(0, g % 3, "only rows of weight 1 are drawn: " + g);
                    files.add(fileOf(g));
                    n++;
                }
            }
            assertEquals(3000, n);
            assertEquals(Set.of(0, 1, 2), files);
        }
        List<int[]> whole;
        try (Hdf5DataSetIterator it = base(parts, Order.RANDOM, 2, Backend.THREADS).build()) {
            whole = epoch(it);
        }
        IteratorState st;
        try (Hdf5DataSetIterator it = base(parts, Order.RANDOM, 1, Backend.THREADS).build()) {
            for (int i = 0; i < 25; i++) {
                it.next();
            }
            st = it.state();
        }
        try (Hdf5DataSetIterator it = base(parts, Order.RANDOM, 2, Backend.THREADS).resumeFrom(st).build()) {
            List<int[]> rest = epoch(it);
            assertEquals(whole.size() - 25, rest.size());
            for (int i = 0; i < rest.size(); i++) {
                assertArrayEquals(whole.get(25 + i), rest.get(i));
            }
        }
        IteratorState foreign = st;
        assertThrows(InvalidConfigurationException.class,
                () -> base(parts.subList(0, 2), Order.RANDOM, 1, Backend.THREADS).resumeFrom(foreign).build());
    }
}
