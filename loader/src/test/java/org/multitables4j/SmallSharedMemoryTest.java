package org.multitables4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Worker processes on a small shared-memory file system (Docker's /dev/shm is 64 MB): a 4 MB
 * tmpfs mounted for the test (or a loop-mounted ext4 image where tmpfs cannot be mounted), most of
 * it taken by a filler file. A full directory must fail at build with a typed error that names it,
 * never kill a child with SIGBUS; the cache must shrink to fit; close() must give the memory back
 * at once. Rows are checked against iter.h5's formula ([r, 2r, -r, r % 7], label r % 10).
 */
class SmallSharedMemoryTest {
    @TempDir
    Path tmp;
    private Path dir;
    private boolean mounted;

    @BeforeEach
    void mount() throws Exception {
        dir = Files.createDirectory(tmp.resolve("shm"));
        String tmpfs = run("mount", "-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", dir.toString());
        if (tmpfs == null) {
            mounted = true;
            return;
        }
        Path img = tmp.resolve("shm.img");
        String loop = run("truncate", "-s", "8M", img.toString());
        if (loop == null) {
            loop = run("mkfs.ext4", "-q", "-F", img.toString());
        }
        if (loop == null) {
            loop = run("mount", "-o", "loop", img.toString(), dir.toString());
        }
        if (loop == null) {
            mounted = true;
            return;
        }
        String why = "cannot mount a small file system (tmpfs: " + tmpfs + "; loop ext4: " + loop + ")";
        System.out.println("SmallSharedMemoryTest skipped: " + why);
        Assumptions.abort(why);
    }

    @AfterEach
    void unmount() throws Exception {
        if (mounted) {
            run("umount", "-l", dir.toString());
        }
    }

    /** @return null when the command succeeded, else its output */
    private static String run(String... cmd) throws Exception {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "timed out";
            }
            return p.exitValue() == 0 ? null : "exit " + p.exitValue() + ": " + out;
        } catch (IOException e) {
            return e.toString();
        }
    }

    private long usable() throws IOException {
        return Files.getFileStore(dir).getUsableSpace();
    }

    /** Fills the file system until {@code left} bytes stay free. */
    private void leaveFree(long left) throws IOException {
        long fill = usable() - left;
        assertTrue(fill > 0, "the file system has " + usable() + " bytes free");
        try (FileChannel ch = FileChannel.open(dir.resolve("filler"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ByteBuffer ones = ByteBuffer.allocate(1 << 16);
            while (ones.hasRemaining()) {
                ones.put((byte) 1);
            }
            long at = 0;
            while (at < fill) {
                ones.clear().limit((int) Math.min(ones.capacity(), fill - at));
                at += ch.write(ones, at);
            }
        }
    }

    private Hdf5DataSetIterator.Builder builder(Order order) {
        return Hdf5DataSetIterator.builder(Hdf5DataSetIteratorTest.fixture()).features("/x").labels("/y").oneHot(10)
                .batchSize(96).order(order).seed(3).workers(2).backend(Backend.PROCESSES).sharedMemoryDir(dir);
    }

    private static List<Path> crashReports(Path where) throws IOException {
        try (Stream<Path> s = Files.list(where)) {
            return s.filter(p -> p.getFileName().toString().contains("hs_err_pid")).toList();
        }
    }

    @Test
    void aFullDirectoryFailsAtBuildNamingItAndTheOption() throws IOException {
        leaveFree(48 << 10);
        // 3000 rows of 4 features and 10 one-hot classes: 168 000 bytes per slot
        SharedMemoryFullException e = assertThrows(SharedMemoryFullException.class,
                () -> builder(Order.ORDERED).batchSize(3000).build().close());
        String m = e.getMessage();
        assertTrue(m.contains(dir.toString()) && m.contains("sharedMemoryDir") && m.matches("(?s).*\\d{5,} more bytes.*"), m);
        assertEquals(dir, e.directory());
        assertTrue(e.bytesNeeded() > 48 << 10, "bytes needed: " + e.bytesNeeded());
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(dir.resolve("filler")), s.toList(), "the failed build left nothing behind");
        }
    }

    /** The default cache (the whole dataset) does not fit: it shrinks, and every row arrives once. */
    @ParameterizedTest
    @EnumSource(value = Order.class, names = {"ORDERED", "RANDOM"})
    void theCacheShrinksToWhatFits(Order order) throws IOException {
        leaveFree(200 << 10);
        List<Path> before = crashReports(Path.of("").toAbsolutePath());
        try (Hdf5DataSetIterator it = builder(order).build()) {
            ProcessBackendTest.assertExactlyOnce(ProcessBackendTest.epochIds(it));
            assertEquals(0, it.workerRestarts(), "no child died");
        }
        assertEquals(before, crashReports(Path.of("").toAbsolutePath()), "no crash report in the working directory");
        assertEquals(List.of(), crashReports(dir));
    }

    /** close() unmaps the shared memory: the space is free at once, and the next iterator fits again. */
    @Test
    void closeGivesTheSpaceBackAtOnce() throws IOException {
        leaveFree(700 << 10);
        long free = usable();
        for (int round = 0; round < 2; round++) {
            try (Hdf5DataSetIterator it = builder(Order.ORDERED).batchSize(200).cacheBytes(300 << 10).build()) {
                ProcessBackendTest.assertExactlyOnce(ProcessBackendTest.epochIds(it));
                assertTrue(usable() < free - (64 << 10), "in use while open: " + (free - usable()) + " bytes");
            }
            assertEquals(free, usable(), "round " + round + ": the space is back after close()");
        }
    }
}
