package org.multitables4j.benchmarks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.multitables4j.Backend;
import org.multitables4j.Hdf5DataSetIterator;
import org.multitables4j.IteratorStats;
import org.multitables4j.Order;
import org.nd4j.linalg.dataset.DataSet;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Throughput of {@link Hdf5DataSetIterator} over one dataset: MB/s of decoded feature rows
 * delivered to a consumer that does nothing else, median of several epochs after a warm-up
 * epoch. Prints one line per order: {@code loader=ORDER workers=W mbps=X}, the same form as
 * the peers' {@code peer_bench.py}.
 */
@Command(name = "loader-bench", mixinStandardHelpOptions = true,
        description = "MB/s of decoded rows delivered by Hdf5DataSetIterator.")
public final class LoaderBench implements Callable<Integer> {
    @Parameters(index = "0", description = "HDF5 file")
    Path file;

    @Parameters(index = "1", description = "dataset path, e.g. /x")
    String dataset;

    @Option(names = "--workers", description = "worker threads (default: ${DEFAULT-VALUE})")
    int workers = 2;

    @Option(names = "--batch", description = "rows per batch (default: ${DEFAULT-VALUE})")
    int batch = 1024;

    @Option(names = "--orders", split = ",", description = "orders to measure (default: ${DEFAULT-VALUE})")
    List<Order> orders = new ArrayList<>(Arrays.asList(Order.AS_AVAILABLE, Order.ORDERED, Order.SHUFFLED));

    @Option(names = "--repeat", description = "measured epochs per order (default: ${DEFAULT-VALUE})")
    int repeat = 3;

    @Option(names = "--prefetch", description = "ring slots (default: 2 per worker, at least 4)")
    int prefetch = -1;

    @Option(names = "--backend", description = "THREADS or PROCESSES (default: ${DEFAULT-VALUE})")
    Backend backend = Backend.THREADS;

    @Option(names = "--worker-jvm", split = ",", description = "JVM options of the worker processes (PROCESSES only)")
    List<String> workerJvm = new ArrayList<>();

    @Option(names = "--keep", description = "one iterator per order, kept across its epochs (reset() between "
            + "them), as a training loop does; default: a fresh iterator (build included) per epoch")
    boolean keep;

    @Option(names = "--interleave", description = "measure the orders in turns, one pass each per round, so that "
            + "a machine shared with other work loads every order alike; prints the CPU seconds of each pass too")
    boolean interleave;

    @Override
    public Integer call() {
        if (interleave) {
            return interleaved();
        }
        for (Order order : orders) {
            Hdf5DataSetIterator.Builder b = Hdf5DataSetIterator.builder(file).features(dataset)
                    .batchSize(batch).order(order).workers(workers).seed(1).backend(backend);
            if (!workerJvm.isEmpty()) {
                b = b.workerJvmOptions(workerJvm.toArray(new String[0]));
            }
            if (prefetch > 0) {
                b = b.prefetch(prefetch);
            }
            double[] mbps = new double[repeat];
            IteratorStats last = null;
            if (keep) {
                keptAcrossEpochs(order, b);
                continue;
            }
            for (int r = -1; r < repeat; r++) {
                long t0 = System.nanoTime();
                try (Hdf5DataSetIterator it = b.build()) {
                    long rows = 0;
                    while (it.hasNext()) {
                        DataSet ds = it.next();
                        rows += ds.getFeatures().size(0);
                    }
                    double s = (System.nanoTime() - t0) / 1e9;
                    last = it.stats();
                    if (rows != it.datasetRows()) {
                        throw new IllegalStateException("delivered " + rows + " of " + it.datasetRows() + " rows");
                    }
                    if (r >= 0) {
                        mbps[r] = last.bytes() / 1e6 / s;
                    }
                }
            }
            Arrays.sort(mbps);
            System.out.printf("loader=%s workers=%d mbps=%.1f all=%s%n", order, workers, mbps[repeat / 2],
                    Arrays.toString(Arrays.stream(mbps).map(v -> Math.round(v)).toArray()));
            System.out.println("# " + last);
        }
        return 0;
    }

    /**
     * Epochs of one iterator (reset() between them), the first one a warm-up. Also prints the CPU
     * seconds of each pass, this JVM's and its worker processes' together (Linux {@code /proc}),
     * the figure to compare the backends by on a machine shared with other work.
     */
    private void keptAcrossEpochs(Order order, Hdf5DataSetIterator.Builder b) {
        double[] mbps = new double[repeat];
        double[] cpu = new double[repeat];
        try (Hdf5DataSetIterator it = b.build()) {
            for (int r = -1; r < repeat; r++) {
                long bytes0 = it.stats().bytes();
                double c0 = cpuWithChildren();
                long t0 = System.nanoTime();
                long rows = 0;
                while (it.hasNext()) {
                    rows += it.next().getFeatures().size(0);
                }
                double s = (System.nanoTime() - t0) / 1e9;
                if (rows != it.datasetRows() && !order.withReplacement()) {
                    throw new IllegalStateException("delivered " + rows + " of " + it.datasetRows() + " rows");
                }
                if (r >= 0) {
                    mbps[r] = (it.stats().bytes() - bytes0) / 1e6 / s;
                    cpu[r] = cpuWithChildren() - c0;
                }
                it.reset();
            }
            double[] passCpu = cpu.clone();
            Arrays.sort(mbps);
            Arrays.sort(cpu);
            System.out.printf("loader=%s workers=%d kept mbps=%.1f all=%s cpu_s=%.2f passes_cpu_s=%s%n", order, workers,
                    mbps[repeat / 2], Arrays.toString(Arrays.stream(mbps).map(v -> Math.round(v)).toArray()),
                    cpu[repeat / 2], Arrays.toString(Arrays.stream(passCpu).map(v -> Math.round(v * 100) / 100.0).toArray()));
            System.out.println("# " + it.stats());
        }
    }

    /** @return user + system CPU seconds of this JVM and its live descendants (Linux /proc, 10 ms ticks) */
    static double cpuWithChildren() {
        double sum = procCpuSeconds(ProcessHandle.current().pid());
        for (ProcessHandle h : ProcessHandle.current().descendants().toList()) {
            sum += procCpuSeconds(h.pid());
        }
        return sum;
    }

    private static double procCpuSeconds(long pid) {
        try {
            String stat = java.nio.file.Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
        } catch (java.io.IOException | RuntimeException e) {
            return 0;
        }
    }

    /** One pass of every order per round, a fresh iterator each (build included), after a warm-up round. */
    private Integer interleaved() {
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        double[][] mbps = new double[orders.size()][repeat];
        double[][] cpu = new double[orders.size()][repeat];
        for (int r = -1; r < repeat; r++) {
            for (int o = 0; o < orders.size(); o++) {
                Hdf5DataSetIterator.Builder b = Hdf5DataSetIterator.builder(file).features(dataset)
                        .batchSize(batch).order(orders.get(o)).workers(workers).seed(1 + Math.max(r, 0)).backend(backend);
                if (prefetch > 0) {
                    b = b.prefetch(prefetch);
                }
                long c0 = os.getProcessCpuTime();
                long t0 = System.nanoTime();
                try (Hdf5DataSetIterator it = b.build()) {
                    long rows = 0;
                    while (it.hasNext()) {
                        rows += it.next().getFeatures().size(0);
                    }
                    double s = (System.nanoTime() - t0) / 1e9;
                    if (rows != it.datasetRows() && !orders.get(o).withReplacement()) {
                        throw new IllegalStateException("delivered " + rows + " of " + it.datasetRows() + " rows");
                    }
                    if (r >= 0) {
                        mbps[o][r] = it.stats().bytes() / 1e6 / s;
                        cpu[o][r] = (os.getProcessCpuTime() - c0) / 1e9;
                    }
                }
            }
        }
        for (int o = 0; o < orders.size(); o++) {
            double[] m = mbps[o].clone();
            double[] c = cpu[o].clone();
            Arrays.sort(m);
            Arrays.sort(c);
            System.out.printf("loader=%s workers=%d backend=%s mbps=%.1f cpu_s=%.2f all=%s%n", orders.get(o), workers,
                    backend, m[repeat / 2], c[repeat / 2],
                    Arrays.toString(Arrays.stream(mbps[o]).map(v -> Math.round(v)).toArray()));
        }
        return 0;
    }

    /**
     * @param args see {@code --help}
     */
    public static void main(String[] args) {
        System.exit(new CommandLine(new LoaderBench()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
    }
}
