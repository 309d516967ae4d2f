package org.multitables4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.multitables4j.reader.Hdf5Dataset;
import org.multitables4j.reader.Hdf5Reader;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Caches and rings sized from the JVM's real limits; requests that cannot fit refused at build(). */
class MemoryLimitsTest {
    private static Hdf5DataSetIterator.Builder base() {
        return Hdf5DataSetIteratorTest.base();
    }

    @Test
    @Timeout(60)
    void optionsThatCannotFitFailAtBuildNamingTheOption() {
        long t0 = System.nanoTime();
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> base().batchSize(10_000).prefetch(100_000).build());
        assertTrue(e.getMessage().contains("prefetch") && e.getMessage().contains("direct memory"), e.getMessage());
        e = assertThrows(InvalidConfigurationException.class, () -> base().holdBatches(100_000).batchSize(10_000).build());
        assertTrue(e.getMessage().contains("holdBatches"), e.getMessage());
        e = assertThrows(InvalidConfigurationException.class, () -> base().cacheBytes(Long.MAX_VALUE / 2).build());
        assertTrue(e.getMessage().contains("cacheBytes(" + Long.MAX_VALUE / 2 + ")"), e.getMessage());
        e = assertThrows(InvalidConfigurationException.class,
                () -> base().labels("/y").oneHot(100_000_000).batchSize(64).build());
        assertTrue(e.getMessage().contains("batchSize"), e.getMessage());
        assertTrue((System.nanoTime() - t0) / 1e9 < 20, "refused before allocating");
    }

    /** Runs {@link Child} under -Xmx256m -XX:MaxDirectMemorySize=64m: RANDOM and the Reader work with defaults. */
    @Test
    @Timeout(120)
    void defaultsFitASmallJvm(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException, InterruptedException {
        // 120 000 rows of 256 float32 (123 MB decoded, gzip): more than the small JVM's direct memory
        Path big = dir.resolve("big.h5");
        Process py = new ProcessBuilder("/usr/bin/python3", "-c", "import h5py, numpy as np, sys\n"
                + "r = np.arange(120000, dtype=np.float32)[:, None]\n"
                + "x = r + np.arange(256, dtype=np.float32)[None, :] / 1024\n"
                + "with h5py.File(sys.argv[1], 'w') as f:\n"
                + "    f.create_dataset('x', data=x, chunks=(1024, 256), compression='gzip', compression_opts=1)\n",
                big.toString()).redirectErrorStream(true).start();
        String pyOut = new String(py.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, py.waitFor(), pyOut);
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:MaxDirectMemorySize=64m", "-cp", System.getProperty("java.class.path"),
                Child.class.getName(), big.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(100, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("RANDOM rows 1280") && out.contains("reader ok"), out);
    }

    /** The small JVM's work: a RANDOM epoch checked against the fixture's formula, and Reader requests. */
    public static final class Child {
        private Child() {
        }

        /**
         * @param args the iterator fixture
         */
        public static void main(String[] args) {
            Path f = Path.of(args[0]);
            long rows = 0;
            try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(f).features("/x").order(Order.RANDOM).batchSize(256)
                    .workers(2).build()) {
                for (int b = 0; b < 5 && it.hasNext(); b++) {
                    INDArray x = it.next().getFeatures();
                    for (int i = 0; i < x.size(0); i++) {
                        float id = x.getFloat(i, 0);
                        if (x.getFloat(i, 255) != id + 255f / 1024) {
                            throw new AssertionError("row " + id);
                        }
                    }
                    rows += x.size(0);
                }
            }
            System.out.println("RANDOM rows " + rows);
            try (Hdf5Reader reader = Hdf5Reader.open(f, 2)) {
                Hdf5Dataset ds = reader.dataset("/x");
                long[] idx = new long[64];
                for (int i = 0; i < idx.length; i++) {
                    idx[i] = (i * 7919L) % 120_000;
                }
                INDArray r = reader.request(ds.rows(idx), ds.createStage(idx.length)).get();
                for (int i = 0; i < idx.length; i++) {
                    if (r.getFloat(i, 3) != idx[i] + 3f / 1024) {
                        throw new AssertionError("row " + idx[i]);
                    }
                }
            }
            System.out.println("reader ok");
        }
    }
}
