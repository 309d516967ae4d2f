package org.multitables4j.internal.hdf5;

import io.airlift.compress.MalformedInputException;
import io.airlift.compress.lzo.LzoDecompressor;
import org.multitables4j.CorruptDataException;

/** PyTables' LZO filter (305): one LZO1X stream of the whole chunk, decoded by aircompressor. */
final class LzoFilter extends ArrayFilter {
    private static final LzoDecompressor LZO_DEC = new LzoDecompressor();

    @Override
    public int id() {
        return LZO;
    }

    @Override
    int decode(byte[] src, int len, byte[] dst, int expected, int elemSize, int[] cd, DecodeScratch scratch) {
        try {
            return LZO_DEC.decompress(src, 0, len, dst, 0, expected);
        } catch (MalformedInputException | IndexOutOfBoundsException e) {
            throw new CorruptDataException("lzo: " + e.getMessage(), e);
        }
    }
}
