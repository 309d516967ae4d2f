package org.multitables4j.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Array;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.multitables4j.Hdf5DataSetIterator;
import org.multitables4j.Order;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Round trips through the writer and converters, checked against the source data the test made
 * itself, read back by jhdf, by the multitables4j loader and by h5py (the HDF5 C library).
 */
class LoaderRoundTripTest {
    @TempDir
    Path dir;

    /** Flattens any jhdf result array (nested primitive arrays) to doubles. */
    static double[] flat(Object data) {
        List<Double> out = new ArrayList<>();
        flatten(data, out);
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static void flatten(Object a, List<Double> out) {
        if (a.getClass().isArray() && a.getClass().getComponentType().isArray()) {
            for (int i = 0; i < Array.getLength(a); i++) {
                flatten(Array.get(a, i), out);
            }
        } else if (a.getClass().isArray()) {
            for (int i = 0; i < Array.getLength(a); i++) {
                out.add(((Number) Array.get(a, i)).doubleValue());
            }
        } else {
            out.add(((Number) a).doubleValue());
        }
    }

    static double[] read(Path file, String path) {
        try (HdfFile f = new HdfFile(file)) {
            return flat(((Dataset) f.getByPath(path)).getData());
        }
    }

    static int[] dims(Path file, String path) {
        try (HdfFile f = new HdfFile(file)) {
            return ((Dataset) f.getByPath(path)).getDimensions();
        }
    }

    static void writeIdx(Path p, int magicType, int[] dims, byte[] data, boolean gz) throws IOException {
        try (OutputStream raw = Files.newOutputStream(p);
             OutputStream o = gz ? new GZIPOutputStream(raw) : raw;
             DataOutputStream d = new DataOutputStream(o)) {
            d.writeInt(0x0800 | dims.length | magicType);
            for (int x : dims) {
                d.writeInt(x);
            }
            d.write(data);
        }
    }

    static List<Path> leftovers(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".h5") || p.toString().endsWith(".partial")).toList();
        }
    }

    @Test
    void idxRoundTripGzAndPlain() throws IOException {
        Random r = new Random(3);
        byte[] img = new byte[50 * 4 * 5];
        r.nextBytes(img);
        byte[] lab = new byte[50];
        for (int i = 0; i < 50; i++) {
            lab[i] = (byte) r.nextInt(10);
        }
        byte[] timg = new byte[7 * 4 * 5];
        r.nextBytes(timg);
        byte[] tlab = {1, 2, 3, 4, 5, 6, 7};
        writeIdx(dir.resolve("ti.gz"), 0, new int[] {50, 4, 5}, img, true);
        writeIdx(dir.resolve("tl"), 0, new int[] {50}, lab, false);
        writeIdx(dir.resolve("vi"), 0, new int[] {7, 4, 5}, timg, false);
        writeIdx(dir.resolve("vl.gz"), 0, new int[] {7}, tlab, true);
        Path out = dir.resolve("idx.h5");
        Convert.idx(dir.resolve("ti.gz"), dir.resolve("tl"), dir.resolve("vi"), dir.resolve("vl.gz"), out,
                WriteOptions.DEFAULT.withChunkBytes(100), null, true);
        assertArrayEquals(new int[] {50, 4, 5}, dims(out, "/train/x"));
        double[] x = read(out, "/train/x");
        for (int i = 0; i < img.length; i++) {
            assertEquals(img[i] & 0xff, x[i], "pixel " + i);
        }
        double[] y = read(out, "/train/y");
        for (int i = 0; i < 50; i++) {
            assertEquals(lab[i], y[i]);
        }
        double[] tx = read(out, "/test/x");
        for (int i = 0; i < timg.length; i++) {
            assertEquals(timg[i] & 0xff, tx[i]);
        }
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6, 7}, read(out, "/test/y"));
        // the loader reads the same values, in its stored type
        try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(out).features("/train/x").labels("/train/y")
                .storedDataType().order(Order.ORDERED).batchSize(50).workers(2).build()) {
            DataSet ds = it.next();
            for (int i = 0; i < 50; i++) {
                for (int k = 0; k < 20; k++) {
                    assertEquals(img[i * 20 + k] & 0xff, ds.getFeatures().getInt(i, k / 5, k % 5));
                }
                assertEquals(lab[i], ds.getLabels().getLong(i, 0));
            }
        }
    }

    /**
     * Both sequence layouts read by the loader as plain rows: ragged x and per-step y row for row,
     * padded x [n, T, F] with y [n, T]; compared with jhdf.
     */
    @Test
    void sequenceFilesReadByTheLoader() {
        Path ragged = dir.resolve("r.h5");
        Generate.sequences(300, 0, 2, 9, 3, 5, true, SequenceLayout.RAGGED, ragged,
                WriteOptions.builder().chunkRows(64).build(), true);
        double[] x = read(ragged, "/x");
        double[] y = read(ragged, "/y");
        int steps = (int) Arrays.stream(read(ragged, "/lengths")).sum();
        assertEquals(steps * 3, x.length);
        try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(ragged).features("/x").labels("/y")
                .storedDataType().order(Order.ORDERED).batchSize(steps).build()) {
            DataSet ds = it.next();
            assertArrayEquals(x, ds.getFeatures().castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).data().asDouble());
            assertArrayEquals(y, ds.getLabels().castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).data().asDouble());
        }
        Path padded = dir.resolve("p.h5");
        Generate.sequences(40, 0, 2, 9, 3, 5, true, SequenceLayout.PADDED, padded, WriteOptions.DEFAULT, true);
        assertArrayEquals(new int[] {40, 9, 3}, dims(padded, "/x"));
        try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(padded).features("/x").labels("/y")
                .storedDataType().order(Order.ORDERED).batchSize(40).build()) {
            DataSet ds = it.next();
            assertArrayEquals(read(padded, "/x"), ds.getFeatures().castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE)
                    .data().asDouble());
            assertArrayEquals(read(padded, "/y"), ds.getLabels().castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE)
                    .data().asDouble());
        }
    }
}
