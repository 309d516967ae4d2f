package org.multitables4j.internal.hdf5;

import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import org.multitables4j.CorruptDataException;

/**
 * The HDF5 LZ4 filter (32004): an 8-byte total size and a 4-byte block size, then per block a
 * 4-byte size and the LZ4 block (stored as is when it did not shrink), all big-endian. LZ4 comes
 * from lz4-java.
 */
final class Lz4Filter extends ArrayFilter {
    private static final LZ4SafeDecompressor LZ4_DEC = LZ4Factory.fastestInstance().safeDecompressor();

    @Override
    public int id() {
        return LZ4;
    }

    @Override
    int decode(byte[] src, int len, byte[] dst, int expected, int elemSize, int[] cd, DecodeScratch scratch) {
        if (len < 12) {
            throw new CorruptDataException("lz4: " + len + " bytes, shorter than the header");
        }
        long total = (long) be32(src, 0) << 32 | (be32(src, 4) & 0xffffffffL);
        int block = be32(src, 8);
        if (total < 0 || total > expected || (total > 0 && block <= 0)) {
            throw new CorruptDataException("lz4: header says " + total + " bytes in blocks of " + block + ", the chunk holds " + expected);
        }
        int ip = 12;
        int op = 0;
        while (op < total) {
            int want = (int) Math.min(block, total - op);
            if (ip + 4 > len) {
                throw new CorruptDataException("lz4: truncated block header");
            }
            int cb = be32(src, ip);
            ip += 4;
            if (cb < 0 || ip + cb > len) {
                throw new CorruptDataException("lz4: block runs past the chunk");
            }
            if (cb == want) {
                System.arraycopy(src, ip, dst, op, want);
            } else {
                try {
                    int got = LZ4_DEC.decompress(src, ip, cb, dst, op, want);
                    if (got != want) {
                        throw new CorruptDataException("lz4: block decoded to " + got + " bytes, " + want + " expected");
                    }
                } catch (LZ4Exception e) {
                    throw new CorruptDataException("lz4: " + e.getMessage(), e);
                }
            }
            ip += cb;
            op += want;
        }
        return op;
    }
}
