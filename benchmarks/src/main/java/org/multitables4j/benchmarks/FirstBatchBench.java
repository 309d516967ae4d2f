package org.multitables4j.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.multitables4j.Backend;
import org.multitables4j.Hdf5DataSetIterator;
import org.multitables4j.Order;
import org.multitables4j.ProcessOptions;
import org.nd4j.linalg.dataset.DataSet;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Time from {@code build()} to the first batch in hand with worker processes (and, for
 * comparison, threads): a new iterator each time, the variants alternated round by round in one
 * JVM, after one untimed warm-up of each (so the parent's own class loading is not counted).
 * Prints every figure, the median and the load average before and after.
 *
 * <p>Variants: {@code threads}, {@code processes}, {@code processes-wait} (with a read timeout,
 * which turns off the reads the workers do themselves while their children start, so the first
 * batch waits for a child), each of the two with {@code :OPT,OPT} (worker JVM options,
 * comma-separated, e.g. {@code processes:-XX:TieredStopAtLevel=1}).
 */
@Command(name = "first-batch", mixinStandardHelpOptions = true,
        description = "Time to the first batch with worker processes and threads.")
public final class FirstBatchBench implements Callable<Integer> {
    @Parameters(index = "0", description = "HDF5 file")
    Path file;

    @Parameters(index = "1", description = "dataset path, e.g. /x")
    String dataset;

    @Option(names = "--rounds", description = "timed builds per variant (default: ${DEFAULT-VALUE})")
    int rounds = 9;

    @Option(names = "--workers", description = "workers (default: ${DEFAULT-VALUE})")
    int workers = 2;

    @Option(names = "--batch", description = "rows per batch (default: ${DEFAULT-VALUE})")
    int batch = 1024;

    @Option(names = "--order", description = "order (default: ${DEFAULT-VALUE})")
    Order order = Order.ORDERED;

    @Option(names = "--batches", description = "batches taken per build, the first timed apart (default: ${DEFAULT-VALUE})")
    int batches = 1;

    @Option(names = "--variant", description = "threads | processes | processes-wait, the latter two with :OPT,OPT "
            + "(repeatable; default: processes, threads)")
    List<String> variants = new ArrayList<>(List.of("processes", "threads"));

    /**
     * @param args FILE DATASET [options]
     */
    public static void main(String[] args) {
        System.exit(new CommandLine(new FirstBatchBench()).execute(args));
    }

    @Override
    public Integer call() {
        System.out.printf(Locale.ROOT, "load average before: %.2f%n", load());
        for (String v : variants) {
            once(v); // warm-up: the parent's classes and JIT
        }
        double[][] first = new double[variants.size()][rounds];
        double[][] rest = new double[variants.size()][rounds];
        double[][] cpu = new double[variants.size()][rounds];
        double[][] cpuAll = new double[variants.size()][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < variants.size(); k++) {
                // alternate which variant goes first
                int i = r % 2 == 0 ? k : variants.size() - 1 - k;
                double[] t = once(variants.get(i));
                first[i][r] = t[0];
                rest[i][r] = t[1];
                cpu[i][r] = t[2];
                cpuAll[i][r] = t[3];
            }
        }
        for (int i = 0; i < variants.size(); i++) {
            double[] f = first[i].clone();
            Arrays.sort(f);
            double[] b = rest[i].clone();
            Arrays.sort(b);
            double[] c = cpu[i].clone();
            Arrays.sort(c);
            double[] ca = cpuAll[i].clone();
            Arrays.sort(ca);
            System.out.printf(Locale.ROOT, "%-40s first batch median %6.0f ms (min %.0f, max %.0f) %s; children's CPU "
                            + "until then median %.0f ms%s%n", variants.get(i),
                    f[f.length / 2], f[0], f[f.length - 1], Arrays.toString(Arrays.stream(first[i]).map(Math::round).toArray()),
                    c[c.length / 2],
                    batches > 1 ? String.format(Locale.ROOT, "; first %d batches median %.0f ms (%s), children's CPU "
                            + "then median %.0f ms (%s)", batches, b[b.length / 2],
                            Arrays.toString(Arrays.stream(rest[i]).map(Math::round).toArray()), ca[ca.length / 2],
                            Arrays.toString(Arrays.stream(cpuAll[i]).map(Math::round).toArray())) : "");
        }
        System.out.printf(Locale.ROOT, "load average after: %.2f%n", load());
        return 0;
    }

    private double[] once(String variant) {
        Hdf5DataSetIterator.Builder b = Hdf5DataSetIterator.builder(file).features(dataset).batchSize(batch).order(order)
                .workers(workers).seed(1);
        if (variant.startsWith("processes")) {
            b.backend(Backend.PROCESSES);
            if (variant.startsWith("processes-wait")) {
                // a read timeout turns off reading in this process while the children start
                b.workerReadTimeout(Duration.ofMinutes(10));
            }
            int colon = variant.indexOf(':');
            if (colon > 0) {
                b.processOptions(ProcessOptions.defaults().withJvmOptions(List.of(variant.substring(colon + 1).split(","))));
            }
        } else if (!variant.equals("threads")) {
            throw new IllegalArgumentException("unknown variant " + variant);
        }
        long t0 = System.nanoTime();
        try (Hdf5DataSetIterator it = b.build()) {
            DataSet d = it.next();
            double f = (System.nanoTime() - t0) / 1e6;
            double childCpu = 0;
            for (long pid : it.workerPids()) {
                childCpu += cpuMillis(pid);
            }
            long rows = d.getFeatures().size(0);
            for (int i = 1; i < batches && it.hasNext(); i++) {
                rows += it.next().getFeatures().size(0);
            }
            double all = (System.nanoTime() - t0) / 1e6;
            double childCpuAll = 0;
            for (long pid : it.workerPids()) {
                childCpuAll += cpuMillis(pid);
            }
            if (rows <= 0) {
                throw new IllegalStateException("no rows");
            }
            return new double[] {f, all, childCpu, childCpuAll};
        }
    }

    /** @return user + system CPU time of a process so far (Linux /proc; clock ticks of 10 ms), 0 where unknown */
    private static double cpuMillis(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10.0;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static double load() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
