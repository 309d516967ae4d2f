package org.multitables4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.multitables4j.internal.hdf5.Fixtures;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * The process backend: child JVMs decode into shared memory. The rows of iter.h5 name
 * themselves (row r holds [r, 2r, -r, r % 7], label r % 10, written by h5py), so every batch is
 * checked against that formula, and against the thread backend for the same seed.
 */
class ProcessBackendTest {
    static final int N = Hdf5DataSetIteratorTest.N;

    @TempDir
    Path tmp;

    private Hdf5DataSetIterator.Builder base(String features, Order order, Backend backend) {
        return Hdf5DataSetIterator.builder(Hdf5DataSetIteratorTest.fixture()).features(features).labels("/y").oneHot(10)
                .batchSize(96).order(order).seed(5).workers(2).backend(backend).sharedMemoryDir(tmp);
    }

    /** Row ids of every batch of one epoch, each row checked against the fixture formula. */
    static List<int[]> epochIds(Hdf5DataSetIterator it) {
        List<int[]> out = new ArrayList<>();
        while (it.hasNext()) {
            DataSet ds = it.next();
            INDArray f = ds.getFeatures();
            int[] ids = new int[(int) f.size(0)];
            for (int i = 0; i < ids.length; i++) {
                int r = (int) f.getFloat(i, 0);
                ids[i] = r;
                assertEquals(2f * r, f.getFloat(i, 1), "row " + r);
                assertEquals(-r, f.getFloat(i, 2), 0f, "row " + r);
                assertEquals(r % 7, f.getFloat(i, 3), 0f, "row " + r);
                assertEquals(r % 10, ds.getLabels().argMax(1).getInt(i), "label of row " + r);
                assertEquals(1f, ds.getLabels().getRow(i).sumNumber().floatValue(), 0f);
            }
            out.add(ids);
        }
        return out;
    }

    static void assertExactlyOnce(List<int[]> batches) {
        int[] seen = new int[N];
        for (int[] b : batches) {
            for (int id : b) {
                seen[id]++;
            }
        }
        for (int r = 0; r < N; r++) {
            assertEquals(1, seen[r], "row " + r + " delivered once");
        }
    }

    @ParameterizedTest
    @CsvSource({"/x, ORDERED", "/x, SHUFFLED", "/x, RANDOM", "/x_contig, RANDOM", "/x_f8_be, SHUFFLED", "/x_i4, ORDERED",
        "/x_contig, ORDERED"})
    void sameBatchesInTheSameOrderAsThreads(String features, Order order) {
        List<int[]> threads;
        try (Hdf5DataSetIterator it = base(features, order, Backend.THREADS).build()) {
            threads = epochIds(it);
        }
        try (Hdf5DataSetIterator it = base(features, order, Backend.PROCESSES).build()) {
            List<int[]> procs = epochIds(it);
            assertEquals(threads.size(), procs.size());
            for (int i = 0; i < procs.size(); i++) {
                assertArrayEquals(threads.get(i), procs.get(i), "batch " + i);
            }
            assertExactlyOnce(procs);
            // a second epoch on the same children
            it.reset();
            assertExactlyOnce(epochIds(it));
        }
    }

    @Test
    void asAvailableDeliversEveryRowOnce() {
        try (Hdf5DataSetIterator it = base("/x", Order.AS_AVAILABLE, Backend.PROCESSES).build()) {
            assertExactlyOnce(epochIds(it));
        }
    }

    @Test
    void slotsAreViewsOfTheSharedFile() throws IOException {
        try (Hdf5DataSetIterator it = base("/x", Order.ORDERED, Backend.PROCESSES).build()) {
            DataSet ds = it.next();
            List<Path> files;
            try (Stream<Path> s = Files.list(tmp)) {
                // a child still connecting has its control socket here too
                files = s.filter(f -> f.toString().endsWith(".shm")).collect(Collectors.toList());
            }
            assertEquals(1, files.size(), "one shared file: " + files);
            Path shm = files.get(0);
            assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                    Files.getPosixFilePermissions(shm), "mode 0600");
            // the bytes of the delivered features lie in the shared file
            float[] want = new float[4];
            for (int k = 0; k < 4; k++) {
                want[k] = ds.getFeatures().getFloat(1, k);
            }
            byte[] all = Files.readAllBytes(shm);
            ByteBuffer b = ByteBuffer.wrap(all).order(java.nio.ByteOrder.nativeOrder());
            boolean found = false;
            for (int at = 0; at + 16 <= all.length && !found; at += 4) {
                found = b.getFloat(at) == want[0] && b.getFloat(at + 4) == want[1] && b.getFloat(at + 8) == want[2]
                        && b.getFloat(at + 12) == want[3] && want[0] == 1f;
            }
            assertTrue(found, "row 1 of the batch is in " + shm);
            assertEquals(2, ProcessHandle.current().children().filter(ProcessHandle::isAlive).count(), "two children");
        }
        assertFalse(Files.list(tmp).findAny().isPresent(), "shared file removed at close");
    }

    static void signal(String sig, long pid) {
        try {
            assertEquals(0, new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).start().waitFor(), "kill -" + sig);
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * SIGSTOPs {@code pid} and waits until every thread of it has stopped: the stop is not
     * synchronous (each thread stops itself when it next runs), so without the wait a loaded
     * machine lets the child answer one more request.
     */
    static void stop(long pid) {
        signal("STOP", pid);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            boolean all = true;
            try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
                for (Path t : (Iterable<Path>) tasks::iterator) {
                    String stat = Files.readString(t.resolve("stat"));
                    char state = stat.charAt(stat.lastIndexOf(')') + 2);
                    all &= state == 'T' || state == 't';
                }
            } catch (IOException e) {
                return; // gone
            }
            if (all) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "process " + pid + " did not stop");
            Thread.onSpinWait();
        }
    }

    static int[] ids(DataSet ds) {
        int[] ids = new int[(int) ds.getFeatures().size(0)];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (int) ds.getFeatures().getFloat(i, 0);
            assertEquals(ids[i] % 7, ds.getFeatures().getFloat(i, 3), 0f);
            assertEquals(2f * ids[i], ds.getFeatures().getFloat(i, 1), 0f);
        }
        return ids;
    }

    /**
     * Both children are stopped (SIGSTOP) after batch 10, so the reads the workers send next hang
     * inside them and the consumer soon waits; 500 ms later they are killed (SIGKILL) while those
     * reads are in flight. Later, at batch 120, the running children are killed at a random
     * moment. The epoch must deliver every row once and the first kill must already have caused
     * restarts (a small block cache makes RANDOM read from the children all along).
     */
    @ParameterizedTest
    @EnumSource(value = Order.class, names = {"ORDERED", "SHUFFLED", "RANDOM", "AS_AVAILABLE"})
    void sigkillOfAChildMidEpochLosesNothing(Order order) throws Exception {
        try (Hdf5DataSetIterator it = base("/x", order, Backend.PROCESSES).batchSize(50).cacheBytes(12 << 10).build()) {
            List<int[]> got = new ArrayList<>();
            Thread killer = null;
            long longestWaitNanos = 0;
            long restartsAtSecondKill = -1;
            while (it.hasNext()) {
                long t0 = System.nanoTime();
                DataSet ds = it.next();
                longestWaitNanos = Math.max(longestWaitNanos, System.nanoTime() - t0);
                got.add(ids(ds));
                if (got.size() == 10) {
                    List<Long> pids = it.workerPids();
                    assertEquals(2, pids.size(), "children alive at the first kill");
                    pids.forEach(ProcessBackendTest::stop);
                    killer = new Thread(() -> {
                        try {
                            Thread.sleep(500);
                        } catch (InterruptedException e) {
                            return;
                        }
                        pids.forEach(pid -> signal("KILL", pid));
                    });
                    killer.start();
                }
                if (got.size() == 120) {
                    restartsAtSecondKill = it.workerRestarts();
                    it.workerPids().forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
                }
            }
            killer.join();
            assertTrue(longestWaitNanos > 300_000_000L, "the consumer waited for the stopped children: "
                    + longestWaitNanos / 1e6 + " ms");
            assertTrue(restartsAtSecondKill > 0, "reads in flight when the children were killed were retried in the "
                    + "first epoch: " + restartsAtSecondKill);
            assertExactlyOnce(got);
            // the next epoch needs both workers again (a child whose work was already done when
            // it was killed is restarted at its next read)
            it.reset();
            List<int[]> second = new ArrayList<>();
            while (it.hasNext()) {
                second.add(ids(it.next()));
            }
            assertExactlyOnce(second);
            assertTrue(it.workerRestarts() >= restartsAtSecondKill, "killed children were restarted: " + it.workerRestarts());
            assertEquals(2, it.workerPids().size(), "two children serve again");
        }
    }

    /** Children stopped (SIGSTOP) and never killed: the read timeout replaces them, nothing is lost. */
    @Test
    void aReadTimeoutReplacesHungChildren() {
        try (Hdf5DataSetIterator it = base("/x", Order.ORDERED, Backend.PROCESSES).batchSize(50).cacheBytes(12 << 10)
                .workerReadTimeout(java.time.Duration.ofSeconds(1)).build()) {
            List<int[]> got = new ArrayList<>();
            List<Long> stopped = null;
            while (it.hasNext()) {
                got.add(ids(it.next()));
                if (got.size() == 10) {
                    stopped = it.workerPids();
                    stopped.forEach(ProcessBackendTest::stop);
                }
            }
            assertExactlyOnce(got);
            assertTrue(it.workerRestarts() > 0, "hung children were replaced: " + it.workerRestarts());
            for (long pid : stopped) {
                assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "stopped child " + pid + " was ended");
            }
        }
        assertThrows(InvalidConfigurationException.class, () -> base("/x", Order.ORDERED, Backend.PROCESSES)
                .workerReadTimeout(java.time.Duration.ZERO));
    }

    @Test
    void closeIsBoundedEvenWithStoppedChildren() throws Exception {
        Hdf5DataSetIterator it = base("/x", Order.ORDERED, Backend.PROCESSES).batchSize(20).prefetch(2).build();
        it.next();
        List<Long> pids = it.workerPids();
        assertEquals(2, pids.size());
        for (long pid : pids) {
            stop(pid);
        }
        // a consumer waiting for a batch the stopped children will never deliver
        java.util.concurrent.atomic.AtomicReference<Throwable> woken = new java.util.concurrent.atomic.AtomicReference<>();
        Thread consumer = new Thread(() -> {
            try {
                while (it.hasNext()) {
                    it.next();
                }
            } catch (RuntimeException e) {
                woken.set(e);
            }
        });
        consumer.start();
        Thread.sleep(300);
        long t0 = System.nanoTime();
        it.close();
        double seconds = (System.nanoTime() - t0) / 1e9;
        consumer.join(10_000);
        assertFalse(consumer.isAlive(), "the waiting consumer was woken");
        assertTrue(woken.get() instanceof IteratorClosedException, "woken by close(): " + woken.get());
        assertTrue(seconds < 10, "close() took " + seconds + " s");
        for (long pid : pids) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "child " + pid + " ended");
        }
    }

    /** Control runs over a socket: whatever the child JVM prints on stdout is only log output. */
    @ParameterizedTest
    @CsvSource({"-Xlog:gc*, -XX:+PrintFlagsFinal", "-verbose:gc, -XX:+PrintCommandLineFlags"})
    void optionsThatPrintOnStdoutDoNotDisturbTheWorkers(String a, String b) {
        try (Hdf5DataSetIterator it = base("/x", Order.SHUFFLED, Backend.PROCESSES).workerJvmOptions(a, b).build()) {
            assertExactlyOnce(epochIds(it));
            assertEquals(0, it.workerRestarts(), "no child failed");
        }
    }

    static List<String> childArguments(Hdf5DataSetIterator it) {
        List<Long> pids = it.workerPids();
        assertFalse(pids.isEmpty());
        try {
            // ProcessHandle.Info leaves out long command lines (the classpath)
            String cmdline = Files.readString(Path.of("/proc/" + pids.get(0) + "/cmdline"));
            return Arrays.asList(cmdline.split("\0"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A collector chosen by the user replaces the default one instead of clashing with it. */
    @ParameterizedTest
    @CsvSource({"-XX:+UseG1GC", "-XX:+UseParallelGC"})
    void userGcFlagReplacesTheDefault(String gc) {
        try (Hdf5DataSetIterator it = base("/x", Order.RANDOM, Backend.PROCESSES).workerJvmOptions(gc, "-Xmx300m")
                .workerRestarts(1).build()) {
            assertExactlyOnce(epochIds(it));
            List<String> args = childArguments(it);
            assertTrue(args.contains(gc) && !args.contains("-XX:+UseSerialGC"), "the child's options: " + args);
            assertTrue(args.contains("-Xmx300m") && !args.contains("-Xmx1g"), "the user's heap limit only: " + args);
        }
        try (Hdf5DataSetIterator it = base("/x", Order.ORDERED, Backend.PROCESSES).build()) {
            it.next();
            List<String> args = childArguments(it);
            assertTrue(args.contains("-XX:+UseSerialGC") && args.contains("-Xmx1g"), "the defaults: " + args);
        }
    }

    /** "Error occurred during initialization of VM" goes to the child's stdout: it must name the cause. */
    @Test
    void childThatDiesAtEveryStartNamesTheCause() {
        Hdf5DataSetIterator it = base("/x", Order.ORDERED, Backend.PROCESSES).workerJvmOptions("-Xmx1k")
                .workerRestarts(3).build();
        long t0 = System.nanoTime();
        MultitablesException e = assertThrows(MultitablesException.class, () -> epochIds(it));
        double seconds = (System.nanoTime() - t0) / 1e9;
        String m = e.getMessage();
        assertTrue(m.contains("died 3 times in a row"), m);
        assertTrue(m.contains("exit status 1"), m);
        assertTrue(m.contains("Error occurred during initialization of VM") && m.contains("Too small maximum heap"),
                "names the cause from the child's output: " + m);
        assertTrue(m.contains("ended before it connected"), m);
        assertTrue(seconds < 30, "noticed when the children exit, not after a timeout: " + seconds + " s");
        it.close();
        assertEquals(0, ProcessHandle.current().children().filter(ProcessHandle::isAlive).count());
        assertEquals(List.of(), listing(tmp), "no socket or shared file left");
    }

    static List<Path> listing(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.collect(Collectors.toList());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static List<Path> mySockets(Path dir) {
        String mine = "multitables4j-" + ProcessHandle.current().pid() + "-";
        return listing(dir).stream().filter(p -> p.getFileName().toString().startsWith(mine)
                && p.toString().endsWith(".sock")).collect(Collectors.toList());
    }

    /**
     * The control sockets lie next to the shared file and disappear once the child is connected,
     * and at close even when children are still starting.
     */
    @Test
    void socketsAndSharedFilesAreGoneAfterClose() throws Exception {
        int starting = 0;
        for (int i = 0; i < 5; i++) {
            // closed while the children start: their sockets are bound but (mostly) not yet connected
            Hdf5DataSetIterator it = base("/x", Order.ORDERED, Backend.PROCESSES).build();
            int n = mySockets(tmp).size();
            assertTrue(n <= 2, "at most one socket per child: " + listing(tmp));
            starting += n;
            long t0 = System.nanoTime();
            it.close();
            assertTrue(System.nanoTime() - t0 < 2_000_000_000L, "children still starting are ended at once");
            assertEquals(List.of(), listing(tmp), "nothing left after close " + i);
        }
        assertTrue(starting > 0, "some close found a child still starting");
        try (Hdf5DataSetIterator it = base("/x", Order.ORDERED, Backend.PROCESSES).build()) {
            assertExactlyOnce(epochIds(it));
            assertEquals(List.of(), mySockets(tmp), "sockets deleted once the children are connected");
        }
        assertEquals(List.of(), listing(tmp), "nothing left after close");
        assertEquals(0, ProcessHandle.current().children().filter(ProcessHandle::isAlive).count());
    }

    /** A directory whose socket paths would not fit a socket address: the sockets go to java.io.tmpdir. */
    @Test
    void longSharedMemoryDirectory() throws IOException {
        Path deep = tmp;
        while (deep.toString().length() < 120) {
            deep = deep.resolve("a-rather-long-directory-name");
        }
        Files.createDirectories(deep);
        Path tmpdir = Path.of(System.getProperty("java.io.tmpdir"));
        try (Hdf5DataSetIterator it = base("/x", Order.ORDERED, Backend.PROCESSES).sharedMemoryDir(deep).build()) {
            assertExactlyOnce(epochIds(it));
        }
        assertEquals(List.of(), listing(deep), "nothing left in the shared-memory directory");
        assertEquals(List.of(), mySockets(tmpdir), "no socket left in " + tmpdir);
    }

    static float[] block(ByteBuffer b, int floats) {
        ByteBuffer le = b.duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[floats];
        for (int i = 0; i < floats; i++) {
            out[i] = le.getFloat(4 * i);
        }
        return out;
    }

    static void assertBlockOfX(ByteBuffer b, int block, int blockRows) {
        float[] f = block(b, 4 * blockRows);
        for (int i = 0; i < blockRows; i++) {
            int r = block * blockRows + i;
            assertEquals(r, f[4 * i], 0f, "row " + r);
            assertEquals(2f * r, f[4 * i + 1], 0f, "row " + r);
        }
    }

    /** With a read timeout, a stopped (hung, not dead) child is killed and its read repeated. */
    @Test
    void readTimeoutTreatsAHungChildAsDead() throws Exception {
        Path fixture = Hdf5DataSetIteratorTest.fixture();
        try (org.multitables4j.internal.hdf5.Hdf5File file = org.multitables4j.internal.hdf5.Hdf5File.open(fixture);
             org.multitables4j.internal.workers.SharedArena arena = org.multitables4j.internal.workers.SharedArena.create(tmp, 1 << 20);
             org.multitables4j.internal.workers.ChildPool pool = new org.multitables4j.internal.workers.ChildPool(
                     List.of(new org.multitables4j.internal.workers.ChildPool.Dataset(file.array("/x"), "/x", null)),
                     arena, List.of(), 2).readTimeout(java.time.Duration.ofSeconds(2))
                     .startTimeout(java.time.Duration.ofSeconds(2))) {
            org.multitables4j.internal.hdf5.Hdf5Array x = file.array("/x");
            org.multitables4j.internal.workers.BlockIo io = pool.io(0);
            ByteBuffer b0 = arena.allocate(x.blockBytes());
            io.readBlock(x, 0, b0);
            assertBlockOfX(b0, 0, x.blockRows());
            long pid = pool.pids().get(0);
            stop(pid);
            ByteBuffer b1 = arena.allocate(x.blockBytes());
            long t0 = System.nanoTime();
            io.readBlock(x, 1, b1);
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertBlockOfX(b1, 1, x.blockRows());
            assertEquals(1, pool.restarts(), "the hung child was replaced once (after " + seconds + " s)");
            assertTrue(seconds >= 1.9 && seconds < 30, "answered after the timeout: " + seconds + " s");
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the hung child is gone");
            assertTrue(pool.pids().size() == 1 && pool.pids().get(0) != pid, "a new child serves");
            // a hung child every time: the read fails after the retries, naming the timeout
            assertEquals(1, pool.pids().size());
            stop(pool.pids().get(0));
            Thread stopper = new Thread(() -> {
                // stop the replacement as soon as it is up
                long deadline = System.nanoTime() + 20_000_000_000L;
                long old = pool.pids().isEmpty() ? -1 : pool.pids().get(0);
                while (System.nanoTime() < deadline) {
                    List<Long> now = pool.pids();
                    if (!now.isEmpty() && now.get(0) != old) {
                        stop(now.get(0));
                        return;
                    }
                    Thread.onSpinWait();
                }
            });
            stopper.start();
            MultitablesException e = assertThrows(MultitablesException.class, () -> io.readBlock(x, 2, b1));
            stopper.join();
            // the first stopped child did not answer, the second did not even connect
            assertTrue(e.getMessage().contains("did not connect within 2000 ms; killed"), e.getMessage());
            assertTrue(e.getMessage().contains("died 2 times in a row"), e.getMessage());
        }
        assertEquals(0, ProcessHandle.current().children().filter(ProcessHandle::isAlive).count(), "no child left");
    }

    /** A child that neither connects nor exits is killed after the start timeout and replaced. */
    @Test
    void startTimeoutReplacesAChildThatNeverConnects() throws Exception {
        Path fixture = Hdf5DataSetIteratorTest.fixture();
        try (org.multitables4j.internal.hdf5.Hdf5File file = org.multitables4j.internal.hdf5.Hdf5File.open(fixture);
             org.multitables4j.internal.workers.SharedArena arena = org.multitables4j.internal.workers.SharedArena.create(tmp, 1 << 20);
             org.multitables4j.internal.workers.ChildPool pool = new org.multitables4j.internal.workers.ChildPool(
                     List.of(new org.multitables4j.internal.workers.ChildPool.Dataset(file.array("/x"), "/x", null)),
                     arena, List.of(), 2).startTimeout(java.time.Duration.ofSeconds(2))
                     .readTimeout(java.time.Duration.ofSeconds(2))) {
            org.multitables4j.internal.hdf5.Hdf5Array x = file.array("/x");
            org.multitables4j.internal.workers.BlockIo io = pool.io(0);
            long pid = pool.pids().get(0);
            stop(pid); // (almost always) before its JVM has booted; else its greeting times out
            ByteBuffer b = arena.allocate(x.blockBytes());
            io.readBlock(x, 3, b);
            assertBlockOfX(b, 3, x.blockRows());
            assertEquals(1, pool.restarts());
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the stopped child is gone");
        }
        assertEquals(List.of(), listing(tmp), "no socket or shared file left");
    }

    @Test
    void childThatCannotStartFailsClearlyAfterTheRetries() {
        Hdf5DataSetIterator it = base("/x", Order.ORDERED, Backend.PROCESSES).workerJvmOptions("-XX:+NoSuchJvmFlag")
                .workerRestarts(2).build();
        MultitablesException e = assertThrows(MultitablesException.class, () -> epochIds(it));
        String m = e.getMessage();
        assertTrue(m.contains("died 2 times in a row"), m);
        assertTrue(m.contains("exit status 1"), m);
        assertTrue(m.contains("NoSuchJvmFlag"), "names the cause from the child's output: " + m);
        it.close();
        assertEquals(0, ProcessHandle.current().children().filter(ProcessHandle::isAlive).count());
    }

    @Test
    void corruptChunkInAChildSurfacesWithFileDatasetAndChunk() throws IOException {
        String path = "/filters/gzip_shuffle_fletcher";
        Fixtures.ChunkInfo c = Fixtures.chunkTable().get("fixtures.h5").get(path).stream()
                .filter(ch -> ch.offset()[0] <= 300 && 300 < ch.offset()[0] + 100).findFirst().orElseThrow();
        Path copy = tmp.resolve("corrupt.h5");
        Files.copy(Fixtures.resource("fixtures.h5"), copy, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel ch = FileChannel.open(copy, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            long at = c.address() + c.size() / 2;
            ch.read(one, at);
            one.put(0, (byte) (one.get(0) ^ 0x5a)).rewind();
            ch.write(one, at);
        }
        try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(copy).features(path).batchSize(50)
                .order(Order.ORDERED).workers(2).backend(Backend.PROCESSES).sharedMemoryDir(tmp).build()) {
            CorruptDataException e = assertThrows(CorruptDataException.class, () -> {
                while (it.hasNext()) {
                    it.next();
                }
            });
            String m = e.getMessage();
            assertTrue(m.contains(path) && m.contains("corrupt.h5") && m.contains("300"), m);
            assertTrue(Arrays.stream(e.getStackTrace()).anyMatch(s -> s.getClassName().contains("BlockDecoder")
                    || s.getClassName().contains("Hdf5Array")), "the child's stack is kept");
            assertEquals(0, it.workerRestarts(), "a data error is not a dead child");
        }
    }

    @Test
    void staleFilesOfDeadProcessesAreRemoved() throws IOException {
        long dead = ProcessHandle.allProcesses().mapToLong(ProcessHandle::pid).max().orElse(1) + 1000;
        Path stale = tmp.resolve("multitables4j-" + dead + "-feed.shm");
        Path mine = tmp.resolve("multitables4j-" + ProcessHandle.current().pid() + "-other.shm");
        Path foreign = tmp.resolve("unrelated.shm");
        Path staleSocket = tmp.resolve("multitables4j-" + dead + "-0123456789abcdef.sock");
        Path mySocket = tmp.resolve("multitables4j-" + ProcessHandle.current().pid() + "-other.sock");
        for (Path p : List.of(stale, mine, foreign, staleSocket, mySocket)) {
            Files.write(p, new byte[10]);
        }
        try (Hdf5DataSetIterator it = base("/x", Order.ORDERED, Backend.PROCESSES).build()) {
            it.next();
        }
        assertFalse(Files.exists(stale), "a dead process's file is removed");
        assertFalse(Files.exists(staleSocket), "a dead process's control socket is removed");
        assertTrue(Files.exists(mine), "a live process's file is kept");
        assertTrue(Files.exists(mySocket), "a live process's socket is kept");
        assertTrue(Files.exists(foreign), "other files are kept");
    }

    @Test
    void resumeAcrossBackends() {
        List<int[]> whole;
        try (Hdf5DataSetIterator it = base("/x", Order.SHUFFLED, Backend.THREADS).build()) {
            whole = epochIds(it);
        }
        IteratorState st;
        try (Hdf5DataSetIterator it = base("/x", Order.SHUFFLED, Backend.THREADS).build()) {
            for (int i = 0; i < 37; i++) {
                it.next();
            }
            st = it.state();
        }
        try (Hdf5DataSetIterator it = base("/x", Order.SHUFFLED, Backend.PROCESSES).resumeFrom(st).build()) {
            List<int[]> rest = epochIds(it);
            assertEquals(whole.size() - 37, rest.size());
            for (int i = 0; i < rest.size(); i++) {
                assertArrayEquals(whole.get(37 + i), rest.get(i), "batch " + (37 + i));
            }
        }
    }

    @Test
    void hundredOpenCloseCyclesLeaveNothing() throws Exception {
        Order[] orders = {Order.ORDERED, Order.SHUFFLED, Order.RANDOM, Order.AS_AVAILABLE};
        for (int i = 0; i < 100; i++) {
            try (Hdf5DataSetIterator it = base(i % 2 == 0 ? "/x" : "/x_contig", orders[i % 4], Backend.PROCESSES)
                    .workers(1 + i % 2).build()) {
                DataSet ds = it.next();
                int r = (int) ds.getFeatures().getFloat(0, 0);
                assertEquals(2f * r, ds.getFeatures().getFloat(0, 1));
            }
        }
        assertEquals(0, ProcessHandle.current().children().filter(ProcessHandle::isAlive).count(), "no child left");
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of(), s.collect(Collectors.toList()), "no shared file left");
        }
        for (int i = 0; i < 100 && Hdf5DataSetIteratorTest.workerThreads() > 0; i++) {
            Thread.sleep(20);
        }
        assertEquals(0, Hdf5DataSetIteratorTest.workerThreads(), "no thread left");
    }
}
