package org.multitables4j.internal.workers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.multitables4j.FileChangedException;

/** How a child finds the parent's file: its open descriptor, else the unchanged path, else a typed error. */
class FileIdentityTest {
    @TempDir
    Path tmp;

    private static long deadPid() {
        return ProcessHandle.allProcesses().mapToLong(ProcessHandle::pid).max().orElse(1) + 1000;
    }

    private static void replace(Path target, byte[] content) throws IOException {
        Path next = target.resolveSibling("next");
        Files.write(next, content);
        Files.move(next, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void theParentsDescriptorIsFoundAfterARenameReplace() throws IOException {
        Path f = tmp.resolve("a.bin");
        byte[] original = {1, 2, 3, 4, 5};
        Files.write(f, original);
        FileIdentity id = FileIdentity.of(f);
        try (FileChannel open = FileChannel.open(f, StandardOpenOption.READ)) {
            replace(f, new byte[] {9, 9, 9});
            assertNotEquals(id, FileIdentity.of(f));
            Path at = id.locate(f, ProcessHandle.current().pid());
            assertTrue(at.startsWith("/proc"), at.toString());
            assertArrayEquals(original, Files.readAllBytes(at), "the bytes of the file opened before the rename");
        }
    }

    @Test
    void withoutTheDescriptorTheUnchangedPathOrATypedError() throws IOException {
        Path f = tmp.resolve("b.bin");
        Files.write(f, new byte[] {1, 2, 3});
        FileIdentity id = FileIdentity.of(f);
        assertEquals(f, id.locate(f, deadPid()), "unchanged: the path itself");
        replace(f, new byte[] {4, 5, 6, 7});
        FileChangedException e = assertThrows(FileChangedException.class, () -> id.locate(f, deadPid()));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("changed"), e.getMessage());
        Files.delete(f);
        FileChangedException gone = assertThrows(FileChangedException.class, () -> id.locate(f, deadPid()));
        assertTrue(gone.getMessage().contains("deleted"), gone.getMessage());
    }
}
