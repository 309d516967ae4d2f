package org.multitables4j.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.multitables4j.Hdf5DataSetIterator;
import org.multitables4j.Order;
import org.multitables4j.datasets.cli.DatasetsCli;
import org.nd4j.linalg.dataset.DataSet;
import picocli.CommandLine;

/**
 * Round trips through the writer and converters, checked against the source data the test made
 * itself, read back by jhdf, by the loader and by h5py (the HDF5 C library through Python).
 */
class DatasetsTest {
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

    @Test
    void badIdxMagicLeavesNoFile() throws IOException {
        Files.write(dir.resolve("bad"), new byte[] {0, 0, 0x0d, 3, 0, 0, 0, 1});
        writeIdx(dir.resolve("l"), 0, new int[] {1}, new byte[] {1}, false);
        DatasetsException e = assertThrows(DatasetsException.class, () -> Convert.idx(dir.resolve("bad"), dir.resolve("l"),
                null, null, dir.resolve("o.h5"), WriteOptions.DEFAULT, null, true));
        assertTrue(e.getMessage().contains("magic") && e.getMessage().contains("bad"), e.getMessage());
        assertEquals(List.of(), leftovers(dir));
        DatasetsException missing = assertThrows(DatasetsException.class, () -> Convert.idx(dir.resolve("nope"),
                dir.resolve("l"), null, null, dir.resolve("o.h5"), WriteOptions.DEFAULT, null, true));
        assertTrue(missing.getMessage().contains("No such file"), missing.getMessage());
        assertEquals(List.of(), leftovers(dir));
    }

    @Test
    void csvConvertsAndRaggedRowNamesItsLine() throws IOException {
        Path csv = dir.resolve("d.csv");
        Files.writeString(csv, "a,label,b\n1.5,3,2\n-1,0,4.25\n\n7,1,8\n");
        Path out = dir.resolve("c.h5");
        Convert.csv(csv, "label", out, WriteOptions.DEFAULT, true);
        assertArrayEquals(new double[] {1.5, 2, -1, 4.25, 7, 8}, read(out, "/x"));
        assertArrayEquals(new double[] {3, 0, 1}, read(out, "/y"));
        Files.writeString(csv, "a,label,b\n1,2,3\n4,5\n");
        DatasetsException e = assertThrows(DatasetsException.class,
                () -> Convert.csv(csv, "label", dir.resolve("r.h5"), WriteOptions.DEFAULT, true));
        assertTrue(e.getMessage().contains("line 3"), e.getMessage());
        Files.writeString(csv, "a,label\n1,2\nx,3\n");
        e = assertThrows(DatasetsException.class, () -> Convert.csv(csv, "label", dir.resolve("r.h5"), WriteOptions.DEFAULT, true));
        assertTrue(e.getMessage().contains("line 3") && e.getMessage().contains("'x'"), e.getMessage());
        assertEquals(List.of(out), leftovers(dir));
    }

    static byte[] npy(String descr, boolean fortran, String shape, ByteBuffer data) {
        String h = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': (" + shape + "), }";
        int total = 10 + h.length() + 1;
        int pad = (64 - total % 64) % 64;
        h = h + " ".repeat(pad) + "\n";
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(0x93);
        o.writeBytes("NUMPY".getBytes(StandardCharsets.US_ASCII));
        o.write(1);
        o.write(0);
        o.write(h.length() & 0xff);
        o.write(h.length() >> 8);
        o.writeBytes(h.getBytes(StandardCharsets.US_ASCII));
        o.write(data.array(), 0, data.limit());
        return o.toByteArray();
    }

    @Test
    void npyBothEndians() throws IOException {
        ByteBuffer f = ByteBuffer.allocate(6 * 2 * 3 * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 36; i++) {
            f.putFloat(i * 0.5f - 3);
        }
        f.flip();
        Files.write(dir.resolve("f.npy"), npy("<f4", false, "6, 2, 3", f));
        Convert.npy(dir.resolve("f.npy"), dir.resolve("f.h5"), "/data/x", WriteOptions.DEFAULT, true);
        assertArrayEquals(new int[] {6, 2, 3}, dims(dir.resolve("f.h5"), "/data/x"));
        double[] v = read(dir.resolve("f.h5"), "/data/x");
        for (int i = 0; i < 36; i++) {
            assertEquals(i * 0.5 - 3, v[i]);
        }
        ByteBuffer s = ByteBuffer.allocate(20 * 2).order(ByteOrder.BIG_ENDIAN);
        for (int i = 0; i < 20; i++) {
            s.putShort((short) (i * 1000 - 7000));
        }
        s.flip();
        Files.write(dir.resolve("s.npy"), npy(">i2", false, "5, 4", s));
        Convert.npy(dir.resolve("s.npy"), dir.resolve("s.h5"), "/x", WriteOptions.DEFAULT.withGzip(0), true);
        double[] w = read(dir.resolve("s.h5"), "/x");
        for (int i = 0; i < 20; i++) {
            assertEquals(i * 1000 - 7000, w[i]);
        }
        Files.write(dir.resolve("fo.npy"), npy("<f4", true, "6, 2, 3", f.rewind()));
        DatasetsException e = assertThrows(DatasetsException.class,
                () -> Convert.npy(dir.resolve("fo.npy"), dir.resolve("fo.h5"), "/x", WriteOptions.DEFAULT, true));
        assertTrue(e.getMessage().contains("Fortran"), e.getMessage());
        Files.write(dir.resolve("c.npy"), npy("<c8", false, "2,", ByteBuffer.allocate(16)));
        e = assertThrows(DatasetsException.class,
                () -> Convert.npy(dir.resolve("c.npy"), dir.resolve("c.h5"), "/x", WriteOptions.DEFAULT, true));
        assertTrue(e.getMessage().contains("Unsupported dtype"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("fo.h5")) || Files.exists(dir.resolve("c.h5")));
    }

    @Test
    void h5pyReadsWhatWeWrite() throws Exception {
        Random r = new Random(11);
        int rows = 3000;
        float[] x = new float[rows * 7];
        double sum = 0;
        double weighted = 0;
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
            sum += x[i];
            weighted += x[i] * (i % 13);
        }
        long[] y = new long[rows];
        long ysum = 0;
        for (int i = 0; i < rows; i++) {
            y[i] = r.nextInt(1000) - 500;
            ysum += y[i] * (i % 5);
        }
        Path out = dir.resolve("w.h5");
        try (H5Writer w = H5Writer.create(out)) {
            RowWriter xw = w.dataset("/x", ElementKind.FLOAT32, new long[] {7}, WriteOptions.DEFAULT.withChunkBytes(4000));
            xw.append(java.util.Arrays.copyOfRange(x, 0, 700));
            xw.append(java.util.Arrays.copyOfRange(x, 700, x.length));
            w.dataset("/g/y", ElementKind.INT64, new long[0], WriteOptions.DEFAULT.withGzip(9)).append(y);
            w.attribute("/g/y", "note", "labels");
        }
        String script = "import h5py, numpy as np\n"
                + "f = h5py.File(r'" + out + "', 'r')\n"
                + "x = f['x'][:].astype(np.float64); y = f['g/y'][:]\n"
                + "print(x.shape, x.sum(), (x.ravel() * (np.arange(x.size) % 13)).sum(), (y * (np.arange(y.size) % 5)).sum(),"
                + " f['x'].compression, f['x'].shuffle, f['x'].chunks, f['g/y'].attrs['note'].decode())\n";
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", script).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.waitFor(), output);
        String[] f = output.replace("(", "").replace(")", "").replace(",", " ").trim().split("\\s+");
        assertEquals("3000", f[0]);
        assertEquals("7", f[1]);
        assertEquals(sum, Double.parseDouble(f[2]), 1e-6 * rows);
        assertEquals(weighted, Double.parseDouble(f[3]), 1e-5 * rows);
        assertEquals(ysum, Long.parseLong(f[4]));
        assertEquals("gzip", f[5]);
        assertEquals("True", f[6]);
        assertEquals("142", f[7]);
        assertEquals("labels", f[9]);
    }

    @Test
    void generatedDataIsLearnableAndInspectDescribesIt() {
        Path out = dir.resolve("g.h5");
        Generate.write(Generate.Kind.CLUSTERS, 1000, 200, 8, 3, 5, out, WriteOptions.DEFAULT, true);
        assertArrayEquals(new int[] {1000, 8}, dims(out, "/train/x"));
        assertArrayEquals(new int[] {200}, dims(out, "/test/y"));
        // nearest centre recovers the class for most rows: the structure is there
        double[] x = read(out, "/train/x");
        double[] y = read(out, "/train/y");
        float[][] c = Generate.centres(3, 8, 5);
        int right = 0;
        for (int i = 0; i < 1000; i++) {
            int best = -1;
            double bd = Double.MAX_VALUE;
            for (int k = 0; k < 3; k++) {
                double d = 0;
                for (int j = 0; j < 8; j++) {
                    d += Math.pow(x[i * 8 + j] - c[k][j], 2);
                }
                if (d < bd) {
                    bd = d;
                    best = k;
                }
            }
            right += best == (int) y[i] ? 1 : 0;
        }
        assertTrue(right > 900, right + " of 1000");
        String s = Inspect.describe(out);
        assertTrue(s.contains("x  shape [1000, 8]  float32  chunked  chunks [") && s.contains("filters shuffle+deflate"), s);
        assertTrue(s.contains("y  shape [200]  int64"), s);
    }

    @Test
    void cliReportsErrorsInOneLine() throws IOException {
        Path csv = dir.resolve("r.csv");
        Files.writeString(csv, "a,b\n1,2\n3\n");
        StringWriter err = new StringWriter();
        CommandLine cl = DatasetsCli.commandLine();
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("convert", "csv", csv.toString(), "--label", "b", "-o", dir.resolve("o.h5").toString(), "-q");
        assertEquals(1, code);
        assertTrue(err.toString().startsWith("error: ") && err.toString().contains("line 3"), err.toString());
        assertFalse(err.toString().contains("\tat "), "no stack trace without --verbose");
        assertFalse(Files.exists(dir.resolve("o.h5")));
        Files.writeString(csv, "a,b\n1,2\n3,4\n");
        assertEquals(0, cl.execute("convert", "csv", csv.toString(), "--label", "b", "-o", dir.resolve("o.h5").toString(), "-q"));
        assertArrayEquals(new double[] {1, 3}, read(dir.resolve("o.h5"), "/x"));
    }
}
