package org.multitables4j.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.multitables4j.datasets.cli.DatasetsCli;
import picocli.CommandLine;

/** The command line: exit codes, one-line errors, no output file after a failure, the happy paths. */
class CliTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        CommandLine cl = DatasetsCli.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    private void assertOneLineError(String... fragments) {
        String e = err.toString();
        assertTrue(e.startsWith("error: ") && e.endsWith("\n") && e.indexOf('\n') == e.length() - 1,
                "one line expected: " + e);
        for (String f : fragments) {
            assertTrue(e.contains(f), "'" + f + "' expected in: " + e);
        }
    }

    @Test
    void errorsAreOneLineWithStatusOneAndNoOutputFile() throws Exception {
        String o = dir.resolve("o.h5").toString();
        Path csv = dir.resolve("r.csv");
        Files.writeString(csv, "a,b\n1,2\n3\n");
        assertEquals(1, run("convert", "csv", csv.toString(), "--label", "b", "-o", o, "-q"));
        assertOneLineError("r.csv", "line 3");

        assertEquals(1, run("convert", "idx", "--images", dir.resolve("missing").toString(), "--labels", "x", "-o", o, "-q"));
        assertOneLineError("No such file", "missing");

        Files.write(dir.resolve("bad.idx"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        assertEquals(1, run("convert", "idx", "--images", dir.resolve("bad.idx").toString(), "--labels",
                dir.resolve("bad.idx").toString(), "-o", o, "-q"));
        assertOneLineError("Malformed IDX file", "magic number 0x01020304");

        Files.write(dir.resolve("c.npy"), NpyConvertTest.npy("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }",
                new byte[16]));
        assertEquals(1, run("convert", "npy", dir.resolve("c.npy").toString(), "-o", o, "-q"));
        assertOneLineError("Unsupported dtype '<c8'");

        assertEquals(1, run("generate", "images", "--rows", "10", "--dtype", "int16", "-o", o, "-q"));
        assertOneLineError("Unsupported dtype 'int16'");

        assertEquals(1, run("generate", "clusters", "--rows", "10", "--gzip", "12", "-o", o, "-q"));
        assertOneLineError("gzip level must be 0..9");

        assertEquals(1, run("inspect", dir.resolve("nothing.h5").toString()));
        assertOneLineError("No such file");

        assertFalse(err.toString().contains("\tat "));
        assertEquals(List.of(), TestSupport.outputs(dir));

        // --verbose adds the stack trace
        assertEquals(1, run("convert", "csv", csv.toString(), "--label", "b", "-o", o, "-q", "--verbose"));
        assertTrue(err.toString().startsWith("error: ") && err.toString().contains("\tat org.multitables4j"), err.toString());

        // usage errors: status 2
        assertEquals(2, run("convert", "csv", csv.toString()));
        assertTrue(err.toString().contains("Missing required option"), err.toString());
        assertEquals(List.of(), TestSupport.outputs(dir));
    }

    @Test
    void happyPaths() throws Exception {
        Path g = dir.resolve("g.h5");
        assertEquals(0, run("generate", "images", "--rows", "300", "--test-rows", "40", "--size", "12", "--classes", "3",
                "--dtype", "float32", "--seed", "9", "--gzip", "1", "--no-shuffle", "--chunk-rows", "64", "-o", g.toString(),
                "-q"));
        assertEquals("", err.toString());
        assertArrayEquals(new long[] {40, 12, 12}, TestSupport.dims(g, "/test/x"));
        assertEquals(0, run("inspect", g.toString()));
        String s = out.toString();
        assertTrue(s.contains("x  shape [300, 12, 12]  max [unlimited, 12, 12]  dtype float32  chunked  chunks [64, 12, 12]  "
                + "filters gzip(1)"), s);

        Path c = dir.resolve("c.h5");
        assertEquals(0, run("generate", "clusters", "--rows", "1000", "--dim", "5", "--classes", "2", "-o", c.toString()));
        assertArrayEquals(new long[] {1000, 5}, TestSupport.dims(c, "/x"));

        Path csv = dir.resolve("t.csv");
        Files.writeString(csv, "a\tname\tk\n1\tx\tcat\n2\ty\tdog\n");
        assertEquals(0, run("convert", "csv", csv.toString(), "--label", "k", "--delimiter", "tab", "-o",
                dir.resolve("t.h5").toString()));
        assertTrue(err.toString().contains("note: skipped non-numeric columns: name"), err.toString());
        assertArrayEquals(new long[] {0, 1}, TestSupport.longs(dir.resolve("t.h5"), "/y"));
    }

    /** The real entry point in its own JVM: System.exit status and stderr. */
    @Test
    void mainExitsWithStatusAndMessage() throws Exception {
        Path csv = dir.resolve("r.csv");
        Files.writeString(csv, "a,b\n1,2\n3,4,5\n");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), DatasetsCli.class.getName(),
                "convert", "csv", csv.toString(), "--label", "b", "-o", dir.resolve("o.h5").toString())
                .redirectErrorStream(false).start();
        String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), stderr);
        String last = stderr.substring(stderr.lastIndexOf("error: "));
        assertEquals("error: CSV file " + csv + ", line 3: 3 fields, the header has 2\n", last);
        assertEquals(List.of(), TestSupport.outputs(dir));
    }
}
