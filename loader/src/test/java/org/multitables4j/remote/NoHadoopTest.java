package org.multitables4j.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * Hadoop is an optional dependency: local files are read with no Hadoop class on the class path,
 * and a remote URI then fails with an InvalidConfigurationException saying what to add. The
 * loader's classes run in a class loader built from this JVM's class path without Hadoop's jars.
 */
class NoHadoopTest {
    /** Loads the class path minus Hadoop's jars, and records every attempt to load a Hadoop class. */
    private static final class WithoutHadoop extends URLClassLoader {
        final Set<String> hadoopAsked = ConcurrentHashMap.newKeySet();

        WithoutHadoop(URL[] urls) {
            super("without-hadoop", urls, ClassLoader.getPlatformClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.startsWith("org.apache.hadoop.")) {
                hadoopAsked.add(name);
                throw new ClassNotFoundException(name);
            }
            return super.loadClass(name, resolve);
        }
    }

    private static WithoutHadoop loader() throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String name = Path.of(e).getFileName().toString();
            if (!name.contains("hadoop")) {
                urls.add(Path.of(e).toUri().toURL());
            }
        }
        return new WithoutHadoop(urls.toArray(URL[]::new));
    }

    @Test
    void localFilesNeedNoHadoopAndRemoteOnesSayWhatToAdd() throws Exception {
        try (WithoutHadoop cl = loader()) {
            Class<?> fileClass = cl.loadClass("org.multitables4j.internal.hdf5.Hdf5File");
            Class<?> optionsClass = cl.loadClass("org.multitables4j.RemoteOptions");
            Class<?> decoderClass = cl.loadClass("org.multitables4j.internal.hdf5.BlockDecoder");
            Method open = fileClass.getMethod("open", String.class, optionsClass);
            String path = RemoteFixture.file().toString();
            for (String location : new String[] {path, RemoteFixture.file().toUri().toString()}) {
                Object file = open.invoke(null, location, null);
                try (AutoCloseable closeFile = (AutoCloseable) file;
                     AutoCloseable dec = (AutoCloseable) decoderClass.getConstructor().newInstance()) {
                    Object x = fileClass.getMethod("array", String.class).invoke(file, "/x");
                    int bytes = (int) x.getClass().getMethod("blockBytes").invoke(x);
                    ByteBuffer block = ByteBuffer.allocate(bytes);
                    x.getClass().getMethod("readBlock", int.class, decoderClass, ByteBuffer.class).invoke(x, 1, dec, block);
                    block.order(ByteOrder.LITTLE_ENDIAN);
                    int rows = bytes / (4 * RemoteFixture.COLS);
                    for (int i = 0; i < rows; i++) {
                        long r = rows + i; // block 1
                        for (int k = 0; k < RemoteFixture.COLS; k++) {
                            assertEquals(RemoteFixture.x(r, k), block.getFloat(4 * (i * RemoteFixture.COLS + k)), 0.0,
                                    location + " row " + r);
                        }
                    }
                }
            }
            assertTrue(cl.hadoopAsked.isEmpty(), "local files loaded Hadoop classes: " + cl.hadoopAsked);
            InvocationTargetException e = org.junit.jupiter.api.Assertions.assertThrows(InvocationTargetException.class,
                    () -> open.invoke(null, "hdfs://localhost:1/data/train.h5", null));
            Throwable t = e.getCause();
            assertEquals("org.multitables4j.InvalidConfigurationException", t.getClass().getName(), t.toString());
            assertTrue(t.getMessage().contains("hdfs://localhost:1/data/train.h5")
                    && t.getMessage().contains("hadoop-client-api") && t.getMessage().contains("hadoop-client-runtime"),
                    t.getMessage());
            assertFalse(cl.hadoopAsked.isEmpty(), "the remote URI tried Hadoop");
        }
    }
}
