package org.multitables4j.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.multitables4j.internal.BenchmarkHook;
import org.multitables4j.reader.Hdf5Dataset;
import org.multitables4j.reader.Hdf5Reader;
import org.multitables4j.reader.RequestQueue;
import org.multitables4j.reader.StagedArray;

/**
 * Random single-row requests through {@link Hdf5Reader} (a queue of 64 in flight, requested in a
 * shuffled order, a fresh reader and so a cold chunk cache each pass), rows/s, median of 3 passes
 * after a warm-up pass, against h5py fancy indexing of the same rows, sorted
 * ({@code reader_peer.py}, run from here when {@code --peer} is given).
 *
 * <p>The rows are {@code n} distinct indices drawn with {@code SplittableRandom(7)} and sorted;
 * they are written one per line to the {@code --indices} file (default
 * {@code reader_bench_indices.txt} in the temporary directory), which {@code reader_peer.py} reads,
 * so both read exactly the same rows. Also printed: the chunks the rows touch and the time one
 * thread takes to read and decode each of them once, which bounds the reader's rate on
 * {@code workers} cores ({@code decode_bound_rows_per_s}).
 *
 * <p>With {@code --one-by-one}, the shuffled order the requests were made in is written next to
 * the indices ({@code PATH.order}) and the peer also reads the rows with h5py one at a time in that
 * order ({@code h[DATASET][row]}, the same chunk cache), the other figure of comparison.
 *
 * <p>Usage: {@code ReaderBench FILE DATASET [requests=10000] [workers=2] [cacheMiB=512, or default: the
 * reader's own default store]
 * [--indices PATH] [--peer reader_peer.py] [--one-by-one] [--python /usr/bin/python3]}.
 */
public final class ReaderBench {
    private static final Pattern RATE = Pattern.compile("rows_per_s=(\\d+(?:\\.\\d+)?)");

    private ReaderBench() {
    }

    /**
     * @param args file, dataset, request count (10000), workers (2), cache MiB (512), then the
     *             options {@code --indices PATH}, {@code --peer SCRIPT}, {@code --one-by-one},
     *             {@code --python EXE}
     * @throws Exception when the peer cannot be run
     */
    public static void main(String[] args) throws Exception {
        List<String> pos = new ArrayList<>();
        Path indicesFile = Path.of(System.getProperty("java.io.tmpdir"), "reader_bench_indices.txt");
        Path peer = null;
        String python = "/usr/bin/python3";
        boolean oneByOne = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--indices" -> indicesFile = Path.of(args[++i]);
                case "--peer" -> peer = Path.of(args[++i]);
                case "--python" -> python = args[++i];
                case "--one-by-one" -> oneByOne = true;
                default -> pos.add(args[i]);
            }
        }
        if (pos.size() < 2) {
            System.err.println("usage: ReaderBench FILE DATASET [requests] [workers] [cacheMiB] [--indices PATH] "
                    + "[--peer reader_peer.py] [--one-by-one] [--python /usr/bin/python3]");
            System.exit(2);
        }
        Path file = Path.of(pos.get(0));
        String path = pos.get(1);
        int n = pos.size() > 2 ? Integer.parseInt(pos.get(2)) : 10_000;
        int workers = pos.size() > 3 ? Integer.parseInt(pos.get(3)) : 2;
        String cacheArg = pos.size() > 4 ? pos.get(4) : "512";
        long cacheBytes = cacheArg.equals("default") ? -1 : Long.parseLong(cacheArg) << 20;

        long[] idx;
        int blockRows;
        try (Hdf5Reader reader = open(file, workers, cacheBytes)) {
            Hdf5Dataset ds = reader.dataset(path);
            idx = indices(n, ds.rows());
            int[] chunk = ds.chunkShape();
            blockRows = chunk == null ? 0 : chunk[0];
        }
        writeIndices(indicesFile, idx);
        System.out.println("# " + idx.length + " sorted distinct rows (SplittableRandom(7)) written to " + indicesFile);
        long[] shuffled = idx.clone();
        SplittableRandom rnd = new SplittableRandom(8);
        for (int i = shuffled.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            long t = shuffled[i];
            shuffled[i] = shuffled[j];
            shuffled[j] = t;
        }
        Path orderFile = Path.of(indicesFile + ".order");
        if (oneByOne) {
            writeIndices(orderFile, shuffled);
        }

        double[] rates = new double[3];
        double checksum = 0;
        for (int run = -1; run < 3; run++) {
            try (Hdf5Reader r2 = open(file, workers, cacheBytes)) { // cold chunk cache each pass
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
                checksum = sum;
                if (run == 2) {
                    System.out.println("# cache " + r2.cacheStats());
                }
            }
        }
        Arrays.sort(rates);
        double ours = rates[1];
        System.out.printf(Locale.ROOT, "reader=multitables4j workers=%d random_single_rows=%d rows_per_s=%.0f "
                + "(passes %.0f..%.0f) checksum_x0=%.6g%n", workers, n, ours, rates[0], rates[2], checksum);

        if (blockRows > 0) {
            decodeBound(file, path, idx, blockRows, workers, n);
        }

        if (peer != null) {
            for (String line : runPeer(python, peer, file, path, indicesFile, oneByOne ? orderFile : null)) {
                System.out.println(line);
                Matcher m = RATE.matcher(line);
                if (m.find()) {
                    double theirs = Double.parseDouble(m.group(1));
                    String what = line.contains("one_by_one") ? "h5py one by one, same order" : "h5py fancy, sorted";
                    System.out.printf(Locale.ROOT, "ratio multitables4j / %s = %.2fx%n", what, ours / theirs);
                }
            }
        }
    }

    /** @return a reader with {@code cacheBytes} per dataset, or the default store where it is -1 */
    private static Hdf5Reader open(Path file, int workers, long cacheBytes) {
        return cacheBytes < 0 ? Hdf5Reader.open(file, workers) : Hdf5Reader.open(file, workers, cacheBytes);
    }

    /** @return {@code n} distinct rows below {@code rows}, sorted: SplittableRandom(7), first draws kept */
    static long[] indices(int n, long rows) {
        if (n > rows) {
            throw new IllegalArgumentException(n + " distinct rows of " + rows);
        }
        long[] idx = new SplittableRandom(7).longs(Long.MAX_VALUE, 0, rows).distinct().limit(n).toArray();
        Arrays.sort(idx);
        return idx;
    }

    private static void writeIndices(Path f, long[] idx) {
        try {
            Path parent = f.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.write(f, LongStream.of(idx).mapToObj(Long::toString).collect(Collectors.toList()), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads and decodes every chunk the rows touch once on one thread (median of 3 passes after
     * a warm-up) and prints the rate that {@code workers} perfectly scaled workers could reach if
     * decoding were all they did.
     */
    private static void decodeBound(Path file, String path, long[] idx, int blockRows, int workers, int n) {
        int[] blocks = LongStream.of(idx).mapToInt(r -> (int) (r / blockRows)).distinct().toArray();
        int blockCount = BenchmarkHook.layout(file, path).blockCount();
        BenchmarkHook.readBlocks(file, path, blocks, 1);
        double[] secs = BenchmarkHook.readBlocks(file, path, blocks, 3);
        Arrays.sort(secs);
        double s = secs[1];
        System.out.printf(Locale.ROOT, "# the rows touch %d of %d chunks; reading and decoding them once takes %.3f s "
                        + "on one thread (%.2f ms per chunk), so %d workers need at least %.3f s: "
                        + "decode_bound_rows_per_s=%.0f%n", blocks.length, blockCount, s, 1e3 * s / blocks.length,
                workers, s / workers, n / (s / workers));
    }

    private static List<String> runPeer(String python, Path peer, Path file, String path, Path indices, Path order)
            throws Exception {
        List<String> cmd = new ArrayList<>(List.of(python, peer.toString(), file.toString(), path, indices.toString()));
        if (order != null) {
            cmd.add(order.toString());
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> rates = new ArrayList<>();
        StringBuilder all = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                all.append(line).append('\n');
                if (line.startsWith("reader=")) {
                    rates.add(line);
                } else {
                    System.out.println(line);
                }
            }
        }
        int rc = p.waitFor();
        if (rc != 0 || rates.isEmpty()) {
            throw new IllegalStateException(peer + " failed (exit " + rc + "):\n" + all);
        }
        return rates;
    }
}
