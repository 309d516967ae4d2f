package org.multitables4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Writes the damaged-chunk fixture ({@code corrupt/make_corrupt.py}, h5py) into a directory. */
public final class CorruptFixture {
    private CorruptFixture() {
    }

    /**
     * Runs the script: {@code clean.h5} and {@code corrupt.h5} appear in {@code dir}.
     *
     * @param dir where the files go
     * @return what the script prints: rows, the first damaged row, the damaged rows
     */
    public static String[] write(Path dir) throws IOException, InterruptedException {
        Path script = Path.of("src/test/resources/corrupt/make_corrupt.py").toAbsolutePath();
        Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), dir.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.waitFor(), "make_corrupt.py (needs h5py and numpy for /usr/bin/python3): " + out);
        return out.split("\\s+");
    }
}
