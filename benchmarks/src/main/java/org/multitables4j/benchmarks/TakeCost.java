package org.multitables4j.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import org.multitables4j.reader.Hdf5Dataset;
import org.multitables4j.reader.Hdf5Future;
import org.multitables4j.reader.Hdf5Reader;
import org.multitables4j.reader.Request;
import org.multitables4j.reader.StagePool;
import org.multitables4j.reader.StagedArray;

/**
 * CPU time of the calling thread per random single-row Reader request, by what is done with the
 * result: discarded, acquired and closed, acquired with its array read, or copied with
 * {@code get()}. Thread CPU time does not depend on how many other processes share the cores,
 * which a rate in rows/s does (on a loaded machine a design that spreads a request over more
 * threads gets more CPU share). Requests of a contiguous dataset, or whose chunks are decoded
 * already, run on the calling thread, so this is then the request's whole cost.
 *
 * <p>Usage: {@code TakeCost FILE DATASET [requests per round, default 20000]}; the first of 4
 * rounds warms up (the chunks of a chunked dataset are decoded in it).
 */
public final class TakeCost {
    private TakeCost() {
    }

    /**
     * @param a file, dataset, optional requests per round
     */
    public static void main(String[] a) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        int n = a.length > 2 ? Integer.parseInt(a[2]) : 20_000;
        String[] modes = {"request+discard", "acquire+close", "acquire+array()", "get()"};
        try (Hdf5Reader r = Hdf5Reader.open(Path.of(a[0]), 2, 512L << 20)) {
            Hdf5Dataset ds = r.dataset(a[1]);
            StagePool pool = ds.createStagePool(1, 64);
            SplittableRandom rnd = new SplittableRandom(7);
            double sum = 0;
            for (int round = 0; round < 4; round++) {
                StringBuilder line = new StringBuilder("round " + round + ", us of thread CPU per request:");
                for (int mode = 0; mode < modes.length; mode++) {
                    long c0 = mx.getCurrentThreadCpuTime();
                    for (int i = 0; i < n; i++) {
                        Request q = ds.rows(new long[] {rnd.nextLong(ds.rows())});
                        Hdf5Future f = r.request(q, pool);
                        switch (mode) {
                            case 0 -> f.discard();
                            case 1 -> f.acquire().close();
                            case 2 -> {
                                try (StagedArray v = f.acquire()) {
                                    sum += v.array().getDouble(0);
                                }
                            }
                            default -> sum += f.get().getDouble(0);
                        }
                    }
                    line.append(String.format(Locale.ROOT, " %s %.2f", modes[mode], (mx.getCurrentThreadCpuTime() - c0) / 1e3 / n));
                }
                System.out.println(line + (round == 3 ? " (checksum " + sum + ")" : ""));
            }
        }
    }
}
