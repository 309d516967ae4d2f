package org.multitables4j.benchmarks;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.multitables4j.Hdf5DataSetIterator;
import org.multitables4j.Order;
import org.multitables4j.ReadStats;
import org.multitables4j.RemoteOptions;
import org.nd4j.linalg.dataset.DataSet;

/**
 * One file streamed from local disk and from HDFS (a one-DataNode MiniDFSCluster in this JVM),
 * side by side: throughput of decoded rows, and for HDFS the bytes and read calls per epoch
 * against the file size. Then the DataNode's own ceiling: the file read from HDFS without
 * decoding, by one sequential stream and by two threads of 1 MiB positional reads (what the
 * workers' chunk reads look like).
 *
 * <p>{@code java -cp ... org.multitables4j.benchmarks.RemoteBench [--file F] [--rows N]
 * [--workers W] [--batch B] [--order ORDERED,SHUFFLED,...]}; the file (float32 [rows, 256],
 * 1024-row chunks, gzip 4 + shuffle, standard normal values) is written with h5py when missing.
 */
public final class RemoteBench {
    private RemoteBench() {
    }

    /**
     * @param args see the class comment
     * @throws Exception if the file cannot be written or HDFS does not start
     */
    public static void main(String[] args) throws Exception {
        Path file = Path.of("/tmp/remote-bench.h5");
        long rows = 400_000;
        int workers = 2;
        int batch = 1024;
        List<Order> orders = List.of(Order.ORDERED);
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--file" -> file = Path.of(args[i + 1]);
                case "--rows" -> rows = Long.parseLong(args[i + 1]);
                case "--workers" -> workers = Integer.parseInt(args[i + 1]);
                case "--batch" -> batch = Integer.parseInt(args[i + 1]);
                case "--order" -> orders = Arrays.stream(args[i + 1].split(",")).map(Order::valueOf).toList();
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (!Files.exists(file)) {
            write(file, rows);
        }
        long size = Files.size(file);
        Path base = Files.createTempDirectory("remote-bench-dfs");
        Configuration conf = new Configuration();
        MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf, base.toFile()).numDataNodes(1).build();
        try {
            cluster.waitActive();
            cluster.getFileSystem().copyFromLocalFile(new org.apache.hadoop.fs.Path(file.toUri()),
                    new org.apache.hadoop.fs.Path("/bench/data.h5"));
            URI uri = URI.create(cluster.getFileSystem().getUri() + "/bench/data.h5");
            ReadStats stats = new ReadStats();
            RemoteOptions remote = RemoteOptions.defaults().withHadoopConfiguration(conf).withStats(stats);
            System.out.printf(Locale.ROOT, "file %s: %d rows x 256 float32, %.1f MB stored, %d workers, batch %d%n",
                    file, rows, size / 1e6, workers, batch);
            System.out.printf(Locale.ROOT, "%-9s %-7s %8s %8s %11s %13s %12s%n", "order", "source", "MB/s", "x local",
                    "read calls", "bytes read", "x file size");
            for (Order order : orders) {
                Hdf5DataSetIterator.Builder local = Hdf5DataSetIterator.builder(file).features("/x").batchSize(batch)
                        .order(order).seed(1).workers(workers);
                Hdf5DataSetIterator.Builder hdfs = Hdf5DataSetIterator.builder(uri, remote).features("/x").batchSize(batch)
                        .order(order).seed(1).workers(workers);
                // warm-up: JIT, page cache of the local file and of the DataNode's block file
                epoch(local);
                epoch(hdfs);
                stats.reset();
                double[] l = epoch(local);
                double[] h = epoch(hdfs);
                System.out.printf(Locale.ROOT, "%-9s %-7s %8.0f %8s %11s %13s %12s%n", order, "local", l[1] / l[0] / 1e6,
                        "1.00", "-", "-", "-");
                System.out.printf(Locale.ROOT, "%-9s %-7s %8.0f %8.2f %11d %13d %12.4f%n", order, "hdfs", h[1] / h[0] / 1e6,
                        l[0] / h[0], stats.calls(), stats.bytes(), stats.bytes() / (double) size);
                System.out.println("  hdfs reads: " + stats);
            }
            org.apache.hadoop.fs.FileSystem fs = cluster.getFileSystem();
            org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path("/bench/data.h5");
            sequential(fs, p); // warm
            double seq = sequential(fs, p);
            double pread = positional(fs, p, size, 2);
            System.out.printf(Locale.ROOT, "DataNode ceiling, no decoding (MB/s of stored bytes): sequential %.0f, "
                    + "2 positional readers of 1 MiB %.0f%n", size / seq / 1e6, size / pread / 1e6);
        } finally {
            cluster.shutdown();
        }
    }

    /** @return seconds to read the whole file with one stream, 1 MiB at a time */
    private static double sequential(org.apache.hadoop.fs.FileSystem fs, org.apache.hadoop.fs.Path p) throws IOException {
        byte[] buf = new byte[1 << 20];
        long t0 = System.nanoTime();
        try (org.apache.hadoop.fs.FSDataInputStream in = fs.open(p)) {
            while (in.read(buf) >= 0) {
                // discard
            }
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** @return seconds for {@code threads} threads to read the file with 1 MiB positional reads, ranges dealt in turn */
    private static double positional(org.apache.hadoop.fs.FileSystem fs, org.apache.hadoop.fs.Path p, long size, int threads)
            throws Exception {
        int range = 1 << 20;
        long ranges = (size + range - 1) / range;
        Thread[] ts = new Thread[threads];
        Exception[] failed = new Exception[1];
        long t0 = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            int me = t;
            ts[t] = new Thread(() -> {
                byte[] buf = new byte[range];
                try (org.apache.hadoop.fs.FSDataInputStream in = fs.open(p)) {
                    for (long r = me; r < ranges; r += threads) {
                        long pos = r * range;
                        in.readFully(pos, buf, 0, (int) Math.min(range, size - pos));
                    }
                } catch (IOException e) {
                    failed[0] = e;
                }
            });
            ts[t].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        if (failed[0] != null) {
            throw failed[0];
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** @return {seconds, decoded bytes} of one epoch, open and close included */
    private static double[] epoch(Hdf5DataSetIterator.Builder b) {
        long t0 = System.nanoTime();
        long bytes = 0;
        try (Hdf5DataSetIterator it = b.build()) {
            while (it.hasNext()) {
                DataSet ds = it.next();
                bytes += ds.getFeatures().length() * 4;
            }
        }
        return new double[] {(System.nanoTime() - t0) / 1e9, bytes};
    }

    private static void write(Path file, long rows) throws IOException, InterruptedException {
        String py = "import sys, h5py, numpy as np\n"
                + "n = int(sys.argv[2]); rng = np.random.default_rng(0)\n"
                + "with h5py.File(sys.argv[1], 'w') as f:\n"
                + "    d = f.create_dataset('x', (n, 256), 'f4', chunks=(1024, 256), compression='gzip', compression_opts=4, shuffle=True)\n"
                + "    for s in range(0, n, 16384):\n"
                + "        e = min(n, s + 16384); d[s:e] = rng.standard_normal((e - s, 256), dtype=np.float32)\n";
        Process p = new ProcessBuilder("/usr/bin/python3", "-c", py, file.toString(), Long.toString(rows)).inheritIO().start();
        if (p.waitFor() != 0) {
            throw new IOException("h5py could not write " + file);
        }
    }
}
