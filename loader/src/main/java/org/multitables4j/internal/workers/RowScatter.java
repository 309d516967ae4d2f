package org.multitables4j.internal.workers;

import java.nio.ByteBuffer;

/**
 * Copies the rows of one decoded block to their places in several slots in one native call,
 * with streaming stores that skip reading each destination line first (the rows land in memory
 * the copying core does not read again). Used by {@link WindowScatter} for rows copied byte for
 * byte; where the loader's native library is missing, or with
 * {@code -Dmultitables4j.nativeScatter=false}, the rows are copied in Java. Measured on the
 * benchmark workload (1 KiB rows, 16-block windows): DESIGN.md, "SHUFFLED without a block store".
 */
final class RowScatter {
    /** The most destination buffers one call takes. */
    static final int MAX_BUFFERS = 1024;
    private static final boolean NATIVE = load();

    private RowScatter() {
    }

    private static boolean load() {
        if (!Boolean.parseBoolean(System.getProperty("multitables4j.nativeScatter", "true"))) {
            return false;
        }
        try {
            // its class initialisation loads the library (into this class loader) when it is there
            Class.forName("org.multitables4j.internal.hdf5.NativeCodecs", true, RowScatter.class.getClassLoader());
            ByteBuffer one = ByteBuffer.allocateDirect(1);
            return scatter(one, 0, 1, 0, new ByteBuffer[0], new int[0], new int[0]) == 0; // binds the method
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** @return true when rows are scattered by the native library */
    static boolean available() {
        return NATIVE;
    }

    /**
     * Copies row {@code i} ({@code rowBytes} at {@code srcOff + i * rowBytes} of {@code src}) to
     * {@code dsts[dst[i]]} at byte {@code at[i]}, for every {@code i < n} with {@code dst[i] >= 0}.
     * Call only when {@link #available()}.
     *
     * @param src      the decoded block, a direct buffer
     * @param srcOff   byte offset of row 0
     * @param rowBytes bytes per row
     * @param n        rows
     * @param dsts     destinations, direct buffers, at most {@link #MAX_BUFFERS}
     * @param dst      per row: index into {@code dsts}, or -1 to skip it
     * @param at       per row: byte offset in its destination
     */
    static void copy(ByteBuffer src, int srcOff, int rowBytes, int n, ByteBuffer[] dsts, int[] dst, int[] at) {
        int r = scatter(src, srcOff, rowBytes, n, dsts, dst, at);
        if (r != 0) {
            throw new IllegalStateException("native row scatter failed (" + r + ")");
        }
    }

    private static native int scatter(ByteBuffer src, int srcOff, int rowBytes, int n, ByteBuffer[] dsts, int[] dst,
                                      int[] at);
}
