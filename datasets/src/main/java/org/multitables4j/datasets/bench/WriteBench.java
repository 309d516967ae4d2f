package org.multitables4j.datasets.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import org.multitables4j.datasets.ElementKind;
import org.multitables4j.datasets.H5Writer;
import org.multitables4j.datasets.RowWriter;
import org.multitables4j.datasets.WriteOptions;

/**
 * Write throughput: appends the float32 rows of a {@code .npy} file (already in the page cache)
 * to a new HDF5 dataset with gzip 4 + shuffle and 1 MiB chunks, median of 3 runs.
 * Usage: {@code WriteBench data.npy out.h5 [threads]}; prints {@code writer=multitables4j rows_per_s=...}.
 */
public final class WriteBench {
    private WriteBench() {
    }

    /**
     * @param args npy file, output file, optional thread count
     * @throws Exception on I/O errors
     */
    public static void main(String[] args) throws Exception {
        Path npy = Path.of(args[0]);
        Path out = Path.of(args[1]);
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : Runtime.getRuntime().availableProcessors();
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
        double[] rates = new double[3];
        for (int run = 0; run < 3; run++) {
            long t0 = System.nanoTime();
            try (H5Writer w = H5Writer.create(out)) {
                RowWriter x = w.dataset("/x", ElementKind.FLOAT32, new long[] {256},
                        WriteOptions.DEFAULT.withGzip(4).withShuffle(true).withThreads(threads));
                int block = 65536 * 256 * 4;
                for (int off = 0; off < all.capacity(); off += block) {
                    ByteBuffer b = all.duplicate().position(off).limit(Math.min(all.capacity(), off + block));
                    x.append(b);
                }
            }
            rates[run] = rows / ((System.nanoTime() - t0) / 1e9);
        }
        java.util.Arrays.sort(rates);
        System.out.printf("writer=multitables4j threads=%d rows_per_s=%.0f%n", threads, rates[1]);
    }
}
