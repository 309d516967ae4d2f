package org.multitables4j.internal.hdf5;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The h5py-written fixtures under {@code src/test/resources/fixtures} (see make_fixtures.py there)
 * and their value formula, computed here independently of the reader.
 */
public final class Fixtures {
    private Fixtures() {
    }

    /** @return the path of a file in the fixtures resource folder */
    public static Path resource(String name) {
        try {
            return Path.of(Fixtures.class.getResource("/fixtures/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing test resource /fixtures/" + name, e);
        }
    }

    /** The base value b = (r*31 + k*7) % 200 of row r, flat element k. */
    static long base(long r, long k) {
        return (r * 31 + k * 7) % 200;
    }

    /**
     * The value formula.
     *
     * @param kind 'f' float, 'i' signed, 'u' unsigned, 'b' boolean
     * @return the value of row r, flat element k, as a double
     */
    static double expected(char kind, long r, long k) {
        long b = base(r, k);
        switch (kind) {
            case 'f':
                return (b - 100) / 4.0;
            case 'i':
                return b - 100;
            case 'u':
                return b;
            case 'b':
                return (r + k) % 3 == 0 ? 1 : 0;
            default:
                throw new IllegalArgumentException("kind " + kind);
        }
    }

    /** One chunk of chunks.json: its logical offset, file address and stored size. */
    public record ChunkInfo(long[] offset, long address, int size) {
    }

    private static final Pattern DATASET = Pattern.compile("^\\s*\"(/[^\"]+)\": \\[\\s*$");
    private static final Pattern FILE = Pattern.compile("^\\s*\"([^\"/]+)\": \\{\\s*$");
    private static final Pattern CHUNK = Pattern.compile(
            "\\{\"offset\": \\[([0-9, ]+)\\], \"address\": (\\d+), \"size\": (\\d+)\\}");

    /**
     * Reads chunks.json (written by make_fixtures.py, one chunk per line).
     *
     * @return file name -> dataset path -> chunks
     */
    public static Map<String, Map<String, List<ChunkInfo>>> chunkTable() {
        Map<String, Map<String, List<ChunkInfo>>> out = new LinkedHashMap<>();
        Map<String, List<ChunkInfo>> file = null;
        List<ChunkInfo> chunks = null;
        try {
            for (String line : Files.readAllLines(resource("chunks.json"))) {
                Matcher m;
                if ((m = FILE.matcher(line)).matches()) {
                    file = new LinkedHashMap<>();
                    out.put(m.group(1), file);
                } else if ((m = DATASET.matcher(line)).matches()) {
                    chunks = new ArrayList<>();
                    file.put(m.group(1), chunks);
                } else if ((m = CHUNK.matcher(line)).find()) {
                    String[] parts = m.group(1).split(",\\s*");
                    long[] off = new long[parts.length];
                    for (int i = 0; i < parts.length; i++) {
                        off[i] = Long.parseLong(parts[i].trim());
                    }
                    chunks.add(new ChunkInfo(off, Long.parseLong(m.group(2)), Integer.parseInt(m.group(3))));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (out.isEmpty()) {
            throw new IllegalStateException("chunks.json holds no chunks");
        }
        return out;
    }
}
