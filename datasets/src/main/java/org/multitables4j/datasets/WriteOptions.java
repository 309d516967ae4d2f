package org.multitables4j.datasets;

/**
 * How a dataset is stored: chunk size target, gzip level, shuffle, and the threads that
 * compress chunks in parallel.
 *
 * @param chunkBytes target bytes per chunk (whole rows; default 1 MiB); a chunk holds
 *                   {@code max(1, chunkBytes / rowBytes)} rows
 * @param gzip       deflate level 0–9 (0: no compression; default 4)
 * @param shuffle    byte shuffle before deflate (default true; only with gzip &gt; 0)
 * @param threads    compression threads (default: available processors)
 */
public record WriteOptions(long chunkBytes, int gzip, boolean shuffle, int threads) {
    /** Defaults: 1 MiB chunks, gzip 4, shuffle, one thread per core. */
    public static final WriteOptions DEFAULT = new WriteOptions(1 << 20, 4, true,
            Math.max(1, Runtime.getRuntime().availableProcessors()));

    /** Validates the options. */
    public WriteOptions {
        if (chunkBytes < 1) {
            throw new IllegalArgumentException("chunkBytes must be positive, got " + chunkBytes);
        }
        if (gzip < 0 || gzip > 9) {
            throw new IllegalArgumentException("gzip level must be 0..9, got " + gzip);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
    }

    /**
     * @param level gzip level 0–9
     * @return a copy with that level
     */
    public WriteOptions withGzip(int level) {
        return new WriteOptions(chunkBytes, level, shuffle, threads);
    }

    /**
     * @param on byte shuffle before deflate
     * @return a copy with that setting
     */
    public WriteOptions withShuffle(boolean on) {
        return new WriteOptions(chunkBytes, gzip, on, threads);
    }

    /**
     * @param bytes target chunk size
     * @return a copy with that target
     */
    public WriteOptions withChunkBytes(long bytes) {
        return new WriteOptions(bytes, gzip, shuffle, threads);
    }

    /**
     * @param n compression threads
     * @return a copy with that many threads
     */
    public WriteOptions withThreads(int n) {
        return new WriteOptions(chunkBytes, gzip, shuffle, n);
    }

    /**
     * @param rowBytes bytes per row
     * @return rows per chunk
     */
    public long chunkRows(long rowBytes) {
        return Math.max(1, chunkBytes / Math.max(1, rowBytes));
    }
}
