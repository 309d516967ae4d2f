package org.multitables4j.benchmarks;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.multitables4j.reader.Hdf5Dataset;
import org.multitables4j.reader.Hdf5Reader;
import org.multitables4j.reader.RequestQueue;
import org.multitables4j.reader.StagedArray;

/**
 * Random single-row requests through {@link Hdf5Reader} (a queue of 64 in flight), the same
 * rows as h5py fancy indexing of the sorted unique indices ({@code reader_peer.py}), rows/s,
 * median of 3 after a warm-up. Usage: {@code ReaderBench FILE DATASET [requests] [workers]}.
 */
public final class ReaderBench {
    private ReaderBench() {
    }

    /**
     * @param args file, dataset, request count (10000), workers (2)
     */
    public static void main(String[] args) {
        Path file = Path.of(args[0]);
        String path = args[1];
        int n = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
        int workers = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        long cacheBytes = args.length > 4 ? Long.parseLong(args[4]) << 20 : 512L << 20;
        try (Hdf5Reader reader = Hdf5Reader.open(file, workers, cacheBytes)) {
            Hdf5Dataset ds = reader.dataset(path);
            long[] idx = new SplittableRandom(7).longs(n * 2L, 0, ds.rows()).distinct().limit(n).toArray();
            Arrays.sort(idx);
            long[] shuffled = idx.clone();
            SplittableRandom rnd = new SplittableRandom(8);
            for (int i = shuffled.length - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                long t = shuffled[i];
                shuffled[i] = shuffled[j];
                shuffled[j] = t;
            }
            double[] rates = new double[3];
            for (int run = -1; run < 3; run++) {
                Hdf5Reader r2 = Hdf5Reader.open(file, workers, cacheBytes); // cold chunk cache each pass
                try {
                    Hdf5Dataset d2 = r2.dataset(path);
                    RequestQueue q = new RequestQueue(r2, d2.createStagePool(1, 64));
                    long t0 = System.nanoTime();
                    double sum = 0;
                    for (long row : shuffled) {
                        if (q.pending() == 64) {
                            try (StagedArray a = q.next()) {
                                sum += a.array().getDouble(0, 0);
                            }
                        }
                        q.submit(d2.rows(new long[] {row}));
                    }
                    while (q.pending() > 0) {
                        try (StagedArray a = q.next()) {
                            sum += a.array().getDouble(0, 0);
                        }
                    }
                    double s = (System.nanoTime() - t0) / 1e9;
                    if (run >= 0) {
                        rates[run] = n / s;
                    }
                    if (Double.isNaN(sum)) {
                        System.out.println("nan");
                    }
                    if (run == 2) {
                        System.out.println("# cache " + r2.cacheStats());
                    }
                } finally {
                    r2.close();
                }
            }
            Arrays.sort(rates);
            System.out.printf("reader=multitables4j workers=%d random_single_rows=%d rows_per_s=%.0f%n", workers, n, rates[1]);
        }
    }
}
