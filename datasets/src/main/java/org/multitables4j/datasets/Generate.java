package org.multitables4j.datasets;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Synthetic datasets with learnable structure, seeded and written block by block (bounded memory
 * for any size). Each row's content depends only on (seed, row index), so any split or block size
 * gives the same data.
 */
public final class Generate {
    private static final int BLOCK_ROWS = 4096;

    private Generate() {
    }

    /** Kinds of generated data. */
    public enum Kind {
        /** Gaussian class clusters: float32 [rows, dim], centres N(0, 3^2), unit noise. */
        CLUSTERS,
        /** Image-like blobs: uint8 [rows, size, size], one blob position and shape per class. */
        IMAGES
    }

    /**
     * Writes {@code /x}, {@code /y} (or {@code /train/*} and {@code /test/*} when
     * {@code testRows > 0}).
     *
     * @param kind     what to generate
     * @param rows     training rows (all rows when there is no test split)
     * @param testRows test rows (0: no split)
     * @param dim      features per row (CLUSTERS) or image side (IMAGES)
     * @param classes  number of classes
     * @param seed     seed
     * @param out      output file
     * @param options  storage options
     * @param quiet    no progress bar
     */
    public static void write(Kind kind, long rows, long testRows, int dim, int classes, long seed, Path out,
                             WriteOptions options, boolean quiet) {
        if (rows < 0 || testRows < 0 || dim < 1 || classes < 1) {
            throw new DatasetsException("rows, test rows must be >= 0 and dim, classes >= 1");
        }
        H5Writer w = H5Writer.create(out);
        try {
            if (testRows > 0) {
                split(w, "/train", kind, 0, rows, dim, classes, seed, options, quiet);
                split(w, "/test", kind, rows, testRows, dim, classes, seed, options, quiet);
            } else {
                split(w, "", kind, 0, rows, dim, classes, seed, options, quiet);
            }
            w.attribute("/", "source", "generated " + kind.name().toLowerCase() + " rows=" + rows + " test_rows=" + testRows
                    + " dim=" + dim + " classes=" + classes + " seed=" + seed);
            w.attribute("/", "created_by", "multitables4j-datasets generate");
        } catch (RuntimeException e) {
            w.abort();
            throw e;
        }
        w.close();
    }

    private static void split(H5Writer w, String prefix, Kind kind, long firstRow, long rows, int dim, int classes,
                              long seed, WriteOptions options, boolean quiet) {
        long[] shape = kind == Kind.CLUSTERS ? new long[] {dim} : new long[] {dim, dim};
        ElementKind ek = kind == Kind.CLUSTERS ? ElementKind.FLOAT32 : ElementKind.UINT8;
        RowWriter x = w.dataset(prefix + "/x", ek, shape, options);
        RowWriter y = w.dataset(prefix + "/y", ElementKind.INT64, new long[0], options);
        float[][] centres = centres(classes, dim, seed);
        int rowBytes = x.rowBytes();
        ByteBuffer xb = ByteBuffer.allocate(BLOCK_ROWS * rowBytes).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer yb = ByteBuffer.allocate(BLOCK_ROWS * 8).order(ByteOrder.LITTLE_ENDIAN);
        try (Progress p = new Progress("generate " + (prefix.isEmpty() ? "/" : prefix), rows, quiet)) {
            for (long done = 0; done < rows; ) {
                int n = (int) Math.min(BLOCK_ROWS, rows - done);
                xb.clear();
                yb.clear();
                for (int i = 0; i < n; i++) {
                    long r = firstRow + done + i;
                    SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + r);
                    int c = rnd.nextInt(classes);
                    yb.putLong(c);
                    if (kind == Kind.CLUSTERS) {
                        for (int k = 0; k < dim; k++) {
                            xb.putFloat((float) (centres[c][k] + gaussian(rnd)));
                        }
                    } else {
                        blob(xb, dim, c, classes, rnd);
                    }
                }
                xb.flip();
                yb.flip();
                x.append(xb);
                y.append(yb);
                done += n;
                p.step(n);
            }
        }
    }

    /** Class centres for CLUSTERS: a pure function of (seed, classes, dim). */
    static float[][] centres(int classes, int dim, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed ^ 0x5DEECE66DL);
        float[][] c = new float[classes][dim];
        for (int i = 0; i < classes; i++) {
            for (int k = 0; k < dim; k++) {
                c[i][k] = (float) (3 * gaussian(rnd));
            }
        }
        return c;
    }

    private static double gaussian(SplittableRandom rnd) {
        double u;
        double v;
        double s;
        do {
            u = 2 * rnd.nextDouble() - 1;
            v = 2 * rnd.nextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        return u * Math.sqrt(-2 * Math.log(s) / s);
    }

    /** A blob whose centre and elongation depend on the class, jittered, with pixel noise. */
    private static void blob(ByteBuffer xb, int size, int c, int classes, SplittableRandom rnd) {
        double angle = 2 * Math.PI * c / classes;
        double cx = size / 2.0 + size / 4.0 * Math.cos(angle) + rnd.nextDouble() * 2 - 1;
        double cy = size / 2.0 + size / 4.0 * Math.sin(angle) + rnd.nextDouble() * 2 - 1;
        double sx = size / 10.0 * (1 + (c % 3));
        double sy = size / 10.0 * (1 + ((c / 3) % 3));
        for (int i = 0; i < size; i++) {
            for (int j = 0; j < size; j++) {
                double dx = (j - cx) / sx;
                double dy = (i - cy) / sy;
                double v = 255 * Math.exp(-0.5 * (dx * dx + dy * dy)) + 20 * rnd.nextDouble();
                xb.put((byte) Math.min(255, (int) v));
            }
        }
    }
}
