package org.multitables4j.internal.workers;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;

/**
 * The one set of defaults of the streaming iterators and the Reader, sized from the JVM's real
 * limits (heap and direct memory).
 */
public final class Defaults {
    /** Decoded block bytes kept per dataset when the dataset is not held whole: 256 MiB. */
    public static final long CACHE_BYTES = 256L << 20;

    private Defaults() {
    }

    /**
     * The block store budget of a dataset: the user's when set; else, where requests may touch
     * any chunk at any time (random orders, sampling, the Reader), the whole decoded dataset (a
     * smaller store re-decodes chunks over and over: 348x the delivered bytes with 256 MiB over
     * the 410 MB benchmark dataset), else {@link #CACHE_BYTES}; a default never exceeds half of
     * {@code limit}, the memory the store can take from.
     *
     * @param userBytes    the budget set by the user, or a value below 1 for none
     * @param randomAccess true when requests may touch any chunk at any time
     * @param datasetBytes decoded bytes of the dataset
     * @param limit        bytes available to the store ({@link #heapAvailable()} or
     *                     {@link #directAvailable()})
     * @return the budget
     */
    public static long cacheBytes(long userBytes, boolean randomAccess, long datasetBytes, long limit) {
        if (userBytes > 0) {
            return userBytes;
        }
        long want = randomAccess ? Math.max(CACHE_BYTES, datasetBytes + (1 << 20)) : CACHE_BYTES;
        return Math.max(1, Math.min(want, limit / 2));
    }

    /** @return the heap limit ({@code -Xmx}) */
    public static long heapAvailable() {
        return Runtime.getRuntime().maxMemory();
    }

    /** @return direct memory not yet used, under {@code -XX:MaxDirectMemorySize} (default: the heap limit) */
    public static long directAvailable() {
        return Math.max(0, directLimit() - directUsed());
    }

    /** @return the direct memory limit of this JVM */
    public static long directLimit() {
        try {
            var bean = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            long v = Long.parseLong(bean.getVMOption("MaxDirectMemorySize").getValue());
            return v > 0 ? v : Runtime.getRuntime().maxMemory();
        } catch (RuntimeException | LinkageError e) {
            return Runtime.getRuntime().maxMemory();
        }
    }

    /** @return direct memory in use now */
    public static long directUsed() {
        for (BufferPoolMXBean p : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (p.getName().equals("direct")) {
                return p.getMemoryUsed();
            }
        }
        return 0;
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
