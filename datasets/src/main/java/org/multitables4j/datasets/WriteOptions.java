package org.multitables4j.datasets;

/**
 * How a dataset is stored: chunk size, gzip level, byte shuffle, and the number of threads that
 * compress chunks in parallel. Immutable; build one with {@link #builder()} (validated at
 * {@link Builder#build()}) or derive one from {@link #DEFAULT} with the {@code with...} methods.
 *
 * <pre>{@code
 * WriteOptions o = WriteOptions.builder().gzip(4).shuffle(true).chunkBytes(1 << 20).build();
 * }</pre>
 *
 * <p><b>Chunk shape.</b> A chunk always holds whole rows (every dimension but the first is the
 * full row shape). Unless {@link Builder#chunkRows(long)} fixes the number of rows, it is the
 * largest power of two whose rows fit in {@link #chunkBytes()} (at least one row): chunk
 * boundaries then fall on multiples of every power-of-two batch size up to the chunk, so a reader
 * that cuts batches of 32, 64, 128, ... rows never splits a batch across chunks needlessly.
 */
public final class WriteOptions {
    /** Default target chunk size: 1 MiB. */
    public static final long DEFAULT_CHUNK_BYTES = 1 << 20;
    /** Default deflate level: 4 (h5py's default for {@code compression="gzip"}). */
    public static final int DEFAULT_GZIP = 4;
    /** Largest chunk the writer accepts (HDF5 allows up to 4 GiB; we stage chunks in Java arrays). */
    public static final long MAX_CHUNK_BYTES = 1L << 30;

    /** 1 MiB chunks, gzip 4, shuffle, one compression thread per available processor. */
    public static final WriteOptions DEFAULT = builder().build();

    private final long chunkBytes;
    private final long chunkRows;
    private final int gzip;
    private final boolean shuffle;
    private final int threads;

    private WriteOptions(Builder b) {
        this.chunkBytes = b.chunkBytes;
        this.chunkRows = b.chunkRows;
        this.gzip = b.gzip;
        this.shuffle = b.shuffle;
        this.threads = b.threads;
    }

    /** @return a builder holding the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding these options */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.chunkBytes = chunkBytes;
        b.chunkRows = chunkRows;
        b.gzip = gzip;
        b.shuffle = shuffle;
        b.threads = threads;
        return b;
    }

    /** @return the target chunk size in bytes */
    public long chunkBytes() {
        return chunkBytes;
    }

    /** @return the fixed number of rows per chunk, or 0 when derived from {@link #chunkBytes()} */
    public long fixedChunkRows() {
        return chunkRows;
    }

    /** @return the deflate level, 0 (no compression) to 9 */
    public int gzip() {
        return gzip;
    }

    /** @return whether the byte-shuffle filter runs before deflate (only used with gzip &gt; 0) */
    public boolean shuffle() {
        return shuffle;
    }

    /** @return the number of threads compressing chunks of one dataset */
    public int threads() {
        return threads;
    }

    /**
     * @param level deflate level 0–9
     * @return a copy with that level
     */
    public WriteOptions withGzip(int level) {
        return toBuilder().gzip(level).build();
    }

    /**
     * @param on byte shuffle before deflate
     * @return a copy with that setting
     */
    public WriteOptions withShuffle(boolean on) {
        return toBuilder().shuffle(on).build();
    }

    /**
     * @param bytes target chunk size
     * @return a copy with that target (and no fixed row count)
     */
    public WriteOptions withChunkBytes(long bytes) {
        return toBuilder().chunkBytes(bytes).chunkRows(0).build();
    }

    /**
     * @param n compression threads
     * @return a copy with that many threads
     */
    public WriteOptions withThreads(int n) {
        return toBuilder().threads(n).build();
    }

    /**
     * The rows per chunk for rows of the given size (see the class comment).
     *
     * @param rowBytes bytes per row
     * @return rows per chunk, at least 1
     */
    public long chunkRows(long rowBytes) {
        long rb = Math.max(1, rowBytes);
        if (chunkRows > 0) {
            return chunkRows;
        }
        long fit = Math.max(1, chunkBytes / rb);
        return Long.highestOneBit(fit);
    }

    @Override
    public String toString() {
        return "WriteOptions{chunkBytes=" + chunkBytes + (chunkRows > 0 ? ", chunkRows=" + chunkRows : "")
                + ", gzip=" + gzip + ", shuffle=" + shuffle + ", threads=" + threads + "}";
    }

    /** Builds {@link WriteOptions}; every setter may be called in any order, {@link #build()} validates. */
    public static final class Builder {
        private long chunkBytes = DEFAULT_CHUNK_BYTES;
        private long chunkRows;
        private int gzip = DEFAULT_GZIP;
        private boolean shuffle = true;
        private int threads = Math.max(1, Runtime.getRuntime().availableProcessors());

        private Builder() {
        }

        /**
         * @param bytes target chunk size in bytes, 1 to {@link #MAX_CHUNK_BYTES} (default 1 MiB)
         * @return this builder
         */
        public Builder chunkBytes(long bytes) {
            this.chunkBytes = bytes;
            return this;
        }

        /**
         * @param rows a fixed number of rows per chunk, or 0 (default) to derive it from
         *             {@link #chunkBytes(long)}
         * @return this builder
         */
        public Builder chunkRows(long rows) {
            this.chunkRows = rows;
            return this;
        }

        /**
         * @param level deflate level 0–9; 0 stores chunks uncompressed (default 4)
         * @return this builder
         */
        public Builder gzip(int level) {
            this.gzip = level;
            return this;
        }

        /**
         * @param on byte shuffle before deflate (default true); ignored without gzip and for
         *           one-byte element types, where it changes nothing
         * @return this builder
         */
        public Builder shuffle(boolean on) {
            this.shuffle = on;
            return this;
        }

        /**
         * @param n threads compressing chunks in parallel, per dataset (default: available
         *          processors). Memory per dataset is about {@code (3 * n + 2)} chunks.
         * @return this builder
         */
        public Builder threads(int n) {
            this.threads = n;
            return this;
        }

        /**
         * @return the options
         * @throws IllegalArgumentException if a value is out of range
         */
        public WriteOptions build() {
            if (chunkBytes < 1 || chunkBytes > MAX_CHUNK_BYTES) {
                throw new IllegalArgumentException("chunkBytes must be 1.." + MAX_CHUNK_BYTES + ", got " + chunkBytes);
            }
            if (chunkRows < 0) {
                throw new IllegalArgumentException("chunkRows must be >= 0 (0: from chunkBytes), got " + chunkRows);
            }
            if (gzip < 0 || gzip > 9) {
                throw new IllegalArgumentException("gzip level must be 0..9, got " + gzip);
            }
            if (threads < 1 || threads > 1024) {
                throw new IllegalArgumentException("threads must be 1..1024, got " + threads);
            }
            return new WriteOptions(this);
        }
    }
}
