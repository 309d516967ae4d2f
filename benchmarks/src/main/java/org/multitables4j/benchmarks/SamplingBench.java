package org.multitables4j.benchmarks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.multitables4j.Hdf5DataSetIterator;
import org.multitables4j.IteratorStats;
import org.multitables4j.Order;
import org.multitables4j.internal.BenchmarkHook;
import org.multitables4j.reader.Hdf5Reader;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Random minibatches with replacement streamed through an open Reader's block stores
 * ({@code Hdf5DataSetIterator.builder(reader)}, {@code RANDOM_WITH_REPLACEMENT}) against
 * the SHUFFLED streaming iterator ({@link Hdf5DataSetIterator}) on the same file, in one JVM run:
 * rows/s (median of the measured passes after a warm-up pass) and read amplification, the bytes
 * decoded per byte delivered. Optionally also {@code Order.RANDOM_WITH_REPLACEMENT} on the
 * streaming iterator.
 *
 * <p>Every contender uses the same workers and the same chunk cache budget. A pass is one epoch:
 * the sampler's is {@code --batches} batches of {@code --batch} rows drawn uniformly with
 * replacement, the SHUFFLED iterator's the whole dataset, RANDOM_WITH_REPLACEMENT's as many rows
 * as the sampler's. By default one iterator (and one reader, so one chunk cache) is kept over
 * the passes, {@code reset()} between them, as in training; {@code --fresh} builds a new one per
 * pass (a cold cache each time).
 *
 * <p>Decoded bytes come from {@link Hdf5Reader#cacheStats()} for the sampler and from
 * {@link IteratorStats#blocksDecoded()} times the bytes of a full chunk row for the streaming
 * iterator (the last, shorter chunk row counts as a full one); delivered bytes are rows times the
 * stored row bytes.
 *
 * <p>Usage: {@code SamplingBench FILE DATASET [--batch 128] [--batches N (default: a dataset's
 * worth of rows)] [--workers 2] [--cache-mib 256] [--prefetch 8] [--passes 3] [--fresh]
 * [--random-streaming]}.
 */
public final class SamplingBench {
    private final Path file;
    private final String dataset;
    private int batch = 128;
    private int batches;
    private int workers = 2;
    private long cacheBytes = 256L << 20;
    private int prefetch = 8;
    private int passes = 3;
    private boolean fresh;
    private boolean randomStreaming;
    private long rows;
    private int rowBytes;
    private long blockBytes;

    private SamplingBench(Path file, String dataset) {
        this.file = file;
        this.dataset = dataset;
    }

    /** What one pass measured. */
    private record Pass(long rows, double seconds, long decodedBytes) {
        double rate() {
            return rows / seconds;
        }
    }

    /** A contender's passes. */
    private interface Contender extends AutoCloseable {
        Pass pass();

        @Override
        default void close() {
        }
    }

    /**
     * @param args file, dataset, then options (see the class comment)
     */
    public static void main(String[] args) {
        List<String> pos = new ArrayList<>();
        List<String[]> opts = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--fresh") || a.equals("--random-streaming")) {
                opts.add(new String[] {a, null});
            } else if (a.startsWith("--")) {
                if (i + 1 == args.length) {
                    throw new IllegalArgumentException(a + " needs a value");
                }
                opts.add(new String[] {a, args[++i]});
            } else {
                pos.add(a);
            }
        }
        if (pos.size() != 2) {
            System.err.println("usage: SamplingBench FILE DATASET [--batch 128] [--batches N] [--workers 2] "
                    + "[--cache-mib 256] [--prefetch 8] [--passes 3] [--fresh] [--random-streaming]");
            System.exit(2);
        }
        SamplingBench b = new SamplingBench(Path.of(pos.get(0)), pos.get(1));
        for (String[] o : opts) {
            switch (o[0]) {
                case "--batch" -> b.batch = Integer.parseInt(o[1]);
                case "--batches" -> b.batches = Integer.parseInt(o[1]);
                case "--workers" -> b.workers = Integer.parseInt(o[1]);
                case "--cache-mib" -> b.cacheBytes = Long.parseLong(o[1]) << 20;
                case "--prefetch" -> b.prefetch = Integer.parseInt(o[1]);
                case "--passes" -> b.passes = Math.max(3, Integer.parseInt(o[1]));
                case "--fresh" -> b.fresh = true;
                case "--random-streaming" -> b.randomStreaming = true;
                default -> throw new IllegalArgumentException("unknown option " + o[0]);
            }
        }
        b.run();
    }

    private void run() {
        BenchmarkHook.Layout a = BenchmarkHook.layout(file, dataset);
        rows = a.rows();
        rowBytes = a.rowBytes();
        blockBytes = (long) a.blockRows() * a.rowBytes();
        if (batches <= 0) {
            batches = (int) ((rows + batch - 1) / batch);
        }
        System.out.printf(Locale.ROOT, "# %s %s: %d rows of %d bytes, chunk rows of %d bytes; batch %d, %d sampled "
                        + "batches per pass, %d workers, cache %d MiB, prefetch %d, %s, warm-up + %d passes%n",
                file, dataset, rows, rowBytes, blockBytes, batch, batches, workers, cacheBytes >> 20, prefetch,
                fresh ? "a new iterator per pass" : "one iterator over the passes", passes);

        double sampled = measure("sampling over a Reader, uniform, with replacement", this::sampler);
        double shuffled = measure("Hdf5DataSetIterator SHUFFLED", () -> streaming(Order.SHUFFLED));
        System.out.printf(Locale.ROOT, "ratio sampler/SHUFFLED = %.4f (rows/s)%n", sampled / shuffled);
        if (randomStreaming) {
            double rwr = measure("Hdf5DataSetIterator RANDOM_WITH_REPLACEMENT", () -> streaming(Order.RANDOM_WITH_REPLACEMENT));
            System.out.printf(Locale.ROOT, "ratio RANDOM_WITH_REPLACEMENT/SHUFFLED = %.4f, sampler/RANDOM_WITH_REPLACEMENT = "
                    + "%.4f (rows/s)%n", rwr / shuffled, sampled / rwr);
        }
    }

    /** Warm-up pass, then {@code passes} measured ones; prints and returns the median rows/s. */
    private double measure(String name, java.util.function.Supplier<Contender> make) {
        List<Pass> measured = new ArrayList<>();
        if (fresh) {
            for (int p = -1; p < passes; p++) {
                try (Contender c = make.get()) {
                    Pass x = c.pass();
                    if (p >= 0) {
                        measured.add(x);
                    }
                }
            }
        } else {
            try (Contender c = make.get()) {
                for (int p = -1; p < passes; p++) {
                    Pass x = c.pass();
                    if (p >= 0) {
                        measured.add(x);
                    }
                }
            }
        }
        double[] rates = measured.stream().mapToDouble(Pass::rate).sorted().toArray();
        double median = rates[rates.length / 2];
        long rowsOut = measured.stream().mapToLong(Pass::rows).sum();
        long decoded = measured.stream().mapToLong(Pass::decodedBytes).sum();
        double amplification = (double) decoded / ((double) rowsOut * rowBytes);
        System.out.printf(Locale.ROOT, "%-46s rows_per_s=%.0f (passes %.0f..%.0f, %.1f MB/s) rows_per_pass=%d "
                        + "decoded_MB_per_pass=%.1f read_amplification=%.2f%n", name, median, rates[0],
                rates[rates.length - 1], median * rowBytes / 1e6, rowsOut / measured.size(),
                decoded / 1e6 / measured.size(), amplification);
        return median;
    }

    private Contender sampler() {
        Hdf5Reader reader = Hdf5Reader.open(file, workers, cacheBytes);
        return new Contender() {
            private Hdf5DataSetIterator it;

            @Override
            public Pass pass() {
                // timed from before build() or reset(), which start the prefetch
                long d0 = reader.cacheStats().decodedBytes();
                long t0 = System.nanoTime();
                if (it == null) {
                    it = Hdf5DataSetIterator.builder(reader).features(dataset).order(Order.RANDOM_WITH_REPLACEMENT)
                            .batchSize(batch).batchesPerEpoch(batches).seed(7).prefetch(prefetch).workers(workers).build();
                } else {
                    it.reset();
                }
                Drained r = drain(it);
                long n = r.rows();
                double s = (System.nanoTime() - t0) / 1e9;
                check(r.sum(), n, (long) batches * batch);
                return new Pass(n, s, reader.cacheStats().decodedBytes() - d0);
            }

            @Override
            public void close() {
                if (it != null) {
                    it.close();
                }
                reader.close();
            }
        };
    }

    /** Rows of one epoch and the sum of each batch's first value (a check that the data was read). */
    private record Drained(long rows, double sum) {
    }

    private static Drained drain(org.nd4j.linalg.dataset.api.iterator.DataSetIterator it) {
        long n = 0;
        double sum = 0;
        while (it.hasNext()) {
            DataSet ds = it.next();
            n += ds.getFeatures().size(0);
            sum += ds.getFeatures().getDouble(0, 0);
        }
        return new Drained(n, sum);
    }

    private Contender streaming(Order order) {
        Hdf5DataSetIterator.Builder b = Hdf5DataSetIterator.builder(file).features(dataset).batchSize(batch).order(order)
                .workers(workers).seed(7).cacheBytes(cacheBytes);
        long want = rows;
        if (order == Order.RANDOM_WITH_REPLACEMENT) {
            want = (long) batches * batch;
            b = b.samplesPerEpoch(want);
        }
        Hdf5DataSetIterator it = b.build();
        long expected = want;
        return new Contender() {
            private boolean first = true;

            @Override
            public Pass pass() {
                IteratorStats s0 = it.stats();
                long t0 = System.nanoTime();
                if (!first) {
                    it.reset();
                }
                first = false;
                Drained r = drain(it);
                long n = r.rows();
                double s = (System.nanoTime() - t0) / 1e9;
                check(r.sum(), n, expected);
                IteratorStats d = it.stats().minus(s0);
                return new Pass(n, s, d.blocksDecoded() * blockBytes);
            }

            @Override
            public void close() {
                it.close();
            }
        };
    }

    private static void check(double sum, long n, long want) {
        if (n != want) {
            throw new IllegalStateException("delivered " + n + " rows, expected " + want);
        }
        if (Double.isNaN(sum)) {
            System.out.println("# NaN in the data");
        }
    }
}
