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
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.multitables4j.datasets.cli.DatasetsCli;
import picocli.CommandLine;

/**
 * The command line's safety: an output that is an input is refused under every spelling,
 * partial files of killed writers are swept, undecodable input names its line and
 * {@code --encoding}, and the progress bar shows a measured rate.
 */
class CliSafetyTest {
    @TempDir
    Path dir;

    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        err.getBuffer().setLength(0);
        CommandLine cl = DatasetsCli.commandLine();
        cl.setOut(new PrintWriter(new StringWriter(), true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void outputThatIsTheInputIsRefusedUnderAnySpelling() throws Exception {
        Path csv = dir.resolve("a.csv");
        String text = "a,b,label\n1,2,0\n3,4,1\n";
        Files.writeString(csv, text);
        Path link = Files.createSymbolicLink(dir.resolve("link.h5"), csv);
        Path hard = Files.createLink(dir.resolve("hard.h5"), csv);
        Path cwd = Path.of("").toAbsolutePath();
        String relative = cwd.relativize(csv).toString();
        String dotted = dir.resolve(".").resolve("a.csv").toString();
        for (String o : List.of(csv.toString(), dotted, relative, link.toString(), hard.toString())) {
            assertEquals(1, run("convert", "csv", csv.toString(), "--label", "label", "-o", o, "-q"), o);
            assertTrue(err.toString().startsWith("error: The output ") && err.toString().contains("is the input"),
                    o + ": " + err);
            assertEquals(text, Files.readString(csv), o);
        }
        assertTrue(Files.isSymbolicLink(link));
        // the input given through the link, the output by its own name
        assertEquals(1, run("convert", "csv", link.toString(), "--label", "label", "-o", csv.toString(), "-q"));
        assertEquals(text, Files.readString(csv));

        Path npy = dir.resolve("v.npy");
        byte[] npyBytes = NpyConvertTest.npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", new byte[8]);
        Files.write(npy, npyBytes);
        assertEquals(1, run("convert", "npy", npy.toString(), "-o", dir.resolve("./v.npy").toString(), "-q"));
        assertTrue(err.toString().contains("is the input"), err.toString());
        assertArrayEquals(npyBytes, Files.readAllBytes(npy));

        Path images = dir.resolve("img.idx");
        Files.write(images, new byte[] {0, 0, 8, 1, 0, 0, 0, 1, 7});
        Path labels = dir.resolve("lab.idx");
        Files.write(labels, new byte[] {0, 0, 8, 1, 0, 0, 0, 1, 3});
        assertEquals(1, run("convert", "idx", "--images", images.toString(), "--labels", labels.toString(), "-o",
                labels.toString(), "-q"));
        assertTrue(err.toString().contains("is the input"), err.toString());
        assertEquals(9, Files.size(labels));

        // nothing was written next to them, and a distinct output still works
        assertEquals(List.of("a.csv", "hard.h5", "img.idx", "lab.idx", "link.h5", "v.npy"), names());
        assertEquals(0, run("convert", "csv", csv.toString(), "--label", "label", "-o", dir.resolve("a.h5").toString(), "-q"));
        assertArrayEquals(new long[] {0, 1}, TestSupport.longs(dir.resolve("a.h5"), "/y"));
    }

    /** Partial files whose writer was SIGKILLed are deleted by the next run; others stay. */
    @Test
    void partialFilesOfKilledWritersAreSweptByTheNextRun() throws Exception {
        // a real kill: a writer in its own JVM, SIGKILLed while it writes
        Path big = dir.resolve("big.h5");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), DatasetsCli.class.getName(),
                "generate", "clusters", "--rows", "100000000", "--dim", "8", "--threads", "1", "-q", "-o", big.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (names().stream().noneMatch(n -> n.endsWith(".partial")) && System.nanoTime() < deadline) {
            assertTrue(p.isAlive(), "the writer ended early");
            Thread.sleep(50);
        }
        List<String> left = names();
        p.destroyForcibly();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(1, left.size(), left.toString());
        String killed = left.get(0);
        assertTrue(killed.startsWith(".big.h5." + p.pid() + "-"), killed);
        Thread.sleep(200);
        assertEquals(left, names(), "SIGKILL leaves the partial file behind");

        // a dead pid of another name, a live one (ours), another host's, and the old pid-less form
        Process gone = new ProcessBuilder("true").start();
        assertTrue(gone.waitFor(10, TimeUnit.SECONDS));
        String deadOther = ".other.h5." + gone.pid() + "-" + PartialFiles.HOST + "-1a2b.partial";
        String live = ".live.h5." + ProcessHandle.current().pid() + "-" + PartialFiles.HOST + "-3c4d.partial";
        String foreign = ".far.h5." + gone.pid() + "-" + (PartialFiles.HOST.equals("12345678") ? "87654321" : "12345678")
                + "-5e6f.partial";
        String old = ".older.h5.7f3a9c.partial";
        for (String n : List.of(deadOther, live, foreign, old)) {
            Files.write(dir.resolve(n), new byte[] {1});
        }
        assertEquals(0, run("generate", "clusters", "--rows", "10", "--dim", "2", "-q", "-o", dir.resolve("g.h5").toString()));
        List<String> after = names();
        assertFalse(after.contains(killed), after.toString());
        assertFalse(after.contains(deadOther), after.toString());
        assertTrue(after.containsAll(List.of(live, foreign, old, "g.h5")), after.toString());
    }

    @Test
    void undecodableInputNamesItsLineAndEncodingOptionReadsIt() throws Exception {
        Path csv = dir.resolve("latin.csv");
        byte[] text = "x,city\n1.5,Paris\n2.5,Z\u00fcrich\n3.5,K\u00f8benhavn\n".getBytes(StandardCharsets.ISO_8859_1);
        Files.write(csv, text);
        Path out = dir.resolve("latin.h5");
        assertEquals(1, run("convert", "csv", csv.toString(), "--label", "city", "-o", out.toString(), "-q"));
        String e = err.toString();
        assertTrue(e.contains("latin.csv, line 3") && e.contains("0xfc") && e.contains("--encoding")
                && e.contains("not valid UTF-8"), e);
        assertFalse(Files.exists(out));

        assertEquals(1, run("convert", "csv", csv.toString(), "--label", "city", "--encoding", "NOPE-1", "-o",
                out.toString(), "-q"));
        assertTrue(err.toString().contains("Unknown --encoding 'NOPE-1'"), err.toString());

        assertEquals(0, run("convert", "csv", csv.toString(), "--label", "city", "--encoding", "ISO-8859-1", "-o",
                out.toString(), "-q"));
        String names = TestSupport.python("import sys, h5py; f = h5py.File(sys.argv[1], 'r'); "
                + "print('|'.join(f['y'].attrs['class_names']), list(f['y'][:]), list(f['x'][:, 0]))", out.toString());
        assertEquals("Paris|Z\u00fcrich|K\u00f8benhavn [0, 1, 2] [1.5, 2.5, 3.5]", names);
    }

    @Test
    void progressShowsAMeasuredRateOnAFastConversion() throws Exception {
        Path csv = dir.resolve("small.csv");
        Files.writeString(csv, "a,b\n" + Stream.iterate(0, i -> i + 1).limit(2000).map(i -> i + "," + (i % 3))
                .collect(Collectors.joining("\n")) + "\n");
        // the bar writes to the process's stderr (file descriptor 2): run the CLI in its own JVM
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), DatasetsCli.class.getName(),
                "convert", "csv", csv.toString(), "--label", "b", "-o", dir.resolve("small.h5").toString()).start();
        byte[] stderr = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), new String(stderr, StandardCharsets.UTF_8));
        String bar = new String(stderr, StandardCharsets.UTF_8);
        String done = " 100% \\[=+\\] 2000/2000 rows \\([0-9:]+ / [0-9:]+\\) \\d[\\d,.M]* rows/s.*";
        assertTrue(bar.matches("(?s).*convert small.csv" + done), bar);
        assertTrue(bar.matches("(?s).*scan small.csv" + done), bar);
        assertFalse(bar.contains("? rows/s"), bar);
    }

    private List<String> names() throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }
}
