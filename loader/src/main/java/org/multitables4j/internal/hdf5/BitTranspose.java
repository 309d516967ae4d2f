package org.multitables4j.internal.hdf5;

/**
 * The bit transposition of bit-shuffle (the bitshuffle filter and blosc's bit-shuffle): a run of
 * elements stored as 8 x elemSize bit rows, row {@code 8 * byte + bit} holding that bit of that
 * byte of every element, eight elements per byte, the first in the lowest bit.
 */
final class BitTranspose {
    private BitTranspose() {
    }

    /** Inverse of the bit transposition of {@code size} (a multiple of 8) elements of {@code elemSize} bytes. */
    static void untransposeBits(byte[] in, int inOff, byte[] out, int outOff, int size, int elemSize) {
        int rowBytes = size >>> 3;
        for (int jj = 0; jj < elemSize; jj++) {
            int rowBase = inOff + jj * 8 * rowBytes;
            for (int g = 0; g < rowBytes; g++) {
                int at = rowBase + g;
                long x = (in[at] & 0xffL)
                        | (in[at + rowBytes] & 0xffL) << 8
                        | (in[at + 2 * rowBytes] & 0xffL) << 16
                        | (in[at + 3 * rowBytes] & 0xffL) << 24
                        | (in[at + 4 * rowBytes] & 0xffL) << 32
                        | (in[at + 5 * rowBytes] & 0xffL) << 40
                        | (in[at + 6 * rowBytes] & 0xffL) << 48
                        | (in[at + 7 * rowBytes] & 0xffL) << 56;
                x = transpose8x8(x);
                int o = outOff + 8 * g * elemSize + jj;
                for (int m = 0; m < 8; m++) {
                    out[o + m * elemSize] = (byte) (x >>> (8 * m));
                }
            }
        }
    }

    /** Transposes the 8 x 8 bit matrix whose row r is byte r: bit c of byte r becomes bit r of byte c. */
    static long transpose8x8(long x) {
        long t = (x ^ (x >>> 7)) & 0x00AA00AA00AA00AAL;
        x = x ^ t ^ (t << 7);
        t = (x ^ (x >>> 14)) & 0x0000CCCC0000CCCCL;
        x = x ^ t ^ (t << 14);
        t = (x ^ (x >>> 28)) & 0x00000000F0F0F0F0L;
        return x ^ t ^ (t << 28);
    }
}
