package org.multitables4j.benchmarks;

import com.sun.management.ThreadMXBean;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.dataset.ChunkedDataset;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.Inflater;
import org.deeplearning4j.datasets.iterator.AsyncDataSetIterator;
import org.multitables4j.Hdf5DataSetIterator;
import org.multitables4j.Backend;
import org.multitables4j.Order;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * One run, one table: every contender reads the same dataset (all rows, decoded), median of
 * {@code --repeat} passes after a warm-up pass, in MB/s of decoded rows and as ratios to h5py's
 * serial read and to the decode limit. Also: consumer-side {@code next()} latency and allocation
 * per batch, and memory across many epochs. Writes the table to stdout and CSV to {@code --csv}.
 */
@Command(name = "harness", mixinStandardHelpOptions = true,
        description = "Side-by-side throughput of the loader, jhdf, a naive DL4J iterator, h5py and multitables.")
public final class Harness implements Callable<Integer> {
    @Parameters(index = "0", description = "HDF5 file")
    Path file;

    @Parameters(index = "1", description = "dataset path, e.g. /x")
    String dataset;

    @Option(names = "--batch", description = "rows per batch (default: ${DEFAULT-VALUE})")
    int batch = 1024;

    @Option(names = "--repeat", description = "measured passes per contender (default: ${DEFAULT-VALUE})")
    int repeat = 3;

    @Option(names = "--multitables", description = "directory holding the multitables package source (optional)")
    Path multitables;

    @Option(names = "--peer-script", description = "the peer figures script (default: ${DEFAULT-VALUE})")
    Path peerScript = Path.of("benchmarks/peer_figures.py");

    @Option(names = "--csv", description = "also write the table as CSV here")
    Path csv;

    @Option(names = "--epochs", description = "epochs of the memory check (default: ${DEFAULT-VALUE})")
    int memoryEpochs = 20;

    @Option(names = "--backends-only", description = "run only the threads-vs-processes comparison and time to first batch")
    private boolean backendsOnly;

    @Option(names = "--skip-slow", description = "skip the jhdf-based contenders")
    boolean skipSlow;

    @Option(names = "--column", description = "read this column of a compound (table) dataset; only our contenders run")
    String column;

    @Option(names = "--cold", description = "drop the file from the page cache before every pass (a file larger than "
            + "the page cache, read from the disk); only the main contenders run, and the peers through --cold-peer-script")
    boolean cold;

    @Option(names = "--cold-peer-script", description = "cold_peers.py, the peers with a cold cache (default: ${DEFAULT-VALUE})")
    Path coldPeerScript = Path.of("benchmarks/cold_peers.py");

    private final Map<String, Double> mbps = new LinkedHashMap<>();
    final Map<String, String> notes = new LinkedHashMap<>();
    long totalBytes;
    long rows;
    private int rowElements;
    private int elemSize;
    private final PrintStream out = System.out;

    interface Pass {
        long run() throws Exception;
    }

    double measure(String name, Pass pass) {
        double[] r = new double[repeat];
        try {
            dropCache();
            pass.run();
            for (int i = 0; i < repeat; i++) {
                dropCache();
                long t0 = System.nanoTime();
                long bytes = pass.run();
                r[i] = bytes / 1e6 / ((System.nanoTime() - t0) / 1e9);
            }
        } catch (Exception e) {
            notes.put(name, "failed: " + e.getMessage());
            out.printf(Locale.ROOT, "%-34s failed: %s%n", name, e.getMessage());
            return Double.NaN;
        }
        Arrays.sort(r);
        double med = r[repeat / 2];
        mbps.put(name, med);
        out.printf(Locale.ROOT, "%-34s %10.1f MB/s  passes %s%n", name, med,
                Arrays.toString(Arrays.stream(r).map(Math::round).toArray()));
        return med;
    }

    /** With {@code --cold}: evicts the file's pages from the page cache (GNU dd, POSIX_FADV_DONTNEED). */
    private void dropCache() throws IOException, InterruptedException {
        if (!cold) {
            return;
        }
        Process p = new ProcessBuilder("dd", "if=" + file, "iflag=nocache", "count=0", "status=none")
                .redirectErrorStream(true).start();
        String msg = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor() != 0) {
            throw new IOException("cannot drop " + file + " from the page cache: " + msg);
        }
    }

    private Hdf5DataSetIterator.Builder builder() {
        Hdf5DataSetIterator.Builder b = Hdf5DataSetIterator.builder(file);
        return column == null ? b.features(dataset) : b.features(dataset, column);
    }

    private long ours(Order order, int workers) {
        try (Hdf5DataSetIterator it = builder().batchSize(batch)
                .order(order).workers(workers).seed(1).build()) {
            return epochBytes(it);
        }
    }

    /** Reads one epoch; returns the stored bytes delivered (checked to be the whole dataset). */
    private long epochBytes(Hdf5DataSetIterator it) {
        long n = 0;
        while (it.hasNext()) {
            n += it.next().getFeatures().size(0);
        }
        if (n != rows) {
            throw new IllegalStateException("delivered " + n + " of " + rows + " rows");
        }
        return n * rowElements * (long) elemSize;
    }

    /**
     * One iterator kept across passes (each pass is reset() + one epoch), so that the process
     * backend's JVM start-up is measured once, by {@link #firstBatch}, not in every pass.
     */
    private Pass reused(Order order, int workers, Backend backend, List<AutoCloseable> open) {
        Hdf5DataSetIterator it = builder().batchSize(batch).order(order).workers(workers).seed(1).backend(backend).build();
        open.add(it);
        return () -> {
            it.reset();
            return epochBytes(it);
        };
    }

    /** Median time from build() to the first batch in hand, in milliseconds. */
    private void firstBatch(Backend backend) {
        double[] ms = new double[5];
        for (int i = 0; i < ms.length; i++) {
            long t0 = System.nanoTime();
            try (Hdf5DataSetIterator it = builder().batchSize(batch).order(Order.ORDERED).workers(2).backend(backend)
                    .build()) {
                it.next();
                ms[i] = (System.nanoTime() - t0) / 1e6;
            }
        }
        Arrays.sort(ms);
        out.printf(Locale.ROOT, "time to first batch, %s, 2 workers: median %.0f ms of %s%n", backend, ms[2],
                Arrays.toString(Arrays.stream(ms).map(Math::round).toArray()));
        notes.put("time to first batch " + backend + " ms", String.format(Locale.ROOT, "%.0f", ms[2]));
    }

    private long naiveAsync() {
        try (HdfFile f = new HdfFile(file)) {
            Dataset ds = f.getDatasetByPath(dataset);
            DataSetIterator it = new AsyncDataSetIterator(new NaiveJhdfIterator(ds, batch), 8);
            long n = 0;
            while (it.hasNext()) {
                n += it.next().getFeatures().size(0);
            }
            ((AsyncDataSetIterator) it).shutdown();
            return n * rowElements * (long) elemSize;
        }
    }

    private long jhdfSerial() {
        try (HdfFile f = new HdfFile(file)) {
            Dataset ds = f.getDatasetByPath(dataset);
            int step = ds instanceof ChunkedDataset ? ((ChunkedDataset) ds).getChunkDimensions()[0] : batch;
            int[] dims = ds.getDimensions();
            long n = 0;
            for (long p = 0; p < rows; p += step) {
                int[] d = dims.clone();
                d[0] = (int) Math.min(step, rows - p);
                long[] off = new long[d.length];
                off[0] = p;
                Object data = ds.getData(off, d);
                n += java.lang.reflect.Array.getLength(data);
            }
            return n * rowElements * (long) elemSize;
        }
    }

    private void memcpy() {
        ByteBuffer a = ByteBuffer.allocateDirect(256 << 20);
        ByteBuffer b = ByteBuffer.allocateDirect(256 << 20);
        measure("memcpy (1 thread)", () -> {
            b.clear();
            b.put(a.clear());
            return a.capacity();
        });
    }

    private void peers() {
        Path script = cold ? coldPeerScript : peerScript;
        if (multitables == null || !Files.isRegularFile(script)) {
            notes.put("peers", "h5py/multitables not run (give --multitables and " + (cold ? "--cold-peer-script" : "--peer-script") + ")");
            return;
        }
        try {
            Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), file.toString(), dataset,
                    multitables.toString(), "2").redirectErrorStream(true).start();
            List<String> other = new ArrayList<>();
            Pattern line = Pattern.compile("peer=(\\S+) mbps=([0-9.]+)(.*)");
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String s;
                while ((s = r.readLine()) != null) {
                    Matcher m = line.matcher(s);
                    if (m.find()) {
                        mbps.put(m.group(1), Double.parseDouble(m.group(2)));
                        out.printf(Locale.ROOT, "%-34s %10.1f MB/s %s%n", m.group(1), Double.parseDouble(m.group(2)), m.group(3).trim());
                        if (!m.group(3).isBlank()) {
                            notes.put(m.group(1), m.group(3).trim());
                        }
                    } else {
                        other.add(s);
                    }
                }
            }
            if (p.waitFor() != 0) {
                // e.g. h5py without the blosc plugin: say why the peers are missing
                String tail = String.join(" | ", other.subList(Math.max(0, other.size() - 3), other.size()));
                notes.put("peers", "failed (exit " + p.exitValue() + "): " + tail);
                out.println("# peers failed: " + tail);
            }
        } catch (IOException e) {
            notes.put("peers", "failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** next() latency with a ready ring, and bytes allocated per batch by the consumer and the workers. */
    private void consumerCost() throws InterruptedException {
        ThreadMXBean tmx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Hdf5DataSetIterator it = builder().batchSize(128)
                .order(Order.ORDERED).workers(2).prefetch(16).cyclic(true).build()) {
            for (int i = 0; i < 200; i++) {
                it.next();
            }
            int n = 2000;
            long[] lat = new long[n];
            long[] workerIds = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("multitables4j-")).mapToLong(Thread::getId).toArray();
            long consumerBefore = tmx.getThreadAllocatedBytes(Thread.currentThread().getId());
            long workersBefore = Arrays.stream(tmx.getThreadAllocatedBytes(workerIds)).sum();
            for (int i = 0; i < n; i++) {
                Thread.sleep(0, 200_000);
                long t0 = System.nanoTime();
                it.next();
                lat[i] = System.nanoTime() - t0;
            }
            long consumerAlloc = tmx.getThreadAllocatedBytes(Thread.currentThread().getId()) - consumerBefore;
            long workersAlloc = Arrays.stream(tmx.getThreadAllocatedBytes(workerIds)).sum() - workersBefore;
            Arrays.sort(lat);
            out.printf(Locale.ROOT, "next() on a ready ring: p50 %.1f us, p99 %.1f us; allocated per batch: consumer %d B,"
                            + " workers %d B (batch of 128 rows = %d B of payload)%n", lat[n / 2] / 1e3, lat[n * 99 / 100] / 1e3,
                    consumerAlloc / n, workersAlloc / n, 128L * rowElements * 4);
            notes.put("next() p50 us", String.format(Locale.ROOT, "%.1f", lat[n / 2] / 1e3));
        }
    }

    private static long rssKb() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("VmRSS:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    private static long directBytes() {
        return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).mapToLong(BufferPoolMXBean::getMemoryUsed).sum();
    }

    private void memory() {
        try (Hdf5DataSetIterator it = builder().batchSize(batch)
                .order(Order.SHUFFLED).workers(2).build()) {
            long rss1 = 0;
            long dir1 = 0;
            for (int e = 0; e < memoryEpochs; e++) {
                it.reset();
                while (it.hasNext()) {
                    it.next();
                }
                if (e == 1) {
                    rss1 = rssKb();
                    dir1 = directBytes();
                }
            }
            long rss = rssKb();
            long dir = directBytes();
            out.printf(Locale.ROOT, "memory over %d SHUFFLED epochs: RSS %d -> %d MB (%+.1f%%), direct %d -> %d MB (%+.1f%%)%n",
                    memoryEpochs, rss1 / 1024, rss / 1024, 100.0 * (rss - rss1) / rss1, dir1 >> 20, dir >> 20,
                    100.0 * (dir - dir1) / Math.max(1, dir1));
        }
    }

    @Override
    public Integer call() throws Exception {
        try (Hdf5DataSetIterator probe = builder().batchSize(batch).build()) {
            rows = probe.datasetRows();
            rowElements = probe.inputColumns();
        }
        if (column != null) {
            elemSize = 4; // columns are counted as delivered float32 values
            skipSlow = true;
            multitables = null;
        } else {
            try (HdfFile f = new HdfFile(file)) {
                elemSize = f.getDatasetByPath(dataset).getDataType().getSize();
            }
        }
        totalBytes = rows * rowElements * (long) elemSize;
        out.printf(Locale.ROOT, "# %s %s: %d rows x %d, %.1f MB as stored (%d-byte elements; MB/s below count stored bytes,"
                        + " as peer_bench does), %d cores, batch %d%n", file, dataset, rows, rowElements, totalBytes / 1e6,
                elemSize, Runtime.getRuntime().availableProcessors(), batch);
        if (!backendsOnly) {
            peers();
        }
        for (int w : backendsOnly ? new int[0] : new int[] {1, 2}) {
            for (Order o : Order.values()) {
                if (w == 1 && o != Order.ORDERED || cold && (w == 1 || o == Order.RANDOM_WITH_REPLACEMENT)) {
                    continue;
                }
                measure("multitables4j " + o + " threads=" + w, () -> ours(o, w));
            }
        }
        if (cold) {
            List<AutoCloseable> kept = new ArrayList<>();
            try {
                measure("multitables4j ORDERED processes=2 (kept across passes)", reused(Order.ORDERED, 2, Backend.PROCESSES, kept));
            } finally {
                for (AutoCloseable c : kept) {
                    c.close();
                }
            }
            report(Double.NaN);
            return 0;
        }
        double zlibLimit = column == null ? DecodeLimits.zlib(this) : Double.NaN;
        double ownLimit = column == null ? DecodeLimits.ownDecoder(this) : Double.NaN;
        double limit = Double.isNaN(ownLimit) ? zlibLimit : ownLimit;
        if (!backendsOnly) {
            memcpy();
        }
        if (!skipSlow && !backendsOnly) {
            // a file jhdf cannot read (blosc) would leave DL4J's AsyncDataSetIterator waiting for
            // its failed prefetch thread: the naive iterator runs only where jhdf reads the file
            if (!Double.isNaN(measure("jhdf getData per chunk, serial", this::jhdfSerial))) {
                measure("naive jhdf iterator + AsyncDataSetIterator", this::naiveAsync);
            }
        }
        List<AutoCloseable> open = new ArrayList<>();
        try {
            for (Order o : new Order[] {Order.ORDERED, Order.AS_AVAILABLE, Order.SHUFFLED, Order.RANDOM}) {
                for (Backend be : Backend.values()) {
                    measure("multitables4j " + o + " " + be.name().toLowerCase(Locale.ROOT) + "=2 (kept across passes)",
                            reused(o, 2, be, open));
                }
            }
            measure("multitables4j ORDERED processes=1 (kept across passes)", reused(Order.ORDERED, 1, Backend.PROCESSES, open));
        } finally {
            for (AutoCloseable c : open) {
                c.close();
            }
        }
        firstBatch(Backend.THREADS);
        firstBatch(Backend.PROCESSES);
        if (!backendsOnly) {
            consumerCost();
            memory();
        }
        report(limit);
        return 0;
    }

    /** Prints the table and the notes, and writes the CSV. */
    private void report(double limit) throws IOException {
        Double h5py = mbps.get("h5py-serial");
        out.println();
        out.printf(Locale.ROOT, "%-44s %10s %10s %10s%n", "contender", "MB/s", "x h5py", "x decode");
        List<String> csvLines = new ArrayList<>();
        csvLines.add("contender,mbps,rows_per_s,ratio_h5py,ratio_decode_limit");
        for (Map.Entry<String, Double> e : mbps.entrySet()) {
            double v = e.getValue();
            double rh = h5py == null ? Double.NaN : v / h5py;
            double rd = Double.isNaN(limit) ? Double.NaN : v / limit;
            out.printf(Locale.ROOT, "%-44s %10.1f %10.2f %10.2f%n", e.getKey(), v, rh, rd);
            csvLines.add(String.format(Locale.ROOT, "\"%s\",%.1f,%.0f,%.3f,%.3f", e.getKey(), v,
                    v * 1e6 / ((double) rowElements * elemSize), rh, rd));
        }
        notes.forEach((k, v) -> out.println("# " + k + ": " + v));
        if (csv != null) {
            Files.write(csv, csvLines);
        }
    }

    /**
     * @param args see {@code --help}
     */
    public static void main(String[] args) {
        System.exit(new CommandLine(new Harness()).execute(args));
    }
}
