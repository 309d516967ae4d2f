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

    /**
     * @param cfg      the options
     * @param slotRows rows per slot
     * @param rowBytes delivered bytes of one row, all arrays of a slot together
     * @param where    the file(s), for messages
     * @return the bytes of the ring
     * @throws InvalidConfigurationException when a slot or the ring cannot be allocated
     */
    static long ring(StreamOptions<?> cfg, int slotRows, long rowBytes, String where) {
        long slots = (long) cfg.effectivePrefetch() + cfg.holdBatches;
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
                throw new InvalidConfigurationException("the ring of " + slots + " slots (prefetch " + cfg.effectivePrefetch()
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
