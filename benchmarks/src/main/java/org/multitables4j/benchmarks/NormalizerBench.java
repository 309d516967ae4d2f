package org.multitables4j.benchmarks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.multitables4j.FeatureStatistics;
import org.multitables4j.Hdf5DataSetIterator;
import org.multitables4j.Order;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.preprocessor.NormalizerMinMaxScaler;
import org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize;

/**
 * Fitting DL4J normalizers on one file, side by side in one JVM run: DL4J's
 * {@code NormalizerStandardize.fit(iterator)} and {@code NormalizerMinMaxScaler.fit(iterator)}
 * over an {@link Hdf5DataSetIterator}, the iterator drained alone (the floor of any fit that
 * streams batches), and {@link FeatureStatistics#of} (one pass over the stored blocks, both
 * normalizers from it) with as many threads as the iterator has workers and with one. Rounds
 * alternate the contenders; each prints its median time of the measured rounds after a warm-up
 * round (wall time, and the CPU time of the whole process, which a loaded machine distorts
 * less), and the largest relative difference between the statistics of both ways.
 *
 * <p>Usage: {@code NormalizerBench FILE DATASET [--workers 2] [--batch 256] [--rounds 3] [--order SHUFFLED]}.
 */
public final class NormalizerBench {
    private NormalizerBench() {
    }

    public static void main(String[] args) {
        Path file = Path.of(args[0]);
        String dataset = args[1];
        int workers = 2;
        int batch = 256;
        int rounds = 3;
        Order order = Order.SHUFFLED;
        for (int i = 2; i < args.length; i += 2) {
            switch (args[i]) {
                case "--workers" -> workers = Integer.parseInt(args[i + 1]);
                case "--batch" -> batch = Integer.parseInt(args[i + 1]);
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                case "--order" -> order = Order.valueOf(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Hdf5DataSetIterator.Builder b = Hdf5DataSetIterator.builder(file).features(dataset).batchSize(batch).workers(workers)
                .order(order);
        Hdf5DataSetIterator.Builder one = Hdf5DataSetIterator.builder(file).features(dataset).workers(1);
        Map<String, List<Double>> times = new LinkedHashMap<>();
        NormalizerStandardize[] fitted = new NormalizerStandardize[2];
        NormalizerMinMaxScaler[] scaled = new NormalizerMinMaxScaler[2];
        long rows = 0;
        for (int r = 0; r <= rounds; r++) {
            long t0 = System.nanoTime();
            try (Hdf5DataSetIterator it = b.build()) {
                NormalizerStandardize n = new NormalizerStandardize();
                n.fit(it);
                fitted[0] = n;
            }
            record(times, "DL4J NormalizerStandardize.fit(iterator)", r, t0);
            t0 = System.nanoTime();
            try (Hdf5DataSetIterator it = b.build()) {
                NormalizerMinMaxScaler n = new NormalizerMinMaxScaler();
                n.fit(it);
                scaled[0] = n;
            }
            record(times, "DL4J NormalizerMinMaxScaler.fit(iterator)", r, t0);
            t0 = System.nanoTime();
            try (Hdf5DataSetIterator it = b.build()) {
                long n = 0;
                while (it.hasNext()) {
                    n += it.next().numExamples();
                }
                rows = n;
            }
            record(times, "iterator drained, no statistics", r, t0);
            t0 = System.nanoTime();
            FeatureStatistics s = FeatureStatistics.of(b);
            fitted[1] = s.standardize();
            scaled[1] = s.minMax(0, 1);
            record(times, "FeatureStatistics.of, " + workers + " threads (both normalizers)", r, t0);
            t0 = System.nanoTime();
            FeatureStatistics.of(one);
            record(times, "FeatureStatistics.of, 1 thread", r, t0);
        }
        System.out.printf(Locale.ROOT, "%s %s: %d rows, %d workers, batches of %d, %s, median of %d rounds after a warm-up%n",
                file, dataset, rows, workers, batch, order, rounds);
        for (Map.Entry<String, List<Double>> e : times.entrySet()) {
            List<Double> t = new ArrayList<>(e.getValue());
            t.sort(null);
            double med = t.get(t.size() / 2);
            List<Double> c = new ArrayList<>(CPU.get(e.getKey()));
            c.sort(null);
            System.out.printf(Locale.ROOT, "| %s | %.2f s | %.0f rows/s | %.2f s CPU | rounds %s, CPU %s |%n", e.getKey(), med,
                    rows / med, c.get(c.size() / 2), e.getValue(), CPU.get(e.getKey()));
        }
        System.out.printf(Locale.ROOT, "largest relative difference: mean %.2e, std %.2e, min %.2e, max %.2e%n",
                rel(fitted[0].getMean(), fitted[1].getMean()), rel(fitted[0].getStd(), fitted[1].getStd()),
                rel(scaled[0].getMin(), scaled[1].getMin()), rel(scaled[0].getMax(), scaled[1].getMax()));
    }

    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    private static final Map<String, List<Double>> CPU = new LinkedHashMap<>();
    private static long cpu0 = OS.getProcessCpuTime();

    /** Records the wall time since {@code t0} and the process CPU time since the last record. */
    private static void record(Map<String, List<Double>> times, String name, int round, long t0) {
        double s = (System.nanoTime() - t0) / 1e9;
        long cpu = OS.getProcessCpuTime();
        double c = (cpu - cpu0) / 1e9;
        cpu0 = cpu;
        List<Double> l = times.computeIfAbsent(name, k -> new ArrayList<>());
        List<Double> lc = CPU.computeIfAbsent(name, k -> new ArrayList<>());
        if (round > 0) {
            l.add(Math.round(s * 100) / 100.0);
            lc.add(Math.round(c * 100) / 100.0);
        }
    }

    private static double rel(INDArray a, INDArray b) {
        double[] x = a.castTo(DataType.DOUBLE).toDoubleVector();
        double[] y = b.castTo(DataType.DOUBLE).toDoubleVector();
        double m = 0;
        for (int i = 0; i < x.length; i++) {
            m = Math.max(m, Math.abs(x[i] - y[i]) / Math.max(1e-3, Math.abs(y[i])));
        }
        return m;
    }
}
