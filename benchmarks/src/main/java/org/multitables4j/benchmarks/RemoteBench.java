package org.multitables4j.benchmarks;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * against the file size.
 *
 * <p>{@code java -cp ... org.multitables4j.benchmarks.RemoteBench [--file F] [--rows N]
 * [--workers W] [--batch B] [--order ORDERED|SHUFFLED|...]}; the file (float32 [rows, 256],
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
        Order order = Order.ORDERED;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--file" -> file = Path.of(args[i + 1]);
                case "--rows" -> rows = Long.parseLong(args[i + 1]);
                case "--workers" -> workers = Integer.parseInt(args[i + 1]);
                case "--batch" -> batch = Integer.parseInt(args[i + 1]);
                case "--order" -> order = Order.valueOf(args[i + 1]);
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
            System.out.printf(Locale.ROOT, "file %s: %d rows x 256 float32, %.1f MB stored, %s, %d workers, batch %d%n",
                    file, rows, size / 1e6, order, workers, batch);
            System.out.printf(Locale.ROOT, "%-10s %10s %10s %12s %14s %12s%n", "source", "MB/s", "x local", "read calls",
                    "bytes read", "x file size");
            System.out.printf(Locale.ROOT, "%-10s %10.0f %10s %12s %14s %12s%n", "local", l[1] / l[0] / 1e6, "1.00", "-", "-", "-");
            System.out.printf(Locale.ROOT, "%-10s %10.0f %10.2f %12d %14d %12.4f%n", "hdfs", h[1] / h[0] / 1e6,
                    l[0] / h[0], stats.calls(), stats.bytes(), stats.bytes() / (double) size);
            System.out.println("hdfs reads: " + stats);
        } finally {
            cluster.shutdown();
        }
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
