package org.multitables4j.datasets.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import org.multitables4j.datasets.ElementKind;
import org.multitables4j.datasets.H5Writer;
import org.multitables4j.datasets.RowWriter;
import org.multitables4j.datasets.WriteOptions;

/**
 * Write throughput of {@link H5Writer}: appends the float32 [N, 256] rows of a {@code .npy} file
 * (mapped, so already in the page cache after the first run) to a new dataset with gzip 4 +
 * shuffle and 1024-row (1 MiB) chunks, in blocks of 65 536 rows, exactly like
 * {@code datasets/bench/h5py_write.py} does with h5py. Prints the median of {@code runs} runs.
 *
 * <p>Usage: {@code WriteBench data.npy out.h5 [threads [runs]]}; prints
 * {@code writer=multitables4j threads=T rows_per_s=R}. Make the data with
 * {@code datasets/bench/make_data.py}.
 */
public final class WriteBench {
    private WriteBench() {
    }

    /**
     * @param args npy file, output file, optional thread count, optional number of runs
     * @throws Exception on I/O errors
     */
    public static void main(String[] args) throws Exception {
        Path npy = Path.of(args[0]);
        Path out = Path.of(args[1]);
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : Runtime.getRuntime().availableProcessors();
        int runs = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        ByteBuffer all;
        long rows;
        try (FileChannel ch = FileChannel.open(npy)) {
            ByteBuffer pre = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(pre, 0);
            int hl = pre.getShort(8) & 0xffff;
            long start = 10 + hl;
            all = ch.map(FileChannel.MapMode.READ_ONLY, start, ch.size() - start).order(ByteOrder.LITTLE_ENDIAN);
            rows = (ch.size() - start) / (256 * 4);
        }
        WriteOptions options = WriteOptions.builder().gzip(4).shuffle(true).chunkRows(1024).threads(threads).build();
        double[] rates = new double[runs];
        for (int run = 0; run < runs; run++) {
            long t0 = System.nanoTime();
            try (H5Writer w = H5Writer.create(out)) {
                RowWriter x = w.dataset("/x", ElementKind.FLOAT32, new long[] {256}, options);
                int block = 65536 * 256 * 4;
                for (int off = 0; off < all.capacity(); off += block) {
                    x.append(all.duplicate().position(off).limit(Math.min(all.capacity(), off + block)));
                }
            }
            rates[run] = rows / ((System.nanoTime() - t0) / 1e9);
        }
        Arrays.sort(rates);
        System.out.printf("writer=multitables4j threads=%d rows_per_s=%.0f runs=%s%n", threads, rates[runs / 2],
                Arrays.toString(Arrays.stream(rates).mapToLong(Math::round).toArray()));
    }
}
