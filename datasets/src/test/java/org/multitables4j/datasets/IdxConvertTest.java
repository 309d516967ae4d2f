package org.multitables4j.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** IDX (MNIST format) conversion on files the test writes itself, and on Debian's Fashion-MNIST. */
class IdxConvertTest {
    @TempDir
    Path dir;

    static void writeIdx(Path p, int magic, int[] dims, byte[] data, boolean gz) throws IOException {
        try (OutputStream raw = Files.newOutputStream(p);
             OutputStream o = gz ? new GZIPOutputStream(raw) : raw;
             DataOutputStream d = new DataOutputStream(o)) {
            d.writeInt(magic);
            for (int x : dims) {
                d.writeInt(x);
            }
            d.write(data);
        }
    }

    static void writeUbyte(Path p, int[] dims, byte[] data, boolean gz) throws IOException {
        writeIdx(p, 0x0800 | dims.length, dims, data, gz);
    }

    @Test
    void gzipAndPlainFilesRoundTrip() throws Exception {
        Random r = new Random(3);
        byte[] img = new byte[50 * 4 * 5];
        r.nextBytes(img);
        byte[] lab = new byte[50];
        for (int i = 0; i < 50; i++) {
            lab[i] = (byte) (i == 7 ? 255 : r.nextInt(10));
        }
        byte[] timg = new byte[7 * 4 * 5];
        r.nextBytes(timg);
        byte[] tlab = {1, 2, 3, 4, 5, 6, 7};
        writeUbyte(dir.resolve("train-images.gz"), new int[] {50, 4, 5}, img, true);
        writeUbyte(dir.resolve("train-labels"), new int[] {50}, lab, false);
        writeUbyte(dir.resolve("test-images"), new int[] {7, 4, 5}, timg, false);
        writeUbyte(dir.resolve("test-labels.idx"), new int[] {7}, tlab, true);
        Path out = dir.resolve("idx.h5");
        Convert.idx(dir.resolve("train-images.gz"), dir.resolve("train-labels"), dir.resolve("test-images"),
                dir.resolve("test-labels.idx"), out, WriteOptions.DEFAULT.withChunkBytes(100), List.of("a", "b"), true);

        assertArrayEquals(new long[] {50, 4, 5}, TestSupport.dims(out, "/train/x"));
        assertArrayEquals(new long[] {50}, TestSupport.dims(out, "/train/y"));
        double[] x = TestSupport.doubles(out, "/train/x");
        for (int i = 0; i < img.length; i++) {
            assertEquals(img[i] & 0xff, x[i], "pixel " + i);
        }
        long[] y = TestSupport.longs(out, "/train/y");
        for (int i = 0; i < 50; i++) {
            assertEquals(lab[i] & 0xff, y[i]);
        }
        double[] tx = TestSupport.doubles(out, "/test/x");
        for (int i = 0; i < timg.length; i++) {
            assertEquals(timg[i] & 0xff, tx[i]);
        }
        assertArrayEquals(new long[] {1, 2, 3, 4, 5, 6, 7}, TestSupport.longs(out, "/test/y"));
        assertArrayEquals(new String[] {"a", "b"}, (String[]) TestSupport.attribute(out, "/", "class_names"));
        assertEquals(H5Writer.CREATED_BY, TestSupport.attribute(out, "/", "created_by"));

        // h5py against the IDX files, parsed in Python
        String script = String.join("\n",
                "import sys, gzip, h5py, numpy as np",
                "def idx(p):",
                "    b = open(p, 'rb').read()",
                "    b = gzip.decompress(b) if b[:2] == b'\\x1f\\x8b' else b",
                "    nd = b[3]; dims = np.frombuffer(b[4:4 + 4 * nd], '>u4')",
                "    return np.frombuffer(b[4 + 4 * nd:], np.uint8).reshape(dims)",
                "f = h5py.File(sys.argv[1], 'r'); d = sys.argv[2]",
                "ok = [np.array_equal(f['train/x'][:], idx(d + '/train-images.gz')), f['train/x'].dtype == np.uint8,",
                "      np.array_equal(f['train/y'][:], idx(d + '/train-labels').astype(np.int64)), f['train/y'].dtype == np.int64,",
                "      np.array_equal(f['test/x'][:], idx(d + '/test-images')), np.array_equal(f['test/y'][:], idx(d + '/test-labels.idx'))]",
                "print(ok)");
        assertEquals("[True, True, True, True, True, True]", TestSupport.python(script, out.toString(), dir.toString()));
    }

    @Test
    void otherIdxElementTypesAreSwappedToLittleEndian() throws IOException {
        // int16 images (type 0x0B), int32 labels (0x0C): big endian in the file
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(6 * 2);
        short[] v = {-32768, -1, 0, 1, 258, 32767};
        for (short s : v) {
            b.putShort(s);
        }
        writeIdx(dir.resolve("i16"), 0x0B02, new int[] {3, 2}, b.array(), false);
        java.nio.ByteBuffer l = java.nio.ByteBuffer.allocate(3 * 4).putInt(-5).putInt(70000).putInt(0);
        writeIdx(dir.resolve("l32"), 0x0C01, new int[] {3}, l.array(), true);
        Path out = dir.resolve("typed.h5");
        Convert.idx(dir.resolve("i16"), dir.resolve("l32"), null, null, out, WriteOptions.DEFAULT, null, true);
        assertArrayEquals(new double[] {-32768, -1, 0, 1, 258, 32767}, TestSupport.doubles(out, "/train/x"));
        assertArrayEquals(new long[] {-5, 70000, 0}, TestSupport.longs(out, "/train/y"));
    }

    @Test
    void badMagicTruncatedAndMismatchedInputsFailWithoutOutput() throws IOException {
        Path out = dir.resolve("o.h5");
        Files.writeString(out, "keep me");
        writeUbyte(dir.resolve("labels"), new int[] {2}, new byte[] {1, 2}, false);

        Files.write(dir.resolve("bad-type"), new byte[] {0, 0, 0x0a, 3, 0, 0, 0, 1});
        Files.write(dir.resolve("bad-zero"), new byte[] {0x12, 0x34, 0x08, 1, 0, 0, 0, 1, 0});
        Files.write(dir.resolve("png.gz"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
        for (String bad : List.of("bad-type", "bad-zero", "png.gz")) {
            DatasetsException e = assertThrows(DatasetsException.class, () -> Convert.idx(dir.resolve(bad),
                    dir.resolve("labels"), null, null, out, WriteOptions.DEFAULT, null, true));
            assertTrue(e.getMessage().contains("magic number") && e.getMessage().contains(bad), e.getMessage());
        }
        // gzip magic but broken stream
        Files.write(dir.resolve("broken.gz"), new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3});
        assertThrows(DatasetsException.class, () -> Convert.idx(dir.resolve("broken.gz"), dir.resolve("labels"), null,
                null, out, WriteOptions.DEFAULT, null, true));

        DatasetsException missing = assertThrows(DatasetsException.class, () -> Convert.idx(dir.resolve("nope"),
                dir.resolve("labels"), null, null, out, WriteOptions.DEFAULT, null, true));
        assertTrue(missing.getMessage().startsWith("No such file") && missing.getMessage().contains("nope"),
                missing.getMessage());

        // header announces 50 rows, 10 are there: plain (size check) and gzip (end of stream)
        writeUbyte(dir.resolve("short"), new int[] {50, 2}, new byte[20], false);
        writeUbyte(dir.resolve("short.gz"), new int[] {50, 2}, new byte[20], true);
        writeUbyte(dir.resolve("labels50"), new int[] {50}, new byte[50], false);
        for (String s : List.of("short", "short.gz")) {
            DatasetsException e = assertThrows(DatasetsException.class, () -> Convert.idx(dir.resolve(s),
                    dir.resolve("labels50"), null, null, out, WriteOptions.DEFAULT, null, true));
            assertTrue(e.getMessage().contains("Malformed IDX file") && e.getMessage().contains(s), e.getMessage());
        }

        // 3 images, 2 labels
        writeUbyte(dir.resolve("images3"), new int[] {3, 2}, new byte[6], false);
        DatasetsException counts = assertThrows(DatasetsException.class, () -> Convert.idx(dir.resolve("images3"),
                dir.resolve("labels"), null, null, out, WriteOptions.DEFAULT, null, true));
        assertTrue(counts.getMessage().contains("3 rows") && counts.getMessage().contains("holds 2"), counts.getMessage());

        assertEquals("keep me", Files.readString(out));
        assertEquals(List.of("o.h5"), TestSupport.outputs(dir));
    }

    /** The real data set, compared value by value with the IDX files parsed here. */
    @Test
    void fashionMnistFromDebian() throws IOException {
        Path src = Convert.FASHION_MNIST_DIR;
        assumeTrue(Files.exists(src.resolve("train-images-idx3-ubyte.gz")), "dataset-fashion-mnist is not installed");
        Path out = dir.resolve("fashion.h5");
        Convert.fashionMnist(src, out, WriteOptions.DEFAULT, true);
        for (String[] s : new String[][] {{"train", "train"}, {"test", "t10k"}}) {
            byte[][] images = readIdx(src.resolve(s[1] + "-images-idx3-ubyte.gz"));
            byte[][] labels = readIdx(src.resolve(s[1] + "-labels-idx1-ubyte.gz"));
            int n = s[0].equals("train") ? 60000 : 10000;
            assertArrayEquals(new long[] {n, 28, 28}, TestSupport.dims(out, "/" + s[0] + "/x"));
            double[] x = TestSupport.doubles(out, "/" + s[0] + "/x");
            byte[] want = images[1];
            for (int i = 0; i < want.length; i++) {
                if ((want[i] & 0xff) != x[i]) {
                    assertEquals(want[i] & 0xff, x[i], s[0] + " pixel " + i);
                }
            }
            long[] y = TestSupport.longs(out, "/" + s[0] + "/y");
            for (int i = 0; i < n; i++) {
                assertEquals(labels[1][i] & 0xff, y[i]);
            }
        }
        assertArrayEquals(Convert.FASHION_MNIST_CLASSES.toArray(new String[0]),
                (String[]) TestSupport.attribute(out, "/", "class_names"));
        assertTrue(((String) TestSupport.attribute(out, "/", "source")).contains("Fashion-MNIST"));
    }

    /** A minimal IDX parser for the test: {dims as bytes (unused), data}. */
    private static byte[][] readIdx(Path p) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(p));
             DataInputStream d = new DataInputStream(in)) {
            int magic = d.readInt();
            int nd = magic & 0xff;
            long n = 1;
            for (int i = 0; i < nd; i++) {
                n *= d.readInt();
            }
            byte[] data = new byte[(int) n];
            d.readFully(data);
            return new byte[][] {new byte[0], data};
        }
    }
}
