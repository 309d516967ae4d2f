package org.multitables4j.internal.workers;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The class path of a worker process: of this JVM's entries, only those a child loads classes
 * or services from — the loader itself, jhdf, slf4j and its binding, the decoders' libraries, and
 * every entry that registers a filter with jhdf ({@code META-INF/services/io.jhdf.filter.Filter})
 * — in that order, each the very entry this JVM loads the same classes from (found with
 * {@link ClassLoader#getResource}, which searches in class path order). A child started with a
 * DL4J application's class path (a hundred jars: ND4J, DL4J, Hadoop...) opened, and where signed
 * verified, every jar before the one holding the class it looked for, and all of them when the
 * JDK looked up a service provider (the socket's {@code SelectorProvider}): about 0.1 s of its
 * start. A remote file's children (Hadoop's client) get the whole class path.
 */
final class ChildClasspath {
    /** Classes whose entries a child needs, in the order it loads them. */
    static final List<String> CLASSES = List.of(
            "org/multitables4j/internal/workers/ChildMain.class",
            "io/jhdf/HdfFile.class",
            "org/slf4j/LoggerFactory.class",
            "org/slf4j/impl/StaticLoggerBinder.class",
            "net/jpountz/lz4/LZ4Factory.class",
            "com/github/luben/zstd/Zstd.class",
            "io/airlift/compress/Decompressor.class",
            "org/apache/commons/compress/compressors/bzip2/BZip2CompressorInputStream.class",
            "com/ning/compress/lzf/ChunkDecoder.class");
    /** Services a child may look up: jhdf's filters (a pipeline jhdf decodes), slf4j 2's bindings. */
    static final List<String> SERVICES = List.of(
            "META-INF/services/io.jhdf.filter.Filter",
            "META-INF/services/org.slf4j.spi.SLF4JServiceProvider");

    private ChildClasspath() {
    }

    /**
     * @param classpath this JVM's class path ({@code java.class.path})
     * @param loader    the loader that finds classes as this JVM does
     * @return the entries a child needs (see the class comment), or {@code classpath} unchanged
     *     when the loader's own entry is not among its entries (e.g. a nested-jar launcher)
     */
    static String trimmed(String classpath, ClassLoader loader) {
        Map<Path, String> byPath = new LinkedHashMap<>();
        for (String e : classpath.split(File.pathSeparator)) {
            if (!e.isEmpty()) {
                byPath.putIfAbsent(normal(e), e);
            }
        }
        List<String> out = new ArrayList<>();
        for (String resource : CLASSES) {
            take(byPath, entryOf(loader.getResource(resource), resource), out);
            if (out.isEmpty()) {
                return classpath; // the loader's own classes come from elsewhere
            }
        }
        for (String service : SERVICES) {
            try {
                Enumeration<URL> urls = loader.getResources(service);
                while (urls.hasMoreElements()) {
                    take(byPath, entryOf(urls.nextElement(), service), out);
                }
            } catch (IOException e) {
                return classpath;
            }
        }
        return String.join(File.pathSeparator, out);
    }

    private static void take(Map<Path, String> byPath, Path entry, List<String> out) {
        if (entry != null) {
            String e = byPath.remove(entry);
            if (e != null) {
                out.add(e);
            }
        }
    }

    /** @return the class path entry (a jar or a directory) that {@code url} of {@code resource} lies in, or null */
    static Path entryOf(URL url, String resource) {
        if (url == null) {
            return null;
        }
        try {
            if (url.getProtocol().equals("jar")) {
                String s = url.getPath(); // file:/a/b.jar!/org/...
                int bang = s.indexOf("!/");
                if (bang < 0 || !s.startsWith("file:")) {
                    return null;
                }
                return Path.of(new URI(s.substring(0, bang))).toAbsolutePath().normalize();
            }
            if (url.getProtocol().equals("file")) {
                Path p = Path.of(url.toURI()).toAbsolutePath().normalize();
                int depth = resource.split("/").length;
                for (int i = 0; i < depth && p != null; i++) {
                    p = p.getParent();
                }
                return p;
            }
        } catch (URISyntaxException | IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            return null;
        }
        return null;
    }

    private static Path normal(String entry) {
        try {
            return Path.of(entry).toAbsolutePath().normalize();
        } catch (java.nio.file.InvalidPathException e) {
            return Path.of("/nonexistent-" + entry.hashCode());
        }
    }
}
