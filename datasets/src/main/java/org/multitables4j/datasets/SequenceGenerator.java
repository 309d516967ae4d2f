package org.multitables4j.datasets;

import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * The generated sequence task of {@link Generate#sequences}: sequence {@code r} has a length drawn
 * uniformly from {@code [minLength, maxLength]} and values uniform in {@code [-1, 1)} (float32);
 * its label is 1 when the sum of all its values is positive, else 0 — or, per step, 1 when the
 * running sum up to and including that step is positive. Sums are taken in double precision over
 * the stored float32 values, step by step and feature by feature. Sequence {@code r} depends only
 * on (seed, r, lengths, features), and test sequences continue the numbering of the training ones.
 */
final class SequenceGenerator {
    private SequenceGenerator() {
    }

    static void write(long sequences, long testSequences, int minLength, int maxLength, int features, long seed,
                      boolean perStep, SequenceLayout layout, Path out, WriteOptions options, boolean quiet) {
        if (sequences < 0 || testSequences < 0) {
            throw new DatasetsException("sequences and test sequences must be >= 0, got " + sequences + " and " + testSequences);
        }
        if (minLength < 1 || maxLength < minLength) {
            throw new DatasetsException("lengths must satisfy 1 <= --min-length <= --max-length, got " + minLength + " and "
                    + maxLength);
        }
        if (features < 1) {
            throw new DatasetsException("--dim (features per step) must be >= 1, got " + features);
        }
        SequenceWriter.LabelMode mode = perStep ? SequenceWriter.LabelMode.STEP : SequenceWriter.LabelMode.SEQUENCE;
        H5Writer.write(out, w -> {
            if (testSequences > 0) {
                split(w, "/train", 0, sequences, minLength, maxLength, features, seed, mode, layout, options, quiet);
                split(w, "/test", sequences, testSequences, minLength, maxLength, features, seed, mode, layout, options, quiet);
            } else {
                split(w, "", 0, sequences, minLength, maxLength, features, seed, mode, layout, options, quiet);
            }
            w.attribute("/", "source", "generated sequences: sequences=" + sequences + " test_sequences=" + testSequences
                    + " min_length=" + minLength + " max_length=" + maxLength + " dim=" + features + " seed=" + seed
                    + " label=" + (perStep ? "running sum > 0 per step" : "sum > 0 per sequence"));
            w.attribute("/", "created_by", H5Writer.CREATED_BY);
            w.attribute("/", "generator", "sequences");
            w.attribute("/", "seed", seed);
            w.attribute("/", "classes", 2L);
        });
    }

    private static void split(H5Writer w, String group, long first, long count, int minLength, int maxLength, int features,
                              long seed, SequenceWriter.LabelMode mode, SequenceLayout layout, WriteOptions options,
                              boolean quiet) {
        SequenceWriter sw = new SequenceWriter(w, group, layout, features, maxLength, ElementKind.INT64, mode, options);
        float[] values = new float[maxLength * features];
        long[] labels = new long[maxLength];
        try (Progress p = new Progress("generate " + (group.isEmpty() ? "/" : group), count, quiet, "sequences")) {
            for (long i = 0; i < count; i++) {
                int len = sequence(seed, first + i, minLength, maxLength, features, values, labels,
                        mode == SequenceWriter.LabelMode.STEP);
                sw.add(values, len, labels, null);
                if ((i & 1023) == 1023) {
                    p.step(1024);
                }
            }
            p.step(count & 1023);
        }
        sw.finish();
    }

    /** Fills sequence {@code r}'s values and labels; returns its length. */
    static int sequence(long seed, long r, int minLength, int maxLength, int features, float[] values, long[] labels,
                        boolean perStep) {
        SplittableRandom rnd = new SplittableRandom((seed ^ 0x2545F4914F6CDD1DL) * 0x9E3779B97F4A7C15L + r);
        int len = minLength + rnd.nextInt(maxLength - minLength + 1);
        double sum = 0;
        for (int t = 0; t < len; t++) {
            for (int f = 0; f < features; f++) {
                float v = (float) (2 * rnd.nextDouble() - 1);
                values[t * features + f] = v;
                sum += v;
            }
            if (perStep) {
                labels[t] = sum > 0 ? 1 : 0;
            }
        }
        if (!perStep) {
            labels[0] = sum > 0 ? 1 : 0;
        }
        return len;
    }
}
