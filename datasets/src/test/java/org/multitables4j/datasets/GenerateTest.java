package org.multitables4j.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Generated data: learnable (a nearest-class-mean classifier fit on /train does well on /test), seeded. */
class GenerateTest {
    @TempDir
    Path dir;

    /** Accuracy on the test split of nearest class mean, with means estimated from the training split. */
    static double nearestMeanAccuracy(Path file, int dim, int classes) {
        double[] x = TestSupport.doubles(file, "/train/x");
        long[] y = TestSupport.longs(file, "/train/y");
        double[][] mean = new double[classes][dim];
        int[] count = new int[classes];
        for (int i = 0; i < y.length; i++) {
            count[(int) y[i]]++;
            for (int k = 0; k < dim; k++) {
                mean[(int) y[i]][k] += x[i * dim + k];
            }
        }
        for (int c = 0; c < classes; c++) {
            assertTrue(count[c] > 0, "every class occurs");
            for (int k = 0; k < dim; k++) {
                mean[c][k] /= count[c];
            }
        }
        double[] tx = TestSupport.doubles(file, "/test/x");
        long[] ty = TestSupport.longs(file, "/test/y");
        int right = 0;
        for (int i = 0; i < ty.length; i++) {
            int best = -1;
            double bd = Double.MAX_VALUE;
            for (int c = 0; c < classes; c++) {
                double d = 0;
                for (int k = 0; k < dim; k++) {
                    double e = tx[i * dim + k] - mean[c][k];
                    d += e * e;
                }
                if (d < bd) {
                    bd = d;
                    best = c;
                }
            }
            right += best == ty[i] ? 1 : 0;
        }
        return (double) right / ty.length;
    }

    @Test
    void clustersAreLearnable() {
        Path out = dir.resolve("clusters.h5");
        Generate.write(Generate.Kind.CLUSTERS, 3000, 1000, 8, 4, 5, out, WriteOptions.DEFAULT, true);
        assertArrayEquals(new long[] {3000, 8}, TestSupport.dims(out, "/train/x"));
        assertArrayEquals(new long[] {1000}, TestSupport.dims(out, "/test/y"));
        double acc = nearestMeanAccuracy(out, 8, 4);
        assertTrue(acc > 0.9, "accuracy " + acc);
        // unit noise around the centres: per-feature variance within a class is about 1
        double[] x = TestSupport.doubles(out, "/train/x");
        long[] y = TestSupport.longs(out, "/train/y");
        float[][] centres = Generate.centres(4, 8, 5);
        double ss = 0;
        for (int i = 0; i < y.length; i++) {
            for (int k = 0; k < 8; k++) {
                double e = x[i * 8 + k] - centres[(int) y[i]][k];
                ss += e * e;
            }
        }
        assertEquals(1.0, ss / (y.length * 8), 0.05);
    }

    @Test
    void imagesAreLearnableAndFloatImagesAreUint8Over255() {
        Path u8 = dir.resolve("u8.h5");
        Path f32 = dir.resolve("f32.h5");
        Generate.write(Generate.Kind.IMAGES, 1500, 500, 16, 10, 3, u8, WriteOptions.DEFAULT, true);
        Generate.write(Generate.Kind.IMAGES, 1500, 500, 16, 10, 3, ElementKind.FLOAT32, f32,
                WriteOptions.DEFAULT.withChunkBytes(10_000).withThreads(1), true);
        assertArrayEquals(new long[] {1500, 16, 16}, TestSupport.dims(u8, "/train/x"));
        double acc = nearestMeanAccuracy(u8, 256, 10);
        assertTrue(acc > 0.9, "accuracy " + acc);
        double[] a = TestSupport.doubles(u8, "/test/x");
        double[] b = TestSupport.doubles(f32, "/test/x");
        for (int i = 0; i < a.length; i++) {
            assertEquals((float) (a[i] / 255), (float) b[i], 1e-7, "pixel " + i);
        }
        assertArrayEquals(TestSupport.longs(u8, "/test/y"), TestSupport.longs(f32, "/test/y"));
        assertEquals(3L, ((Number) TestSupport.attribute(u8, "/", "seed")).longValue());
    }

    @Test
    void seededDataDoesNotDependOnChunksOrThreadsAndSeedsDiffer() {
        Path a = dir.resolve("a.h5");
        Path b = dir.resolve("b.h5");
        Path c = dir.resolve("c.h5");
        Generate.write(Generate.Kind.CLUSTERS, 5000, 0, 3, 3, 42, a, WriteOptions.DEFAULT, true);
        Generate.write(Generate.Kind.CLUSTERS, 5000, 0, 3, 3, 42, b,
                WriteOptions.builder().chunkRows(77).gzip(0).threads(1).build(), true);
        Generate.write(Generate.Kind.CLUSTERS, 5000, 0, 3, 3, 43, c, WriteOptions.DEFAULT, true);
        assertArrayEquals(TestSupport.doubles(a, "/x"), TestSupport.doubles(b, "/x"));
        assertArrayEquals(TestSupport.longs(a, "/y"), TestSupport.longs(b, "/y"));
        assertNotEquals(TestSupport.doubles(a, "/x")[0], TestSupport.doubles(c, "/x")[0]);
        assertThrows(DatasetsException.class, () -> Generate.write(Generate.Kind.CLUSTERS, 10, 0, 3, 3, 1,
                ElementKind.UINT8, dir.resolve("bad.h5"), WriteOptions.DEFAULT, true));
        assertEquals(List.of("a.h5", "b.h5", "c.h5"), List.of(a, b, c).stream().map(p -> p.getFileName().toString()).toList());
    }
}
