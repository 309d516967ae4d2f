package org.multitables4j.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Node;
import java.io.IOException;
import java.lang.reflect.Array;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Readers that do not share code with the writer: jhdf (pure Java) and h5py (through Python). */
final class TestSupport {
    static final String PYTHON = "/usr/bin/python3";

    private TestSupport() {
    }

    /** All values of a dataset as doubles, read with jhdf. */
    static double[] doubles(Path file, String path) {
        try (HdfFile f = new HdfFile(file)) {
            Object flat = ((Dataset) f.getByPath(path)).getDataFlat();
            double[] out = new double[Array.getLength(flat)];
            for (int i = 0; i < out.length; i++) {
                out[i] = ((Number) Array.get(flat, i)).doubleValue();
            }
            return out;
        }
    }

    /** All values of an integer dataset as longs, read with jhdf. */
    static long[] longs(Path file, String path) {
        try (HdfFile f = new HdfFile(file)) {
            Object flat = ((Dataset) f.getByPath(path)).getDataFlat();
            long[] out = new long[Array.getLength(flat)];
            for (int i = 0; i < out.length; i++) {
                out[i] = ((Number) Array.get(flat, i)).longValue();
            }
            return out;
        }
    }

    /** Dimensions of a dataset, read with jhdf. */
    static long[] dims(Path file, String path) {
        try (HdfFile f = new HdfFile(file)) {
            return ((Dataset) f.getByPath(path)).getDimensionsAsLong();
        }
    }

    /** An attribute's value as jhdf reads it (String, String[], long, double, ...). */
    static Object attribute(Path file, String path, String name) {
        try (HdfFile f = new HdfFile(file)) {
            Node n = "/".equals(path) ? f : f.getByPath(path);
            Attribute a = n.getAttribute(name);
            return a == null ? null : a.getData();
        }
    }

    /** Output files left in a directory: *.h5 and temporary *.partial. */
    static List<String> outputs(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".h5") || n.endsWith(".partial"))
                    .sorted().collect(Collectors.toList());
        }
    }

    /**
     * Runs a Python script with /usr/bin/python3 (numpy and h5py are needed) and returns its
     * standard output; fails the test on a non-zero exit.
     */
    static String python(String script, String... args) throws IOException, InterruptedException {
        String[] cmd = new String[args.length + 3];
        cmd[0] = PYTHON;
        cmd[1] = "-c";
        cmd[2] = script;
        System.arraycopy(args, 0, cmd, 3, args.length);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "python timed out");
        String s = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), "python failed:\n" + s);
        return s.trim();
    }
}
