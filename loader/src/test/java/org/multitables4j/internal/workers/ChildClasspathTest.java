package org.multitables4j.internal.workers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The class path of worker processes: only the entries a child loads classes or services from. */
class ChildClasspathTest {
    @TempDir
    Path tmp;

    /** @return the class path entry this test JVM loads {@code resource} from */
    private static Path entry(String resource) {
        return ChildClasspath.entryOf(ChildClasspathTest.class.getClassLoader().getResource(resource), resource);
    }

    private static Path jar(Path at, String... entries) throws IOException {
        try (OutputStream o = Files.newOutputStream(at); JarOutputStream j = new JarOutputStream(o)) {
            for (String e : entries) {
                j.putNextEntry(new JarEntry(e));
                j.write("x\n".getBytes(StandardCharsets.UTF_8));
                j.closeEntry();
            }
        }
        return at;
    }

    @Test
    void theTestClassPathIsTrimmedToWhatAChildLoads() {
        String all = System.getProperty("java.class.path");
        String cp = ChildClasspath.trimmed(all, ChildClasspathTest.class.getClassLoader());
        List<String> kept = Arrays.asList(cp.split(File.pathSeparator));
        List<String> entries = Arrays.asList(all.split(File.pathSeparator));
        assertTrue(entries.containsAll(kept), "only entries of the class path: " + kept);
        assertEquals(entry("org/multitables4j/internal/workers/ChildMain.class"), Path.of(kept.get(0)).toAbsolutePath().normalize(),
                "the loader's own classes come first");
        assertTrue(kept.stream().anyMatch(e -> e.contains("jhdf")), kept.toString());
        assertTrue(kept.stream().anyMatch(e -> e.contains("lz4-java")), kept.toString());
        assertTrue(kept.stream().anyMatch(e -> e.contains("zstd-jni")), kept.toString());
        assertFalse(kept.stream().anyMatch(e -> e.contains("nd4j") || e.contains("junit") || e.contains("deeplearning4j")),
                kept.toString());
        assertTrue(kept.size() < entries.size() / 2, kept.size() + " of " + entries.size());
    }

    @Test
    void aJarThatRegistersAJhdfFilterIsKeptAndOthersAreNot() throws IOException {
        Path classes = entry("org/multitables4j/internal/workers/ChildMain.class");
        Path jhdf = entry("io/jhdf/HdfFile.class");
        Path plugin = jar(tmp.resolve("my-filter.jar"), "META-INF/services/io.jhdf.filter.Filter", "com/example/MyFilter.class");
        Path other = jar(tmp.resolve("unrelated.jar"), "com/example/Other.class");
        Path[] entries = {other, classes, plugin, jhdf};
        String all = String.join(File.pathSeparator, Arrays.stream(entries).map(Path::toString).toList());
        URL[] urls = new URL[entries.length];
        for (int i = 0; i < entries.length; i++) {
            urls[i] = entries[i].toUri().toURL();
        }
        try (URLClassLoader loader = new URLClassLoader(urls, ClassLoader.getPlatformClassLoader())) {
            String cp = ChildClasspath.trimmed(all, loader);
            assertEquals(String.join(File.pathSeparator, classes.toString(), jhdf.toString(), plugin.toString()), cp);
        }
    }

    @Test
    void aClassPathWithoutTheLoadersEntryIsLeftAsItIs() throws IOException {
        // e.g. a launcher that loads the application from a nested jar
        Path app = jar(tmp.resolve("app.jar"), "BOOT-INF/lib/loader.jar");
        String all = app + File.pathSeparator + tmp.resolve("missing.jar");
        assertEquals(all, ChildClasspath.trimmed(all, ChildClasspathTest.class.getClassLoader()));
    }
}
