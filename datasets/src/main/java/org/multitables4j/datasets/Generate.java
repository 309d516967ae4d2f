package org.multitables4j.datasets;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Synthetic datasets with learnable structure, of any size, seeded, and written block by block
 * (bounded memory whatever the number of rows). Row {@code r} depends only on (seed, r, the
 * shape parameters), so the data does not depend on block sizes or thread counts, and the test
 * split continues the row numbering of the training split (rows {@code rows .. rows + testRows}).
 * Blocks are generated on several threads.
 */
public final class Generate {
    private static final int BLOCK_ROWS = 4096;
    private static final int SLICES = 16;

    private Generate() {
    }

    /** Kinds of generated data. */
    public enum Kind {
        /**
         * Gaussian class clusters: {@code /x} float32 [rows, dim], {@code /y} int64. Class {@code c}
         * has centre {@link #centres(int, int, long) centres(classes, dim, seed)[c]} (entries
         * N(0, 3²)); a row is its class centre plus N(0, 1) noise per feature; classes are uniform.
         */
        CLUSTERS,
        /**
         * Image-like blobs: {@code /x} [rows, size, size] uint8 (0–255) or float32 (0–1), {@code /y}
         * int64. Class {@code c} is a Gaussian blob at angle {@code 2πc/classes} on a circle of radius
         * size/4 around the centre, with a class-dependent elongation; each image jitters the
         * position by up to one pixel and adds uniform pixel noise.
         */
        IMAGES
    }

    /**
     * Writes uint8 images or float32 clusters: {@code /x}, {@code /y}, or {@code /train/*} and
     * {@code /test/*} when {@code testRows > 0}.
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
        write(kind, rows, testRows, dim, classes, seed, kind == Kind.IMAGES ? ElementKind.UINT8 : ElementKind.FLOAT32,
                out, options, quiet);
    }

    /**
     * Like {@link #write(Kind, long, long, int, int, long, Path, WriteOptions, boolean)}, choosing
     * the element type of images.
     *
     * @param kind      what to generate
     * @param rows      training rows (all rows when there is no test split)
     * @param testRows  test rows (0: no split)
     * @param dim       features per row (CLUSTERS) or image side (IMAGES)
     * @param classes   number of classes
     * @param seed      seed
     * @param element   UINT8 or FLOAT32 for IMAGES; FLOAT32 for CLUSTERS
     * @param out       output file
     * @param options   storage options
     * @param quiet     no progress bar
     */
    public static void write(Kind kind, long rows, long testRows, int dim, int classes, long seed, ElementKind element,
                             Path out, WriteOptions options, boolean quiet) {
        if (rows < 0 || testRows < 0) {
            throw new DatasetsException("rows and test rows must be >= 0, got " + rows + " and " + testRows);
        }
        if (dim < 1 || classes < 1) {
            throw new DatasetsException("dim/size and classes must be >= 1, got " + dim + " and " + classes);
        }
        if (element != ElementKind.FLOAT32 && (kind == Kind.CLUSTERS || element != ElementKind.UINT8)) {
            throw new DatasetsException("Unsupported element type " + element + " for " + kind.name().toLowerCase()
                    + " (clusters: float32; images: uint8 or float32)");
        }
        H5Writer.write(out, w -> {
            if (testRows > 0) {
                split(w, "/train", kind, element, 0, rows, dim, classes, seed, options, quiet);
                split(w, "/test", kind, element, rows, testRows, dim, classes, seed, options, quiet);
            } else {
                split(w, "", kind, element, 0, rows, dim, classes, seed, options, quiet);
            }
            String what = kind.name().toLowerCase();
            w.attribute("/", "source", "generated " + what + ": rows=" + rows + " test_rows=" + testRows
                    + (kind == Kind.CLUSTERS ? " dim=" : " size=") + dim + " classes=" + classes + " seed=" + seed
                    + " dtype=" + element);
            w.attribute("/", "created_by", H5Writer.CREATED_BY);
            w.attribute("/", "generator", what);
            w.attribute("/", "seed", seed);
            w.attribute("/", "classes", (long) classes);
        });
    }

    /**
     * Writes a generated sequence task for recurrent networks (see {@link SequenceGenerator} for
     * the data): {@code x}, {@code lengths}, {@code offsets} (RAGGED) and {@code y} int64 (0/1, one
     * per sequence, or one per step with {@code perStep}) in the layout documented in
     * the README section "The sequence file layout"; under {@code /train} and {@code /test} when {@code testSequences > 0}.
     *
     * @param sequences     training sequences (all of them without a test split)
     * @param testSequences test sequences (0: no split)
     * @param minLength     shortest sequence, at least 1
     * @param maxLength     longest sequence (the padded length T of PADDED)
     * @param features      features per step
     * @param seed          seed
     * @param perStep       a label per step (the running sum's sign) instead of per sequence
     * @param layout        RAGGED or PADDED
     * @param out           output file
     * @param options       storage options
     * @param quiet         no progress bar
     */
    public static void sequences(long sequences, long testSequences, int minLength, int maxLength, int features,
                                 long seed, boolean perStep, SequenceLayout layout, Path out, WriteOptions options,
                                 boolean quiet) {
        SequenceGenerator.write(sequences, testSequences, minLength, maxLength, features, seed, perStep, layout, out,
                options, quiet);
    }

    private static void split(H5Writer w, String prefix, Kind kind, ElementKind element, long firstRow, long rows,
                              int dim, int classes, long seed, WriteOptions options, boolean quiet) {
        long[] shape = kind == Kind.CLUSTERS ? new long[] {dim} : new long[] {dim, dim};
        RowWriter x = w.dataset(prefix + "/x", element, shape, options);
        RowWriter y = w.dataset(prefix + "/y", ElementKind.INT64, new long[0], options);
        float[][] centres = kind == Kind.CLUSTERS ? centres(classes, dim, seed) : null;
        int rowBytes = x.rowBytes();
        int block = (int) Math.max(1, Math.min(BLOCK_ROWS, (8 << 20) / rowBytes));
        ByteBuffer xb = ByteBuffer.allocate(block * rowBytes).order(ByteOrder.LITTLE_ENDIAN);
        long[] yb = new long[block];
        try (Progress p = new Progress("generate " + (prefix.isEmpty() ? "/" : prefix), rows, quiet)) {
            for (long done = 0; done < rows; ) {
                int n = (int) Math.min(block, rows - done);
                long base = firstRow + done;
                int slice = (n + SLICES - 1) / SLICES;
                IntStream.range(0, SLICES).parallel().forEach(s -> {
                    ByteBuffer dst = xb.duplicate().order(ByteOrder.LITTLE_ENDIAN);
                    for (int i = s * slice; i < Math.min(n, (s + 1) * slice); i++) {
                        dst.position(i * rowBytes);
                        yb[i] = row(kind, element, base + i, dim, classes, seed, centres, dst);
                    }
                });
                xb.clear().limit(n * rowBytes);
                x.append(xb);
                y.append(n == block ? yb : Arrays.copyOf(yb, n));
                done += n;
                p.step(n);
            }
        }
    }

    /** Writes row {@code r} at {@code dst}'s position; returns its class. */
    private static int row(Kind kind, ElementKind element, long r, int dim, int classes, long seed, float[][] centres,
                           ByteBuffer dst) {
        SplittableRandom rnd = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + r);
        int c = rnd.nextInt(classes);
        if (kind == Kind.CLUSTERS) {
            for (int k = 0; k < dim; k++) {
                dst.putFloat((float) (centres[c][k] + gaussian(rnd)));
            }
        } else {
            blob(dst, dim, c, classes, rnd, element == ElementKind.FLOAT32);
        }
        return c;
    }

    /**
     * Class centres of CLUSTERS: a pure function of its arguments.
     *
     * @param classes number of classes
     * @param dim     features per row
     * @param seed    seed
     * @return {@code [classes][dim]} centres
     */
    public static float[][] centres(int classes, int dim, long seed) {
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

    private static void blob(ByteBuffer dst, int size, int c, int classes, SplittableRandom rnd, boolean asFloat) {
        double angle = 2 * Math.PI * c / classes;
        double cx = size / 2.0 + size / 4.0 * Math.cos(angle) + rnd.nextDouble() * 2 - 1;
        double cy = size / 2.0 + size / 4.0 * Math.sin(angle) + rnd.nextDouble() * 2 - 1;
        double sx = size / 10.0 * (1 + (c % 3));
        double sy = size / 10.0 * (1 + ((c / 3) % 3));
        for (int i = 0; i < size; i++) {
            double dy = (i - cy) / sy;
            for (int j = 0; j < size; j++) {
                double dx = (j - cx) / sx;
                int v = Math.min(255, (int) (235 * Math.exp(-0.5 * (dx * dx + dy * dy)) + 20 * rnd.nextDouble()));
                if (asFloat) {
                    dst.putFloat(v / 255f);
                } else {
                    dst.put((byte) v);
                }
            }
        }
    }
}
