package org.multitables4j.internal.workers;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Both ways of reserving pages allocate them, and fail with an exception on a full tmpfs. */
class ShmReserveTest {
    @TempDir
    Path tmp;

    private static boolean run(String... cmd) throws Exception {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void nativeAndZerosReserveAndFailWhenFull() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("tmpfs"));
        if (!run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", dir.toString())) {
            System.out.println("ShmReserveTest skipped: cannot mount a tmpfs");
            Assumptions.abort("cannot mount a tmpfs");
        }
        try {
            Path f = dir.resolve("arena");
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE)) {
                long free0 = Files.getFileStore(dir).getUsableSpace();
                ShmReserve.writeZeros(ch, 0, 256 << 10);
                long free1 = Files.getFileStore(dir).getUsableSpace();
                assertTrue(free0 - free1 >= 256 << 10, "zeros allocated the pages: " + (free0 - free1));
                IOException full = assertThrows(IOException.class, () -> ShmReserve.writeZeros(ch, 1 << 20, 2 << 20));
                assertTrue(String.valueOf(full.getMessage()).contains("No space left"), full.toString());
                ch.truncate(0);
                if (ShmReserve.isNative()) {
                    long free2 = Files.getFileStore(dir).getUsableSpace();
                    ShmReserve.reserve(f, ch, 0, 256 << 10);
                    long free3 = Files.getFileStore(dir).getUsableSpace();
                    assertTrue(free2 - free3 >= 256 << 10, "posix_fallocate allocated the pages: " + (free2 - free3));
                    IOException nat = assertThrows(IOException.class, () -> ShmReserve.reserve(f, ch, 1 << 20, 2 << 20));
                    assertTrue(nat.getMessage().contains("No space left"), nat.toString());
                } else {
                    System.out.println("ShmReserveTest: the JNI library is not built here; only the fallback was tested");
                }
            }
        } finally {
            run("umount", "-l", dir.toString());
        }
    }
}
