package org.multitables4j.datasets;

import java.nio.ByteBuffer;
import java.util.zip.Deflater;

/**
 * Applies HDF5's shuffle and deflate filters to one chunk, in HDF5's own formats: the shuffle
 * filter puts byte 0 of every element first, then byte 1, and so on; the deflate filter writes a
 * zlib stream (header + deflate + Adler-32), which is what {@link Deflater} produces with
 * {@code nowrap = false}. One encoder per compressing thread; it keeps its {@link Deflater} and
 * shuffle buffer between chunks.
 */
final class ChunkEncoder {
    private final Deflater deflater;
    private final int elementSize;
    private final boolean shuffle;
    private byte[] shuffled;

    /**
     * @param level       deflate level 0–9 (0: none)
     * @param shuffle     apply the shuffle filter first
     * @param elementSize bytes per element
     */
    ChunkEncoder(int level, boolean shuffle, int elementSize) {
        this.deflater = level > 0 ? new Deflater(level) : null;
        this.shuffle = shuffle && elementSize > 1;
        this.elementSize = elementSize;
    }

    /**
     * Encodes {@code src[0, n)} into {@code out} (cleared first; grown and replaced when too small).
     *
     * @return the buffer holding the encoded chunk from 0 to its position
     */
    ByteBuffer encode(byte[] src, int n, ByteBuffer out) {
        byte[] data = src;
        if (shuffle) {
            if (shuffled == null || shuffled.length < n) {
                shuffled = new byte[n];
            }
            shuffle(src, shuffled, n, elementSize);
            data = shuffled;
        }
        out.clear();
        if (deflater == null) {
            if (out.capacity() < n) {
                out = ByteBuffer.allocateDirect(n);
            }
            out.put(data, 0, n);
            return out;
        }
        deflater.reset();
        deflater.setInput(data, 0, n);
        deflater.finish();
        while (!deflater.finished()) {
            if (!out.hasRemaining()) {
                ByteBuffer bigger = ByteBuffer.allocateDirect(out.capacity() * 2 + 1024);
                out.flip();
                bigger.put(out);
                out = bigger;
            }
            deflater.deflate(out);
        }
        return out;
    }

    /** @return a good first size for the output buffer of an {@code n}-byte chunk (zlib's bound) */
    static int outputBound(int n) {
        return n + (n >>> 12) + (n >>> 14) + (n >>> 25) + 64;
    }

    /** HDF5's shuffle filter (H5Zshuffle.c) for {@code n} bytes, a whole number of elements. */
    static void shuffle(byte[] src, byte[] dst, int n, int size) {
        int count = n / size;
        switch (size) {
            case 2:
                for (int i = 0, j = 0; i < count; i++, j += 2) {
                    dst[i] = src[j];
                    dst[count + i] = src[j + 1];
                }
                break;
            case 4: {
                int c2 = 2 * count;
                int c3 = 3 * count;
                for (int i = 0, j = 0; i < count; i++, j += 4) {
                    dst[i] = src[j];
                    dst[count + i] = src[j + 1];
                    dst[c2 + i] = src[j + 2];
                    dst[c3 + i] = src[j + 3];
                }
                break;
            }
            default:
                for (int b = 0; b < size; b++) {
                    int base = b * count;
                    for (int i = 0, j = b; i < count; i++, j += size) {
                        dst[base + i] = src[j];
                    }
                }
                break;
        }
        int tail = count * size;
        System.arraycopy(src, tail, dst, tail, n - tail);
    }

    /** Releases the native zlib state. */
    void end() {
        if (deflater != null) {
            deflater.end();
        }
    }
}
