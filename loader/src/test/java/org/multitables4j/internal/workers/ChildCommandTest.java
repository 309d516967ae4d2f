package org.multitables4j.internal.workers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A child's crash report goes next to the shared memory, never into the user's working directory. */
class ChildCommandTest {
    @TempDir
    Path tmp;

    @Test
    void crashReportsGoToTheSharedMemoryDirectoryUnlessTheOptionsSayOtherwise() {
        try (SharedArena arena = SharedArena.create(tmp, 1 << 20)) {
            Path dir = arena.path().toAbsolutePath().getParent();
            try (ChildPool pool = new ChildPool(tmp.resolve("f.h5").toString(), arena, List.of("-Xss2m"), 1)) {
                List<String> cmd = pool.command(tmp.resolve("x.sock"));
                String errorFile = "-XX:ErrorFile=" + dir.resolve("multitables4j-hs_err_pid%p.log");
                assertTrue(cmd.contains(errorFile), cmd.toString());
                assertTrue(cmd.indexOf(errorFile) < cmd.indexOf("-Xss2m"), "before the user's options: " + cmd);
            }
            try (ChildPool pool = new ChildPool(tmp.resolve("f.h5").toString(), arena, List.of("-XX:ErrorFile=/var/tmp/mine.log"), 1)) {
                List<String> cmd = pool.command(tmp.resolve("x.sock"));
                assertEquals(1, cmd.stream().filter(o -> o.startsWith("-XX:ErrorFile=")).count(), cmd.toString());
                assertTrue(cmd.contains("-XX:ErrorFile=/var/tmp/mine.log"));
            }
        }
    }
}
