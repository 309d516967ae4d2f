package org.multitables4j.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.multitables4j.Hdf5DataSetIterator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * The fixture of the remote tests, {@code remote/remote.h5} written by h5py (make_remote.py
 * beside it): x[r, k] = ((r*31 + k*7) % 200 - 100) / 4 (float32 [3000, 8], gzip 4 + shuffle,
 * 64-row chunks), y[r] = r; and h5py's count of chunks and stored bytes (remote.json).
 */
final class RemoteFixture {
    static final int ROWS = 3000;
    static final int COLS = 8;

    private RemoteFixture() {
    }

    static Path file() {
        try {
            return Path.of(RemoteFixture.class.getResource("/remote/remote.h5").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return h5py's [chunks, stored bytes] of a dataset */
    static long[] chunkInfo(String dataset) throws IOException {
        String json = Files.readString(file().resolveSibling("remote.json"));
        Matcher m = Pattern.compile("\"" + Pattern.quote(dataset) + "\": \\{\\s*\"chunks\": (\\d+),\\s*\"storedBytes\": (\\d+)")
                .matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no " + dataset + " in remote.json");
        }
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))};
    }

    static double x(long r, long k) {
        return ((r * 31 + k * 7) % 200 - 100) / 4.0;
    }

    /** Checks rows of x against the formula. */
    static void checkRows(INDArray a, long[] rows) {
        assertEquals(rows.length, a.size(0));
        for (int i = 0; i < rows.length; i++) {
            for (int k = 0; k < COLS; k++) {
                assertEquals(x(rows[i], k), a.getDouble(i, k), "row " + rows[i] + " element " + k);
            }
        }
    }

    /** Row ids (the labels) of every batch of one epoch; every row's features checked. */
    static List<Integer> epochIds(Hdf5DataSetIterator it) {
        List<Integer> ids = new ArrayList<>();
        while (it.hasNext()) {
            DataSet ds = it.next();
            INDArray f = ds.getFeatures();
            INDArray y = ds.getLabels();
            for (int i = 0; i < f.size(0); i++) {
                int r = (int) y.getDouble((long) i);
                for (int k = 0; k < COLS; k++) {
                    assertEquals(x(r, k), f.getDouble(i, k), "row " + r + " element " + k);
                }
                ids.add(r);
            }
        }
        return ids;
    }

    static void assertEachRowOnce(List<Integer> ids) {
        assertEquals(ROWS, ids.size());
        boolean[] seen = new boolean[ROWS];
        for (int r : ids) {
            assertEquals(false, seen[r], "row " + r + " twice");
            seen[r] = true;
        }
    }
}
