package org.multitables4j;

/**
 * The one set of defaults of the streaming iterators and the Reader.
 */
public final class Defaults {
    /** Decoded block bytes kept per dataset when the dataset is not held whole: 256 MiB. */
    public static final long CACHE_BYTES = 256L << 20;

    private Defaults() {
    }

    /**
     * The block store budget of a dataset: the user's when set; else, where requests may touch
     * any chunk at any time (random orders, sampling, the Reader), the whole decoded dataset when
     * it fits in half the heap limit (a smaller store re-decodes chunks over and over: 348x the
     * delivered bytes with 256 MiB over the 410 MB benchmark dataset), else {@link #CACHE_BYTES}.
     *
     * @param userBytes    the budget set by the user, or a value below 1 for none
     * @param randomAccess true when requests may touch any chunk at any time
     * @param datasetBytes decoded bytes of the dataset
     * @return the budget
     */
    public static long cacheBytes(long userBytes, boolean randomAccess, long datasetBytes) {
        if (userBytes > 0) {
            return userBytes;
        }
        if (randomAccess) {
            return Math.max(CACHE_BYTES, Math.min(datasetBytes + (1 << 20), Runtime.getRuntime().maxMemory() / 2));
        }
        return CACHE_BYTES;
    }

    /**
     * @param workers worker threads
     * @return ring slots filled ahead: two per worker, at least four
     */
    public static int prefetch(int workers) {
        return Math.max(4, 2 * workers);
    }

    /** @return worker threads: the available processors */
    public static int workers() {
        return Math.max(1, Runtime.getRuntime().availableProcessors());
    }
}
