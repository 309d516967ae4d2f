package org.multitables4j.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.dataset.ChunkedDataset;
import java.io.IOException;
import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The streaming writer, read back with jhdf and h5py and compared with the source values. */
class WriterTest {
    @TempDir
    Path dir;

    /** Value {@code i} of the test pattern for a type, as the number the file must hold. */
    static double expected(ElementKind k, int i) {
        long v = (long) i * 2654435761L ^ (i * 31L);
        switch (k) {
            case INT8: return (byte) v;
            case UINT8: return v & 0xff;
            case INT16: return (short) v;
            case UINT16: return v & 0xffff;
            case INT32: return (int) v;
            case UINT32: return v & 0xffffffffL;
            case INT64: return (double) (v * 1_000_003L);
            case FLOAT32: return i % 17 == 0 ? Float.NaN : i % 19 == 0 ? Float.NEGATIVE_INFINITY : (float) ((int) v * 1e-3);
            default: return i % 17 == 0 ? Double.NaN : (int) v * 1e-7;
        }
    }

    /** Rows {@code [from, to)} as little-endian bytes, built without the writer. */
    static ByteBuffer bytes(ElementKind k, int rowElems, int from, int to) {
        ByteBuffer b = ByteBuffer.allocate((to - from) * rowElems * k.size()).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = from * rowElems; i < to * rowElems; i++) {
            double v = expected(k, i);
            switch (k) {
                case INT8: case UINT8: b.put((byte) (long) v); break;
                case INT16: case UINT16: b.putShort((short) (long) v); break;
                case INT32: case UINT32: b.putInt((int) (long) v); break;
                case INT64: b.putLong((long) (double) v); break;
                case FLOAT32: b.putFloat((float) v); break;
                default: b.putDouble(v); break;
            }
        }
        return b.flip();
    }

    /** The same rows as a Java array of the type's append method. */
    static void appendTyped(RowWriter w, ElementKind k, int rowElems, int from, int to) {
        int n = (to - from) * rowElems;
        int base = from * rowElems;
        switch (k) {
            case INT8: case UINT8: {
                byte[] a = new byte[n];
                for (int i = 0; i < n; i++) {
                    a[i] = (byte) (long) expected(k, base + i);
                }
                w.append(a);
                break;
            }
            case INT16: case UINT16: {
                short[] a = new short[n];
                for (int i = 0; i < n; i++) {
                    a[i] = (short) (long) expected(k, base + i);
                }
                w.append(a);
                break;
            }
            case INT32: case UINT32: {
                int[] a = new int[n];
                for (int i = 0; i < n; i++) {
                    a[i] = (int) (long) expected(k, base + i);
                }
                w.append(a);
                break;
            }
            case INT64: {
                long[] a = new long[n];
                for (int i = 0; i < n; i++) {
                    a[i] = (long) expected(k, base + i);
                }
                w.append(a);
                break;
            }
            case FLOAT32: {
                float[] a = new float[n];
                for (int i = 0; i < n; i++) {
                    a[i] = (float) expected(k, base + i);
                }
                w.append(a);
                break;
            }
            default: {
                double[] a = new double[n];
                for (int i = 0; i < n; i++) {
                    a[i] = expected(k, base + i);
                }
                w.append(a);
                break;
            }
        }
    }

    @ParameterizedTest
    @EnumSource(ElementKind.class)
    void everyTypeRoundTripsAcrossChunkBoundaries(ElementKind k) throws IOException {
        WriteOptions[] variants = {
            WriteOptions.builder().chunkRows(7).gzip(0).threads(1).build(),
            WriteOptions.builder().chunkRows(7).gzip(1).shuffle(false).threads(2).build(),
            WriteOptions.builder().chunkRows(7).gzip(6).shuffle(true).threads(3).build(),
        };
        int rowElems = 6;
        int[] cuts = {0, 1, 6, 7, 20, 21, 33};
        for (int v = 0; v < variants.length; v++) {
            Path out = dir.resolve(k + "-" + v + ".h5");
            try (H5Writer w = H5Writer.create(out)) {
                RowWriter x = w.dataset("/g/x", k, new long[] {3, 2}, variants[v]);
                for (int c = 0; c + 1 < cuts.length; c++) {
                    if (c % 2 == 0) {
                        x.append(bytes(k, rowElems, cuts[c], cuts[c + 1]));
                    } else {
                        appendTyped(x, k, rowElems, cuts[c], cuts[c + 1]);
                    }
                }
                assertEquals(33, x.rows());
                assertEquals(7, x.chunkRows());
            }
            assertArrayEquals(new long[] {33, 3, 2}, TestSupport.dims(out, "/g/x"));
            double[] got = TestSupport.doubles(out, "/g/x");
            assertEquals(33 * rowElems, got.length);
            for (int i = 0; i < got.length; i++) {
                assertEquals(expected(k, i), got[i], k + " variant " + v + " value " + i);
            }
            if (k == ElementKind.INT64) {
                long[] l = TestSupport.longs(out, "/g/x");
                for (int i = 0; i < l.length; i++) {
                    assertEquals((long) expected(k, i), l[i]);
                }
            }
            String prefix = k + "-" + v;
            assertEquals(List.of(prefix + ".h5"), TestSupport.outputs(dir).stream()
                    .filter(n -> n.contains(prefix)).toList());
        }
    }

    @Test
    void chunkRowsArePowersOfTwoThatFitTheTarget() throws IOException {
        assertEquals(1024, WriteOptions.DEFAULT.chunkRows(784));
        assertEquals(1024, WriteOptions.DEFAULT.chunkRows(1024));
        assertEquals(131072, WriteOptions.DEFAULT.chunkRows(8));
        assertEquals(512, WriteOptions.DEFAULT.chunkRows(1025));
        assertEquals(1, WriteOptions.DEFAULT.chunkRows(3 << 20));
        assertEquals(64, WriteOptions.DEFAULT.withChunkBytes(4000).chunkRows(48));
        assertEquals(100, WriteOptions.builder().chunkRows(100).build().chunkRows(48));
        assertThrows(IllegalArgumentException.class, () -> WriteOptions.builder().gzip(10).build());
        assertThrows(IllegalArgumentException.class, () -> WriteOptions.builder().chunkBytes(0).build());
        assertThrows(IllegalArgumentException.class, () -> WriteOptions.builder().threads(0).build());

        Path out = dir.resolve("chunks.h5");
        try (H5Writer w = H5Writer.create(out)) {
            w.dataset("/img", ElementKind.UINT8, new long[] {28, 28}, WriteOptions.DEFAULT).append(new byte[784 * 3]);
            w.dataset("/lab", ElementKind.INT64, new long[0], WriteOptions.DEFAULT).append(new long[3]);
            w.dataset("/big", ElementKind.FLOAT32, new long[] {300_000}, WriteOptions.DEFAULT).append(new float[300_000]);
        }
        try (HdfFile f = new HdfFile(out)) {
            assertArrayEquals(new int[] {1024, 28, 28}, ((ChunkedDataset) f.getDatasetByPath("/img")).getChunkDimensions());
            assertArrayEquals(new int[] {131072}, ((ChunkedDataset) f.getDatasetByPath("/lab")).getChunkDimensions());
            assertArrayEquals(new int[] {1, 300_000}, ((ChunkedDataset) f.getDatasetByPath("/big")).getChunkDimensions());
            Dataset img = f.getDatasetByPath("/img");
            assertEquals(-1, img.getMaxSize()[0], "rows unlimited");
            assertEquals(28, img.getMaxSize()[1]);
            assertEquals(List.of("deflate"), img.getFilters().stream().map(x -> x.getName()).toList(),
                    "no shuffle for one-byte elements");
            assertEquals(List.of("shuffle", "deflate"),
                    f.getDatasetByPath("/lab").getFilters().stream().map(x -> x.getName()).toList());
        }
    }

    @Test
    void attributesOfEveryKind() {
        Path out = dir.resolve("attrs.h5");
        try (H5Writer w = H5Writer.create(out)) {
            w.dataset("/train/x", ElementKind.FLOAT32, new long[] {2}, WriteOptions.DEFAULT).append(new float[] {1, 2});
            w.attribute("/", "source", "unit test ✓");
            w.attribute("/", "source", "replaced ✓");
            w.attribute("/", "class_names", List.of("T-shirt/top", "Ankle boot", ""));
            w.attribute("/train", "rows", 1L);
            w.attribute("/train/x", "scale", 0.25);
            w.group("/meta/deep");
            w.attribute("/meta/deep", "empty", "");
        }
        assertEquals("replaced ✓", TestSupport.attribute(out, "/", "source"));
        assertArrayEquals(new String[] {"T-shirt/top", "Ankle boot", ""},
                (String[]) TestSupport.attribute(out, "/", "class_names"));
        assertEquals(1L, ((Number) TestSupport.attribute(out, "/train", "rows")).longValue());
        assertEquals(0.25, ((Number) TestSupport.attribute(out, "/train/x", "scale")).doubleValue());
        assertEquals("", TestSupport.attribute(out, "/meta/deep", "empty"));
    }

    @Test
    void failuresLeaveNoOutputAndKeepAnExistingFile() throws IOException {
        Path out = dir.resolve("out.h5");
        Files.writeString(out, "previous contents");

        // the body fails between appends
        DatasetsException e = assertThrows(DatasetsException.class, () -> H5Writer.write(out, w -> {
            w.dataset("/x", ElementKind.FLOAT32, new long[] {4}, WriteOptions.DEFAULT).append(new float[4000]);
            throw new IOException("source vanished");
        }));
        assertTrue(e.getMessage().contains("source vanished"), e.getMessage());
        assertEquals("previous contents", Files.readString(out));
        assertEquals(List.of("out.h5"), TestSupport.outputs(dir));

        // a bad append poisons the writer: close() deletes instead of committing
        H5Writer w = H5Writer.create(out);
        RowWriter x = w.dataset("/x", ElementKind.FLOAT32, new long[] {4}, WriteOptions.DEFAULT);
        x.append(new float[8]);
        DatasetsException partial = assertThrows(DatasetsException.class, () -> x.append(new float[5]));
        assertTrue(partial.getMessage().contains("not a whole number"), partial.getMessage());
        DatasetsException atClose = assertThrows(DatasetsException.class, w::close);
        assertTrue(atClose.getMessage().contains("earlier write failed"), atClose.getMessage());
        assertEquals("previous contents", Files.readString(out));
        assertEquals(List.of("out.h5"), TestSupport.outputs(dir));

        // wrong array type, duplicate dataset
        H5Writer w2 = H5Writer.create(out);
        RowWriter y = w2.dataset("/y", ElementKind.INT64, new long[0], WriteOptions.DEFAULT);
        assertThrows(DatasetsException.class, () -> y.append(new float[3]));
        assertThrows(DatasetsException.class, () -> w2.dataset("/y", ElementKind.INT64, new long[0], WriteOptions.DEFAULT));
        w2.abort();
        assertEquals("previous contents", Files.readString(out));
        assertEquals(List.of("out.h5"), TestSupport.outputs(dir));

        // success replaces it
        H5Writer.write(out, ww -> ww.dataset("/y", ElementKind.INT64, new long[0], WriteOptions.DEFAULT)
                .append(new long[] {5, 6, 7}));
        assertArrayEquals(new long[] {5, 6, 7}, TestSupport.longs(out, "/y"));
        assertEquals(List.of("out.h5"), TestSupport.outputs(dir));
    }

    @Test
    void emptyDatasetAndScalarRows() throws IOException {
        Path out = dir.resolve("empty.h5");
        try (H5Writer w = H5Writer.create(out)) {
            w.dataset("/none", ElementKind.FLOAT32, new long[] {4}, WriteOptions.DEFAULT);
            w.dataset("/one", ElementKind.UINT16, new long[0], WriteOptions.DEFAULT).append(new short[] {(short) 65535});
        }
        assertArrayEquals(new long[] {0, 4}, TestSupport.dims(out, "/none"));
        assertArrayEquals(new double[] {65535}, TestSupport.doubles(out, "/one"));
        // the output gets the permissions of any new file (umask), not a temporary file's 0600
        Path plain = Files.createFile(dir.resolve("plain"));
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(out));
    }

    @Test
    void writersOnSeveralThreads() throws Exception {
        ExecutorService ex = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                int id = t;
                fs.add(ex.submit(() -> {
                    try (H5Writer w = H5Writer.create(dir.resolve("t" + id + ".h5"))) {
                        RowWriter x = w.dataset("/x", ElementKind.INT32, new long[] {5},
                                WriteOptions.builder().chunkRows(64).threads(2).build());
                        for (int b = 0; b < 40; b++) {
                            int[] v = new int[50 * 5];
                            for (int i = 0; i < v.length; i++) {
                                v[i] = id * 1_000_000 + b * v.length + i;
                            }
                            x.append(v);
                            w.attribute("/x", "blocks", (long) b + 1);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            ex.shutdown();
        }
        for (int t = 0; t < 3; t++) {
            long[] v = TestSupport.longs(dir.resolve("t" + t + ".h5"), "/x");
            assertEquals(40 * 50 * 5, v.length);
            for (int i = 0; i < v.length; i++) {
                assertEquals(t * 1_000_000L + i, v[i]);
            }
        }
    }

    /**
     * 2.25 GB of rows through a 2 GB heap (surefire's -Xmx2g): the writer streams. Rows are
     * compressible so the file stays small; rows around the 2^31-byte offset are read back.
     */
    @Test
    void moreThanTwoGigabytesInBoundedMemory() throws IOException {
        int rowBytes = 4096;
        int rows = 550_000;
        assertTrue((long) rows * rowBytes > (1L << 31) && (long) rows * rowBytes > Runtime.getRuntime().maxMemory());
        Path out = dir.resolve("big.h5");
        ByteBuffer block = ByteBuffer.allocate(256 * rowBytes).order(ByteOrder.LITTLE_ENDIAN);
        try (H5Writer w = H5Writer.create(out)) {
            RowWriter x = w.dataset("/x", ElementKind.UINT8, new long[] {rowBytes},
                    WriteOptions.builder().gzip(1).build());
            for (int r = 0; r < rows; ) {
                int n = Math.min(256, rows - r);
                block.clear();
                for (int i = 0; i < n; i++) {
                    fillRow(block, r + i, rowBytes);
                }
                x.append(block.flip());
                r += n;
            }
        }
        assertTrue(Files.size(out) < 200 << 20, "compressible rows: " + Files.size(out));
        try (HdfFile f = new HdfFile(out)) {
            Dataset d = f.getDatasetByPath("/x");
            assertArrayEquals(new long[] {rows, rowBytes}, d.getDimensionsAsLong());
            for (long r : new long[] {0, 524_287, 524_288, 524_289, rows - 1}) {
                Object got = d.getData(new long[] {r, 0}, new int[] {1, rowBytes});
                Object row = Array.get(got, 0);
                ByteBuffer want = ByteBuffer.allocate(rowBytes).order(ByteOrder.LITTLE_ENDIAN);
                fillRow(want, r, rowBytes);
                for (int i = 0; i < rowBytes; i++) {
                    assertEquals(want.get(i) & 0xff, ((Number) Array.get(row, i)).intValue(), "row " + r + " byte " + i);
                }
            }
        }
    }

    private static void fillRow(ByteBuffer b, long r, int rowBytes) {
        int start = b.position();
        b.putLong(r);
        byte v = (byte) (r % 251);
        for (int i = 8; i < rowBytes; i++) {
            b.put(v);
        }
        assertEquals(rowBytes, b.position() - start);
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
            weighted += (double) x[i] * (i % 13);
        }
        long[] y = new long[rows];
        long ysum = 0;
        for (int i = 0; i < rows; i++) {
            y[i] = r.nextInt(1000) - 500 + (i % 3 == 0 ? 1L << 40 : 0);
            ysum += y[i] * (i % 5);
        }
        Path out = dir.resolve("w.h5");
        try (H5Writer w = H5Writer.create(out)) {
            RowWriter xw = w.dataset("/x", ElementKind.FLOAT32, new long[] {7}, WriteOptions.DEFAULT.withChunkBytes(4000));
            xw.append(java.util.Arrays.copyOfRange(x, 0, 700));
            xw.append(java.util.Arrays.copyOfRange(x, 700, x.length));
            w.dataset("/g/y", ElementKind.INT64, new long[0], WriteOptions.DEFAULT.withGzip(9)).append(y);
            w.dataset("/g/u", ElementKind.UINT16, new long[] {2}, WriteOptions.DEFAULT.withGzip(0))
                    .append(new short[] {1, (short) 65535, 300, 0});
            w.attribute("/g/y", "note", "labels");
            w.attribute("/", "class_names", List.of("a", "b"));
        }
        String script = String.join("\n",
                "import sys, h5py, numpy as np",
                "f = h5py.File(sys.argv[1], 'r')",
                "x = f['x'][:].astype(np.float64); y = f['g/y'][:]; u = f['g/u']",
                "print(x.shape[0], x.shape[1], repr(x.sum()), repr((x.ravel() * (np.arange(x.size) % 13)).sum()),",
                "      int((y * (np.arange(y.size) % 5)).sum()), f['x'].dtype, f['g/y'].dtype, u.dtype,",
                "      f['x'].compression, f['x'].compression_opts, f['x'].shuffle, f['x'].chunks[0], f['x'].maxshape[0],",
                "      f['g/y'].attrs['note'], '|'.join(f.attrs['class_names']), u.compression, ','.join(map(str, u[:].ravel())))");
        String[] f = TestSupport.python(script, out.toString()).split("\\s+");
        assertEquals("3000", f[0]);
        assertEquals("7", f[1]);
        assertEquals(sum, Double.parseDouble(f[2]), 1e-9 * rows);
        assertEquals(weighted, Double.parseDouble(f[3]), 1e-8 * rows);
        assertEquals(ysum, Long.parseLong(f[4]));
        assertEquals("float32", f[5]);
        assertEquals("int64", f[6]);
        assertEquals("uint16", f[7]);
        assertEquals("gzip", f[8]);
        assertEquals("4", f[9]);
        assertEquals("True", f[10]);
        assertEquals("128", f[11], "4000 / 28 = 142 rows -> 128");
        assertEquals("None", f[12]);
        assertEquals("labels", f[13]);
        assertEquals("a|b", f[14]);
        assertEquals("None", f[15]);
        assertEquals("1,65535,300,0", f[16]);
        assertFalse(Files.exists(dir.resolve("w.h5.partial")));
    }
}
