package org.multitables4j.benchmarks;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.dataset.ChunkedDataset;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.Inflater;
import org.multitables4j.internal.BenchmarkHook;

/**
 * The one-thread decode limits the harness reports beside the throughput: stored chunks already
 * in memory, decoded by the JDK's zlib, and by the loader's own decoder (any filter).
 */
final class DecodeLimits {
    private DecodeLimits() {
    }

    /** Raw chunk bytes already in memory, inflated + unshuffled by one thread. */
    static double zlib(Harness h) {
        List<byte[]> raw = new ArrayList<>();
        int chunkBytes;
        int elem;
        try (HdfFile f = new HdfFile(h.file)) {
            Dataset ds = f.getDatasetByPath(h.dataset);
            if (!(ds instanceof ChunkedDataset)) {
                h.notes.put("decode limit", "not chunked: memcpy is the limit");
                return Double.NaN;
            }
            ChunkedDataset cds = (ChunkedDataset) ds;
            boolean deflateOnly;
            try {
                deflateOnly = !ds.getFilters().isEmpty() && ds.getFilters().stream()
                        .allMatch(fi -> fi.getId() == 1 || fi.getId() == 2);
            } catch (RuntimeException e) {
                deflateOnly = false; // jhdf cannot even name the filter (blosc)
            }
            if (!deflateOnly) {
                h.notes.put("decode limit", "measured for deflate (+ shuffle) chunks only");
                return Double.NaN;
            }
            int[] chunk = cds.getChunkDimensions();
            elem = ds.getDataType().getSize();
            chunkBytes = elem;
            for (int c : chunk) {
                chunkBytes *= c;
            }
            for (long p = 0; p < h.rows; p += chunk[0]) {
                int[] off = new int[chunk.length];
                off[0] = (int) p;
                ByteBuffer b = cds.getRawChunkBuffer(off);
                byte[] a = new byte[b.remaining()];
                b.get(a);
                raw.add(a);
            }
        }
        byte[] inflated = new byte[chunkBytes];
        byte[] unshuffled = new byte[chunkBytes];
        Inflater inf = new Inflater();
        final int es = elem;
        final int cb = chunkBytes;
        double med = h.measure("decode limit (JDK zlib, 1 thread, in memory)", () -> {
            long total = 0;
            for (byte[] a : raw) {
                inf.reset();
                inf.setInput(a);
                int n = 0;
                while (!inf.finished() && n < cb) {
                    n += inf.inflate(inflated, n, cb - n);
                }
                int count = n / es;
                for (int b = 0; b < es; b++) {
                    int base = b * count;
                    for (int i = 0; i < count; i++) {
                        unshuffled[i * es + b] = inflated[base + i];
                    }
                }
                total += n;
            }
            return Math.min(total, h.totalBytes);
        });
        inf.end();
        return med;
    }

    /**
     * The loader's own decoder (libdeflate and the native unshuffle when built, any filter) on
     * stored chunk bytes already in memory, one thread: what one worker could reach if reading,
     * scheduling and copying into slots cost nothing.
     */
    static double ownDecoder(Harness h) {
        try (BenchmarkHook.StoredChunks chunks = BenchmarkHook.storedChunks(h.file, h.dataset)) {
            if (chunks.count() == 0) {
                h.notes.put("decode limit, own decoder", "not chunked");
                return Double.NaN;
            }
            return h.measure("decode limit (own decoder, 1 thread, in memory)",
                    () -> Math.min(chunks.decodeAll(), h.totalBytes));
        }
    }
}
