package org.multitables4j.internal.hdf5;

import java.nio.ByteBuffer;

/**
 * Base of the filters whose codec library works on byte arrays (LZ4, zstd, bzip2, LZO, LZF,
 * bitshuffle): the input is always on the heap; a destination that is not a whole heap array
 * (direct block or slot memory) is filled through the decoder's spare buffer with one copy.
 */
abstract class ArrayFilter implements Hdf5Filter {

    @Override
    public final int decode(ByteBuffer src, int len, ByteBuffer dst, int expected, int elemSize, int[] cd,
                            DecodeScratch scratch) {
        byte[] in = src.array();
        int inOff = src.arrayOffset();
        if (inOff != 0) {
            in = new byte[len];
            src.get(0, in, 0, len);
        }
        if (dst.hasArray() && dst.arrayOffset() == 0 && dst.array().length >= expected) {
            return decode(in, len, dst.array(), expected, elemSize, cd, scratch);
        }
        byte[] tmp = scratch.spare(expected);
        int n = decode(in, len, tmp, expected, elemSize, cd, scratch);
        dst.put(0, tmp, 0, n);
        return n;
    }

    /**
     * Decodes {@code src[0, len)} into {@code dst[0, ...)}.
     *
     * @param src      encoded bytes
     * @param len      encoded length
     * @param dst      destination of at least {@code expected} bytes
     * @param expected the decoded chunk size (at most)
     * @param elemSize bytes of one element of the dataset
     * @param cd       the filter's client data
     * @param scratch  reusable buffers ({@link DecodeScratch#scratch} is free to use)
     * @return the decoded length
     */
    abstract int decode(byte[] src, int len, byte[] dst, int expected, int elemSize, int[] cd, DecodeScratch scratch);

    static int be32(byte[] b, int off) {
        return (b[off] & 0xff) << 24 | (b[off + 1] & 0xff) << 16 | (b[off + 2] & 0xff) << 8 | (b[off + 3] & 0xff);
    }

    static int le32(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }
}
