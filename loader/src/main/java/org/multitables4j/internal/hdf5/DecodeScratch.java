package org.multitables4j.internal.hdf5;

/**
 * Reusable heap buffers of one decoder for the filters' own needs: {@link #scratch} (a stage's
 * intermediate data, e.g. one blosc block before its unshuffle) and {@link #spare} (a whole
 * decoded chunk, when a codec that writes arrays must deliver into direct memory). They grow on
 * first use and are never shrunk; not thread-safe.
 */
final class DecodeScratch {
    private byte[] scratch = new byte[0];
    private byte[] spare = new byte[0];

    /**
     * @param size bytes needed
     * @return a buffer of at least {@code size} bytes, its content undefined
     */
    byte[] scratch(int size) {
        if (scratch.length < size) {
            scratch = new byte[size];
        }
        return scratch;
    }

    /**
     * @param size bytes needed
     * @return a second buffer of at least {@code size} bytes, distinct from {@link #scratch}
     */
    byte[] spare(int size) {
        if (spare.length < size) {
            spare = new byte[size];
        }
        return spare;
    }
}
