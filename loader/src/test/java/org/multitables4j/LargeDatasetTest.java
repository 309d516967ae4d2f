package org.multitables4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.multitables4j.reader.Hdf5Dataset;
import org.multitables4j.reader.Hdf5Reader;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * Datasets of more than 2^31 and 2^32 elements, made at test time by h5py in a temporary
 * directory (nothing is committed) and kept small on disk: the chunked datasets store only a few
 * chunks (the others are never written and read as the fill value), the contiguous one is a
 * sparse file whose unwritten bytes read as zeros.
 *
 * <p>Values of written rows: {@code v(r, c) = (r*131 + c*7 + (r >> 12)) % 251} for row r and
 * column c (c = 0 for the one-dimensional dataset); the float dataset holds {@code (v - 125) / 4}.
 * Fill values: 255 ({@code /chunked}), -2.5 ({@code /gzip_f4}), 254 ({@code /long1d}), 0
 * (contiguous). The generator needs {@code /usr/bin/python3} (system property
 * {@code multitables4j.test.python} to use another) with numpy and h5py.
 */
class LargeDatasetTest {
    /** Rows of /chunked and /contig: 2^22 + 3 rows of 1024 uint8, 2^32 + 3072 elements. */
    static final long R = (1L << 22) + 3;
    /** Rows of /gzip_f4: 2^21 + 5 rows of 1024 float32, 2^31 + 5120 elements. */
    static final long R4 = (1L << 21) + 5;
    /** Elements of /long1d. */
    static final long L = (1L << 32) + 5;
    static final int C = 1024;

    static final String SCRIPT = """
            import os, sys
            import numpy as np
            import h5py

            out = sys.argv[1]
            R = (1 << 22) + 3
            C = 1024


            def v(r0, r1, cols):
                r = np.arange(r0, r1, dtype=np.int64)[:, None]
                c = np.arange(cols, dtype=np.int64)[None, :]
                return (r * 131 + c * 7 + (r >> 12)) % 251


            with h5py.File(os.path.join(out, "big.h5"), "w") as f:
                d = f.create_dataset("chunked", shape=(R, C), dtype="u1", chunks=(1024, C), fillvalue=255)
                for r0 in (0, (1 << 21) - 1024, 1 << 21, (1 << 22) - 1024, 1 << 22):
                    d[r0:min(R, r0 + 1024)] = v(r0, min(R, r0 + 1024), C).astype("u1")
                R4 = (1 << 21) + 5
                g = f.create_dataset("gzip_f4", shape=(R4, C), dtype="<f4", chunks=(512, C), fillvalue=-2.5,
                                     compression="gzip", compression_opts=1, shuffle=True)
                for r0 in (0, (1 << 19) - 512, 1 << 19, (1 << 21) - 512, 1 << 21):
                    g[r0:min(R4, r0 + 512)] = (v(r0, min(R4, r0 + 512), C) - 125).astype("<f4") / 4
                L = (1 << 32) + 5
                o = f.create_dataset("long1d", shape=(L,), dtype="u1", chunks=(1 << 20,), fillvalue=254,
                                     compression="gzip", compression_opts=1)
                for r0 in (0, (1 << 31) - (1 << 20), 1 << 31, (1 << 32) - (1 << 20), 1 << 32):
                    o[r0:min(L, r0 + (1 << 20))] = v(r0, min(L, r0 + (1 << 20)), 1)[:, 0].astype("u1")

            # a contiguous dataset of 4 GiB is only cheap where the file system stores sparse files
            probe = os.path.join(out, "probe")
            with open(probe, "wb") as p:
                p.seek(64 << 20)
                p.write(b"x")
            sparse = os.stat(probe).st_blocks * 512 < (8 << 20)
            os.remove(probe)
            if sparse:
                path = os.path.join(out, "contig.h5")
                with h5py.File(path, "w") as f:
                    d = f.create_dataset("contig", shape=(R, C), dtype="u1")  # no fill value: nothing is pre-filled
                    for r0, r1 in ((R - 4, R), ((1 << 21) - 2, (1 << 21) + 2), (0, 2)):
                        d[r0:r1] = v(r0, r1, C).astype("u1")
                used = os.stat(path).st_blocks * 512
                if used > (50 << 20):
                    os.remove(path)
                    print("contiguous skipped: %d bytes on disk" % used)
                else:
                    print("CONTIGUOUS %d bytes on disk" % used)
            else:
                print("contiguous skipped: the file system does not keep files sparse")
            """;

    @TempDir
    static Path dir;
    static boolean contiguous;
    static String generatorOutput;

    @BeforeAll
    static void generate() throws IOException, InterruptedException {
        String python = System.getProperty("multitables4j.test.python", "/usr/bin/python3");
        Path script = dir.resolve("make_large.py");
        Files.writeString(script, SCRIPT);
        if (!Files.isExecutable(Path.of(python))) {
            fail("LargeDatasetTest generates its HDF5 files with " + python + " and h5py, which is not there; install "
                    + "python3 with numpy and h5py (Debian: apt-get install python3-h5py) or name another interpreter "
                    + "with -Dmultitables4j.test.python=...");
        }
        Process p = new ProcessBuilder(python, script.toString(), dir.toString()).redirectErrorStream(true).start();
        boolean done = p.waitFor(120, TimeUnit.SECONDS);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!done) {
            p.destroyForcibly();
            fail("the generator " + script + " did not finish in 2 minutes: " + out);
        }
        if (p.exitValue() != 0) {
            String hint = out.contains("No module named") ? " (" + python + " needs numpy and h5py: Debian "
                    + "apt-get install python3-h5py, or pip install h5py)" : "";
            fail("the generator failed with exit code " + p.exitValue() + hint + ":\n" + out);
        }
        generatorOutput = out;
        contiguous = out.contains("CONTIGUOUS");
    }

    /** The formula of written rows. */
    static int v(long r, long c) {
        return (int) ((r * 131 + c * 7 + (r >> 12)) % 251);
    }

    /** Whether a row of /chunked was written (the others hold the fill value). */
    static boolean chunkedWritten(long r) {
        long chunk = r / 1024;
        return chunk == 0 || chunk == (1L << 21) / 1024 - 1 || chunk == (1L << 21) / 1024
                || chunk >= (1L << 22) / 1024 - 1;
    }

    static double chunked(long r, long c) {
        return chunkedWritten(r) ? v(r, c) : 255;
    }

    static double gzipF4(long r, long c) {
        long chunk = r / 512;
        boolean written = chunk == 0 || chunk == (1L << 19) / 512 - 1 || chunk == (1L << 19) / 512
                || chunk >= (1L << 21) / 512 - 1;
        return written ? (v(r, c) - 125) / 4.0 : -2.5;
    }

    static double long1d(long r) {
        long chunk = r >> 20;
        boolean written = chunk == 0 || chunk == 2047 || chunk == 2048 || chunk >= 4095;
        return written ? v(r, 0) : 254;
    }

    static double contig(long r, long c) {
        boolean written = r >= R - 4 || (r >= (1L << 21) - 2 && r < (1L << 21) + 2) || r < 2;
        return written ? v(r, c) : 0;
    }

    interface Formula {
        double at(long r, long c);
    }

    static void check(INDArray a, long[] rows, Formula f, String what) {
        assertEquals(rows.length, a.size(0), what);
        long cols = a.length() / rows.length;
        INDArray flat = a.reshape(rows.length, cols);
        for (int i = 0; i < rows.length; i++) {
            for (int c = 0; c < cols; c++) {
                double want = f.at(rows[i], c);
                double got = flat.getDouble(i, c);
                if (want != got) {
                    assertEquals(want, got, what + ": row " + rows[i] + " (element " + (rows[i] * cols + c) + ") column " + c);
                }
            }
        }
    }

    static long[] range(long a, long b) {
        long[] r = new long[(int) (b - a)];
        for (int i = 0; i < r.length; i++) {
            r[i] = a + i;
        }
        return r;
    }

    static INDArray read(Hdf5Reader reader, Hdf5Dataset ds, long[] rows) {
        return reader.request(ds.rows(rows), ds.createStage(rows.length, DataType.DOUBLE)).get();
    }

    static INDArray read(Hdf5Reader reader, Hdf5Dataset ds, long start, long end) {
        return reader.request(ds.rows(start, end), ds.createStage((int) (end - start), DataType.DOUBLE)).get();
    }

    /** Slices across the written and unwritten chunks around 2^31 and 2^32 elements and the end. */
    static void readEverywhere(Hdf5Reader reader, Hdf5Dataset ds, long rows, long[] marks, Formula f) {
        check(read(reader, ds, 0, 3), range(0, 3), f, ds.path());
        for (long m : marks) {
            long a = Math.max(0, m - 3);
            long b = Math.min(rows, m + 3);
            check(read(reader, ds, a, b), range(a, b), f, ds.path() + " around row " + m);
        }
        check(read(reader, ds, rows - 7, rows), range(rows - 7, rows), f, ds.path() + " last rows");
        long[] idx = {rows - 1, marks[0], 5, rows / 3, marks[marks.length - 1] - 1, rows - 2, marks[0] + 7777, 0};
        check(read(reader, ds, idx), idx, f, ds.path() + " index array");
        long step = rows / 5 + 1;
        long[] stepped = new long[(int) ((rows + step - 1) / step)];
        for (int i = 0; i < stepped.length; i++) {
            stepped[i] = i * step;
        }
        // a stepped slice is validated as the whole range, which a request caps at 2^31 rows
        INDArray s = rows < Integer.MAX_VALUE - 8 ? reader.request(ds.rows(0, rows, step),
                ds.createStage(stepped.length, DataType.DOUBLE)).get() : read(reader, ds, stepped);
        check(s, stepped, f, ds.path() + " every " + step + "th row");
    }

    @Test
    void readerReadsChunkedRowsPast2To31And2To32Elements() {
        try (Hdf5Reader reader = Hdf5Reader.open(dir.resolve("big.h5"), 2)) {
            Hdf5Dataset ds = reader.dataset("/chunked");
            assertArrayEquals(new long[] {R, C}, ds.shape());
            readEverywhere(reader, ds, R, new long[] {1L << 21, (1L << 21) + 5000, 1L << 22}, LargeDatasetTest::chunked);
            Hdf5Dataset f4 = reader.dataset("/gzip_f4");
            assertArrayEquals(new long[] {R4, C}, f4.shape());
            readEverywhere(reader, f4, R4, new long[] {1L << 19, (1L << 20) + 3, 1L << 21}, LargeDatasetTest::gzipF4);
        }
    }

    @Test
    void readerReadsRowsPast2To31And2To32OfAOneDimensionalDataset() {
        try (Hdf5Reader reader = Hdf5Reader.open(dir.resolve("big.h5"), 2)) {
            Hdf5Dataset ds = reader.dataset("/long1d");
            assertArrayEquals(new long[] {L}, ds.shape());
            readEverywhere(reader, ds, L, new long[] {Integer.MAX_VALUE, 1L << 31, 3_000_000_000L, (1L << 32) - 1, 1L << 32},
                    (r, c) -> long1d(r));
            long[] far = range((1L << 32) - (1 << 20) - 2, (1L << 32) - (1 << 20) + 2);
            check(read(reader, ds, far), far, (r, c) -> long1d(r), "/long1d into the written chunk before the last");
        }
    }

    @Test
    void readerReadsASparseContiguousDatasetPast2To32Elements() {
        Assumptions.assumeTrue(contiguous, () -> generatorOutput);
        try (Hdf5Reader reader = Hdf5Reader.open(dir.resolve("contig.h5"), 2)) {
            Hdf5Dataset ds = reader.dataset("/contig");
            assertArrayEquals(new long[] {R, C}, ds.shape());
            assertEquals(null, ds.chunkShape());
            readEverywhere(reader, ds, R, new long[] {1L << 21, (1L << 21) + 5000, 1L << 22}, LargeDatasetTest::contig);
        }
    }

    /**
     * Delivers the batches from {@code firstBatch} on (resuming from a state of the same options)
     * and checks them against the formula.
     */
    static int iterateFrom(Hdf5DataSetIterator.Builder b, int firstBatch, int maxBatches, Formula f, String what) {
        IteratorState start;
        int batches;
        try (Hdf5DataSetIterator it = b.prefetch(1).build()) {
            start = it.state();
            batches = it.batchesPerEpoch();
        }
        IteratorState at = new IteratorState(start.epoch(), firstBatch, start.seed(), start.rows(), start.optionsHash());
        int n = 0;
        try (Hdf5DataSetIterator it = b.resumeFrom(at).build()) {
            int batch = it.batch();
            while (it.hasNext() && n < maxBatches) {
                DataSet ds = it.next();
                long first = (long) (firstBatch + n) * batch;
                long rows = ds.getFeatures().size(0);
                check(ds.getFeatures(), range(first, first + rows), f, what + " batch " + (firstBatch + n));
                n++;
            }
            if (firstBatch + n == batches) {
                assertFalse(it.hasNext(), what + ": the epoch ends after its last batch");
            }
        }
        return n;
    }

    @Test
    void iteratorDeliversTheLastBatchesOfChunkedDatasets() {
        Hdf5DataSetIterator.Builder b = Hdf5DataSetIterator.builder(dir.resolve("big.h5")).features("/chunked")
                .batchSize(1024).order(Order.ORDERED).workers(2);
        // batches 2047, 2048: the written chunks around element 2^31; 4094..4096: the end, past 2^32
        assertEquals(2, iterateFrom(b, 2047, 2, LargeDatasetTest::chunked, "/chunked"));
        assertEquals(3, iterateFrom(b, 4094, 10, LargeDatasetTest::chunked, "/chunked"));
        Hdf5DataSetIterator.Builder f4 = Hdf5DataSetIterator.builder(dir.resolve("big.h5")).features("/gzip_f4")
                .batchSize(300).order(Order.ORDERED).workers(2);
        int last = (int) ((R4 + 299) / 300) - 1;
        assertEquals(3, iterateFrom(f4, last - 2, 10, LargeDatasetTest::gzipF4, "/gzip_f4"));
    }

    @Test
    void iteratorDeliversTheLastBatchesOfAOneDimensionalDatasetOfMoreThan2To32Rows() {
        Hdf5DataSetIterator.Builder b = Hdf5DataSetIterator.builder(dir.resolve("big.h5")).features("/long1d")
                .batchSize(1 << 16).order(Order.ORDERED).workers(2);
        assertEquals(2, iterateFrom(b, (1 << 15) - 1, 2, (r, c) -> long1d(r), "/long1d around 2^31"));
        assertEquals(2, iterateFrom(b, (1 << 16) - 1, 10, (r, c) -> long1d(r), "/long1d past 2^32"));
    }

    @Test
    void processBackendDeliversTheLastBatches() throws IOException {
        Path shm = Files.createDirectories(dir.resolve("shm"));
        Hdf5DataSetIterator.Builder b = Hdf5DataSetIterator.builder(dir.resolve("big.h5")).features("/long1d")
                .batchSize(1 << 16).order(Order.ORDERED).workers(2).backend(Backend.PROCESSES).sharedMemoryDir(shm);
        assertEquals(2, iterateFrom(b, (1 << 16) - 1, 10, (r, c) -> long1d(r), "/long1d past 2^32, child processes"));
        Hdf5DataSetIterator.Builder c = Hdf5DataSetIterator.builder(dir.resolve("big.h5")).features("/chunked")
                .batchSize(1024).order(Order.ORDERED).workers(2).backend(Backend.PROCESSES).sharedMemoryDir(shm);
        assertEquals(3, iterateFrom(c, 4094, 10, LargeDatasetTest::chunked, "/chunked past 2^32, child processes"));
        if (contiguous) {
            Hdf5DataSetIterator.Builder d = Hdf5DataSetIterator.builder(dir.resolve("contig.h5")).features("/contig")
                    .batchSize(1000).order(Order.ORDERED).workers(2).backend(Backend.PROCESSES).sharedMemoryDir(shm);
            int last = (int) ((R + 999) / 1000) - 1;
            assertEquals(3, iterateFrom(d, last - 2, 10, LargeDatasetTest::contig, "/contig past 2^32, child processes"));
        }
    }

    @Test
    void iteratorDeliversTheLastBatchesOfASparseContiguousDataset() {
        Assumptions.assumeTrue(contiguous, () -> generatorOutput);
        Hdf5DataSetIterator.Builder b = Hdf5DataSetIterator.builder(dir.resolve("contig.h5")).features("/contig")
                .batchSize(1000).order(Order.ORDERED).workers(2);
        int last = (int) ((R + 999) / 1000) - 1;
        assertEquals(2, iterateFrom(b, (int) ((1L << 21) / 1000), 2, LargeDatasetTest::contig, "/contig around 2^31"));
        assertEquals(3, iterateFrom(b, last - 2, 10, LargeDatasetTest::contig, "/contig past 2^32"));
        assertTrue(generatorOutput.contains("bytes on disk"), generatorOutput);
    }
}
