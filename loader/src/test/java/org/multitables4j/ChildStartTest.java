package org.multitables4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a worker process does at its start: it reads the datasets the parent described
 * (its parse travels with the sources) without parsing the file with jhdf, and it starts with a
 * class path of the entries it loads from (not ND4J's or JUnit's jars). The rows are checked
 * against iter.h5's formula.
 */
class ChildStartTest {
    @TempDir
    Path tmp;

    @Test
    void childrenReadWithoutParsingTheFileAndWithAShortClassPath() throws IOException {
        Path logs = Files.createDirectories(tmp.resolve("logs"));
        List<String> classPaths = new ArrayList<>();
        for (String features : new String[] {"/x"}) {
            try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(Hdf5DataSetIteratorTest.fixture())
                    .features(features).labels("/y").oneHot(10).batchSize(96).order(Order.SHUFFLED).seed(3).workers(2)
                    .backend(Backend.PROCESSES).sharedMemoryDir(tmp)
                    .workerJvmOptions("-Xlog:class+load=info:file=" + logs.resolve("classes-%p.log")).build()) {
                ProcessBackendTest.assertExactlyOnce(ProcessBackendTest.epochIds(it));
                for (long pid : it.workerPids()) {
                    classPaths.add(classPath(pid));
                }
                assertEquals(0, it.workerRestarts());
            }
        }
        assertEquals(2, classPaths.size(), "two children");
        for (String cp : classPaths) {
            assertTrue(cp.contains("jhdf"), cp);
            assertFalse(cp.contains("nd4j-api") || cp.contains("junit"), "not ND4J's nor JUnit's jars: " + cp);
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(logs)) {
            files = s.toList();
        }
        assertEquals(2, files.size(), files.toString());
        for (Path f : files) {
            String log = Files.readString(f, StandardCharsets.UTF_8);
            assertTrue(log.contains("org.multitables4j.internal.hdf5.ArrayImage "), f + ": the parent's description was used");
            assertTrue(log.contains("org.multitables4j.internal.workers.ChildMain "), f.toString());
            assertFalse(log.contains("io.jhdf.HdfFile "), f + ": a child parsed the file with jhdf");
            assertFalse(log.contains("io.jhdf.object.message."), f + ": a child parsed object headers");
        }
    }

    /** @return the {@code -cp} argument of a running process (Linux /proc) */
    private static String classPath(long pid) throws IOException {
        String[] args = new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8).split("\0");
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("-cp")) {
                return args[i + 1];
            }
        }
        throw new AssertionError("no -cp in the command line of " + pid);
    }
}
