package org.multitables4j.benchmarks;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.multitables4j.reader.Hdf5Reader;
import org.multitables4j.reader.Hdf5Table;

/**
 * Table queries through the Reader against PyTables on the same file and the same queries
 * ({@code table_query_peer.py}, which also writes the file when it is missing): {@code where}
 * ({@code get_where_list}), {@code read_where} (whole records), {@code read_sorted} of 100 000
 * positions through the CSI index, {@code read_coordinates} of 10 000 sorted random rows (each side
 * draws its own). Each side: best of 3 passes after the file is open, a fresh reader per query
 * kind, so the reader's chunk cache is cold in the first pass and warm in the others (as
 * PyTables' own chunk cache and the page cache are).
 *
 * <p>Usage: {@code TableQueryBench FILE [rows=1000000] [workers=2] [--python /usr/bin/python3]
 * [--peer table_query_peer.py]}.
 */
public final class TableQueryBench {
    private TableQueryBench() {
    }

    /**
     * @param args file, rows, workers, then {@code --python EXE}, {@code --peer SCRIPT}
     * @throws Exception when the peer cannot be run
     */
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        long n = args.length > 1 && !args[1].startsWith("--") ? Long.parseLong(args[1]) : 1_000_000;
        int workers = args.length > 2 && !args[2].startsWith("--") ? Integer.parseInt(args[2]) : 2;
        String python = "/usr/bin/python3";
        Path peer = Path.of("benchmarks", "table_query_peer.py");
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals("--python")) {
                python = args[i + 1];
            } else if (args[i].equals("--peer")) {
                peer = Path.of(args[i + 1]);
            }
        }
        Map<String, String[]> py = new HashMap<>();
        Process p = new ProcessBuilder(python, peer.toString(), file.toString(), Long.toString(n)).redirectErrorStream(true).start();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                String[] f = line.trim().split("\\s+");
                if (f.length == 3) {
                    py.put(f[0], f);
                } else {
                    System.err.println("peer: " + line);
                }
            }
        }
        p.waitFor();
        if (!Files.exists(file)) {
            throw new IllegalStateException("the peer did not write " + file);
        }
        long[] coords = new java.util.SplittableRandom(7).longs(20_000, 0, n).distinct().limit(10_000).sorted().toArray();
        List<Object[]> queries = List.of(
            new Object[] {"where", (java.util.function.Function<Hdf5Table, Integer>) t ->
                t.where("(x > lim) & (k != 0)").bind("lim", 0.25).coordinates().length},
            new Object[] {"read_where", (java.util.function.Function<Hdf5Table, Integer>) t ->
                t.where("(x > lim) & (k != 0)").bind("lim", 0.25).read().rows()},
            new Object[] {"read_sorted_100k", (java.util.function.Function<Hdf5Table, Integer>) t ->
                t.readSorted("x").checkCSI(true).range(0, 100_000).read().rows()},
            new Object[] {"read_coordinates_10k", (java.util.function.Function<Hdf5Table, Integer>) t ->
                t.read(t.readCoordinates(coords)).rows()});
        System.out.printf(Locale.ROOT, "%-22s %12s %12s %8s %10s%n", "query", "reader_s", "pytables_s", "ratio", "results");
        for (Object[] q : queries) {
            @SuppressWarnings("unchecked")
            java.util.function.Function<Hdf5Table, Integer> run = (java.util.function.Function<Hdf5Table, Integer>) q[1];
            double best = Double.MAX_VALUE;
            int count = 0;
            try (Hdf5Reader reader = Hdf5Reader.open(file, workers)) {
                Hdf5Table t = reader.table("/table");
                for (int i = 0; i < 3; i++) {
                    long t0 = System.nanoTime();
                    count = run.apply(t);
                    best = Math.min(best, (System.nanoTime() - t0) / 1e9);
                }
            }
            String[] other = py.get((String) q[0]);
            double ps = other == null ? Double.NaN : Double.parseDouble(other[1]);
            System.out.printf(Locale.ROOT, "%-22s %12.4f %12.4f %8.2f %10d%s%n", q[0], best, ps, ps / best, count,
                    other != null && Integer.parseInt(other[2]) != count ? " (PyTables: " + other[2] + ")" : "");
        }
    }
}
