package org.multitables4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad files, faults and leaks: a seeded mutation fuzzer over the fixture files (only our typed
 * exceptions, no hang), worker failures, interrupts, and open/close cycles that must return
 * threads, file descriptors and direct memory to their starting counts.
 */
class ReliabilityTest {
    @TempDir
    Path tmp;

    static final String[][] TARGETS = {
        {"fixtures.h5", "/dtypes/f4_le"}, {"fixtures.h5", "/dtypes/i8_be"}, {"fixtures.h5", "/layout/contiguous"},
        {"fixtures.h5", "/layout/chunked_inner"}, {"fixtures.h5", "/filters/gzip_shuffle_fletcher"},
        {"fixtures.h5", "/fill/partial_f4"}, {"fixtures.h5", "/layout/compact"}, {"index_latest.h5", "/btree2"},
        {"index_latest.h5", "/extensible"}, {"filters_pytables.h5", "/lz4_shuffle"},
        {"filters_pytables.h5", "/blosclz_shuffle"}, {"filters_plugins.h5", "/lz4"}};

    static Path resource(String name) {
        try {
            return Path.of(ReliabilityTest.class.getResource("/fixtures/" + name).toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Streams a whole dataset; returns rows delivered. */
    static long stream(Path file, String path, Order order) {
        try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(file).features(path).batchSize(50).order(order)
                .workers(2).build()) {
            long n = 0;
            while (it.hasNext()) {
                n += it.next().getFeatures().size(0);
            }
            return n;
        }
    }

    @Test
    void fuzzedFilesGiveOnlyTypedErrorsAndNeverHang() throws Exception {
        Random rnd = new Random(20261124L);
        Map<String, Integer> outcomes = new LinkedHashMap<>();
        List<String> escaped = new ArrayList<>();
        ExecutorService ex = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzz");
            t.setDaemon(true);
            return t;
        });
        int cases = 240;
        try {
            for (int i = 0; i < cases; i++) {
                String[] target = TARGETS[i % TARGETS.length];
                byte[] data = Files.readAllBytes(resource(target[0]));
                String kind;
                switch (rnd.nextInt(4)) {
                    case 0: {
                        kind = "truncate";
                        data = java.util.Arrays.copyOf(data, rnd.nextInt(data.length));
                        break;
                    }
                    case 1: {
                        kind = "flip bytes";
                        for (int k = 0; k < 1 + rnd.nextInt(8); k++) {
                            data[rnd.nextInt(data.length)] ^= (byte) (1 + rnd.nextInt(255));
                        }
                        break;
                    }
                    case 2: {
                        kind = "flip header bytes";
                        int span = Math.min(data.length, 4096);
                        for (int k = 0; k < 1 + rnd.nextInt(4); k++) {
                            data[rnd.nextInt(span)] ^= (byte) (1 + rnd.nextInt(255));
                        }
                        break;
                    }
                    default: {
                        kind = "zero a run";
                        int at = rnd.nextInt(data.length);
                        java.util.Arrays.fill(data, at, Math.min(data.length, at + 1 + rnd.nextInt(512)), (byte) 0);
                    }
                }
                Path f = tmp.resolve("m" + i + ".h5");
                Files.write(f, data);
                Order order = Order.values()[rnd.nextInt(Order.values().length)];
                Future<Long> run = ex.submit(() -> stream(f, target[1], order));
                String outcome;
                try {
                    run.get(30, TimeUnit.SECONDS);
                    outcome = "read";
                } catch (TimeoutException e) {
                    run.cancel(true);
                    throw new AssertionError("hang on case " + i + " (" + kind + " of " + target[0] + ":" + target[1] + ")");
                } catch (java.util.concurrent.ExecutionException e) {
                    Throwable c = e.getCause();
                    if (c instanceof MultitablesException) {
                        outcome = c.getClass().getSimpleName();
                        assertTrue(c.getMessage() != null && c.getMessage().contains(f.getFileName().toString()),
                                "names the file: " + c.getMessage());
                    } else {
                        outcome = "ESCAPED " + c;
                        escaped.add("case " + i + " " + kind + " " + target[0] + ":" + target[1] + " -> " + c);
                    }
                }
                outcomes.merge(kind + " -> " + outcome.replaceAll(":.*", ""), 1, Integer::sum);
                Files.delete(f);
            }
        } finally {
            ex.shutdownNow();
        }
        System.out.println("[ReliabilityTest] " + cases + " mutated files: " + outcomes);
        assertEquals(List.of(), escaped, "only multitables4j exceptions");
    }

    @Test
    void workerFailureSurfacesAndResetThrowsAgain() {
        Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(Hdf5DataSetIteratorTest.fixture()).features("/x")
                .labels("/y_bad").oneHot(10).batchSize(100).order(Order.ORDERED).workers(2).build();
        CorruptDataException first = assertThrows(CorruptDataException.class, () -> Hdf5DataSetIteratorTest.epoch(it));
        it.reset();
        CorruptDataException again = assertThrows(CorruptDataException.class, () -> Hdf5DataSetIteratorTest.epoch(it));
        assertEquals(first.getMessage(), again.getMessage(), "a persistent fault fails the same way after reset()");
        it.close();
        it.close();
        assertEquals(0, Hdf5DataSetIteratorTest.workerThreads());
    }

    @Test
    void interruptingTheConsumerIsHonoured() throws Exception {
        try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(Hdf5DataSetIteratorTest.fixture()).features("/x")
                .batchSize(100).order(Order.ORDERED).workers(1).prefetch(1).build()) {
            it.setPreProcessor(ds -> {
                try {
                    Thread.sleep(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicReference<Boolean> flag = new AtomicReference<>();
            Thread consumer = new Thread(() -> {
                try {
                    it.next();
                } catch (Throwable t) {
                    thrown.set(t);
                    flag.set(Thread.currentThread().isInterrupted());
                }
            });
            consumer.start();
            Thread.sleep(200);
            consumer.interrupt();
            consumer.join(5000);
            assertFalse(consumer.isAlive());
            assertTrue(thrown.get() instanceof MultitablesException && thrown.get().getMessage().contains("Interrupted"),
                    String.valueOf(thrown.get()));
            assertTrue(flag.get(), "the interrupt flag stays set");
        }
    }

    static long openFds() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    static long fdsTo(Path file) throws IOException {
        Path real = file.toRealPath();
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).equals(real);
                } catch (IOException | UnsupportedOperationException e) {
                    return false;
                }
            }).count();
        }
    }

    static long directBytes() {
        return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
    }

    @Test
    void thousandOpenCloseCyclesLeakNothing() throws Exception {
        Path f = Hdf5DataSetIteratorTest.fixture();
        Order[] orders = Order.values();
        // warm up class loading and ND4J
        stream(f, "/x", Order.ORDERED);
        System.gc();
        Thread.sleep(200);
        long fds = openFds();
        long direct = directBytes();
        for (int i = 0; i < 1000; i++) {
            try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(f).features(i % 2 == 0 ? "/x" : "/x_contig")
                    .labels("/y").oneHot(10).batchSize(64).order(orders[i % orders.length]).workers(1 + i % 3).build()) {
                for (int k = 0; k < 1 + i % 3 && it.hasNext(); k++) {
                    it.next();
                }
            }
        }
        assertEquals(0, Hdf5DataSetIteratorTest.workerThreads(), "worker threads");
        // A leak of one descriptor per cycle would show as hundreds; the JVM itself may open one or
        // two (a jar, a class-data file) while the loop runs, so allow that much.
        long grown = openFds() - fds;
        assertTrue(grown <= 3, "open file descriptors grew by " + grown + " over 1000 cycles");
        assertEquals(0, fdsTo(f), "descriptors still open on the fixture");
        long after = Long.MAX_VALUE;
        for (int i = 0; i < 20 && after > direct + (1 << 20); i++) {
            System.gc();
            Thread.sleep(100);
            after = directBytes();
        }
        assertTrue(after <= direct + (1 << 20), "direct memory " + direct + " -> " + after);
    }

    @Test
    void hostileMetadataFailsAtBuildBeforeAllocating() {
        Path f = resource("hostile.h5");
        UnsupportedHdf5Exception rows = assertThrows(UnsupportedHdf5Exception.class,
                () -> Hdf5DataSetIterator.builder(f).features("/huge_rows").batchSize(32).order(Order.ORDERED).build());
        assertTrue(rows.getMessage().contains("/huge_rows") && rows.getMessage().contains("maxChunks"), rows.getMessage());
        UnsupportedHdf5Exception grid = assertThrows(UnsupportedHdf5Exception.class,
                () -> Hdf5DataSetIterator.builder(f).features("/huge_grid").build());
        assertTrue(grid.getMessage().contains("/huge_grid") && grid.getMessage().contains("rows of chunks"), grid.getMessage());
        UnsupportedHdf5Exception chunk = assertThrows(UnsupportedHdf5Exception.class,
                () -> Hdf5DataSetIterator.builder(f).features("/big_chunk").build());
        assertTrue(chunk.getMessage().contains("/big_chunk") && chunk.getMessage().contains("maxBlockBytes"), chunk.getMessage());
        for (String path : new String[] {"/vlen", "/opaque", "/ref"}) {
            UnsupportedHdf5Exception e = assertThrows(UnsupportedHdf5Exception.class,
                    () -> Hdf5DataSetIterator.builder(f).features(path).build());
            assertTrue(e.getMessage().contains(path) && e.getMessage().contains("hostile.h5"), e.getMessage());
        }
    }

    @Test
    void fileTruncatedUnderneathGivesAnErrorNotGarbage() throws Exception {
        for (String path : new String[] {"/x", "/x_contig"}) {
            Path copy = tmp.resolve("shrinking.h5");
            Files.copy(Hdf5DataSetIteratorTest.fixture(), copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(copy).features(path).batchSize(100)
                    .order(Order.ORDERED).workers(2).build()) {
                try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(copy,
                        java.nio.file.StandardOpenOption.WRITE)) {
                    ch.truncate(4096);
                }
                CorruptDataException e = assertThrows(CorruptDataException.class, () -> Hdf5DataSetIteratorTest.epoch(it));
                assertTrue(e.getMessage().contains("shrinking.h5") && e.getMessage().contains(path), e.getMessage());
            }
        }
    }
}
