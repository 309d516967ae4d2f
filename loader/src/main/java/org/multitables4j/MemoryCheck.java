package org.multitables4j;

import org.multitables4j.internal.hdf5.Hdf5Array;
import org.multitables4j.internal.workers.Defaults;

/**
 * Sizes the ring and the block stores of an iterator from the JVM's real limits before anything
 * is allocated, and refuses a request that cannot fit with an error naming the option and the
 * bytes.
 */
final class MemoryCheck {
    private MemoryCheck() {
    }

    /** Batches per shuffle window above which SHUFFLED keeps the block store path (very small batches). */
    static final int MAX_SCATTER_WINDOW_BATCHES = 256;

    /**
     * The slots filled ahead: the user's {@code prefetch}; by default two per worker, at least
     * four, and for a SHUFFLED epoch whose windows are scattered into the slots room for two
     * windows of batches (about the memory the block store of two windows took).
     *
     * @param cfg         the options
     * @param windowRows  rows of a shuffle window
     * @param scatterable true when the epoch's windows can be scattered into the slots
     * @return the slots filled ahead
     */
    static int prefetch(StreamOptions<?> cfg, long windowRows, boolean scatterable) {
        int slots = cfg.effectivePrefetch();
        long wb = windowBatches(windowRows, cfg.batchSize);
        if (scatterable && cfg.prefetch <= 0 && wb <= MAX_SCATTER_WINDOW_BATCHES) {
            slots = (int) Math.max(slots, 2 * wb + 2);
        }
        return slots;
    }

    /**
     * @param prefetch   the slots filled ahead
     * @param windowRows rows of a shuffle window
     * @param batchSize  rows per batch
     * @return true when the ring has room for a window's batches besides two, so that a
     *     scattered SHUFFLED epoch always makes progress
     */
    static boolean scatters(int prefetch, long windowRows, int batchSize) {
        return prefetch >= windowBatches(windowRows, batchSize) + 2;
    }

    /** @return the most batches one window's rows can fall in */
    private static long windowBatches(long windowRows, int batchSize) {
        return (windowRows + batchSize - 1) / batchSize + 1;
    }

    /**
     * @param cfg      the options
     * @param prefetch the slots filled ahead ({@link #prefetch})
     * @param slotRows rows per slot
     * @param rowBytes delivered bytes of one row, all arrays of a slot together
     * @param where    the file(s), for messages
     * @return the bytes of the ring
     * @throws InvalidConfigurationException when a slot or the ring cannot be allocated
     */
    static long ring(StreamOptions<?> cfg, int prefetch, int slotRows, long rowBytes, String where) {
        long slots = (long) prefetch + cfg.holdBatches;
        long slotBytes;
        long ringBytes;
        try {
            slotBytes = Math.multiplyExact(slotRows, rowBytes);
            ringBytes = Math.multiplyExact(slots, slotBytes);
        } catch (ArithmeticException e) {
            throw new InvalidConfigurationException("a batch of " + slotRows + " rows of " + rowBytes
                    + " bytes overflows 64-bit sizes; lower batchSize or featureShape" + where, e);
        }
        if (rowBytes > Integer.MAX_VALUE - 64 || slotBytes / Math.max(1, slotRows) > Integer.MAX_VALUE
                || slotBytes > Integer.MAX_VALUE - 64) {
            throw new InvalidConfigurationException("a batch of " + slotRows + " rows takes " + slotBytes
                    + " bytes, more than one buffer can hold (2 GiB); lower batchSize" + where);
        }
        if (cfg.backend == Backend.THREADS && cfg.reader == null) {
            long free = Defaults.directAvailable();
            if (ringBytes > free) {
                throw new InvalidConfigurationException("the ring of " + slots + " slots (prefetch " + prefetch
                        + " + holdBatches " + cfg.holdBatches + ") of " + slotBytes + " bytes needs " + ringBytes
                        + " bytes of direct memory, but only " + free + " are free (-XX:MaxDirectMemorySize); lower "
                        + "prefetch, holdBatches or batchSize" + where);
            }
        }
        return ringBytes;
    }

    /**
     * @param cfg       the options
     * @param in        the input the store is for
     * @param a         its (first) dataset
     * @param rows      logical rows
     * @param stores    how many inputs (each has a store)
     * @param ringBytes bytes the ring takes from the same memory
     * @param processes true when the store lives in shared memory
     * @param where     the file(s), for messages
     * @return the store's budget
     * @throws InvalidConfigurationException when a set {@code cacheBytes} cannot fit
     */
    static long cache(StreamOptions<?> cfg, StreamEngine.Input in, Hdf5Array a, long rows, int stores, long ringBytes,
                      boolean processes, String where) {
        long datasetBytes;
        try {
            datasetBytes = Math.multiplyExact(rows, (long) a.rowBytes());
        } catch (ArithmeticException e) {
            datasetBytes = Long.MAX_VALUE / 2;
        }
        if (processes || cfg.reader != null) {
            return Defaults.cacheBytes(cfg.cacheBytes, cfg.order.random(), datasetBytes, Long.MAX_VALUE / 4);
        }
        long free = Math.max(0, Defaults.directAvailable() - ringBytes);
        long share = free / Math.max(1, stores);
        if (cfg.cacheBytes > 0 && cfg.cacheBytes > share) {
            throw new InvalidConfigurationException("cacheBytes(" + cfg.cacheBytes + ") for " + in.role() + " '" + in.path()
                    + "' does not fit the " + free + " bytes of direct memory left after the ring (shared by " + stores
                    + " datasets; -XX:MaxDirectMemorySize); lower cacheBytes" + where);
        }
        long budget = Defaults.cacheBytes(cfg.cacheBytes, cfg.order.random(), datasetBytes, share);
        if (budget < a.blockBytes()) {
            if (share < a.blockBytes()) {
                throw new InvalidConfigurationException(in.role() + " '" + in.path() + "' has chunk rows of " + a.blockBytes()
                        + " bytes, but only " + share + " bytes of direct memory are left for its block cache after "
                        + "the ring; lower prefetch, holdBatches or batchSize, or raise -XX:MaxDirectMemorySize" + where);
            }
            budget = a.blockBytes();
        }
        return budget;
    }
}
