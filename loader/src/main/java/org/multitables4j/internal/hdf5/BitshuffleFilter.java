package org.multitables4j.internal.hdf5;

import com.github.luben.zstd.Zstd;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import org.multitables4j.CorruptDataException;
import org.multitables4j.UnsupportedHdf5Exception;

/**
 * The bitshuffle filter (32008). Client data: {@code [version, library version, element size,
 * block size in elements (0: default), compression (0 none, 2 LZ4, 3 zstd), zstd level]}; the
 * compression is taken from value 4 as the plugin does (absent: none). A chunk that claims
 * zstd but is exactly the chunk's size and lacks the header is read as uncompressed: bitshuffle
 * 0.3.5, which has no zstd, writes such chunks when asked for zstd, and reads them back so.
 *
 * <p>Compressed chunks are an 8-byte big-endian decoded size and a 4-byte big-endian block
 * size in bytes, then per block a 4-byte big-endian compressed size and the LZ4 block or zstd
 * frame of the bit-transposed block. Uncompressed chunks are the transposed blocks alone, the
 * block size coming from the client data. In both, the last block holds the remaining elements
 * rounded down to a multiple of 8, and the last {@code n % 8} elements follow as they are.
 */
final class BitshuffleFilter extends ArrayFilter {
    /** Client value 4: no compression after the bit transposition. */
    static final int NONE = 0;
    /** Client value 4: LZ4 blocks. */
    static final int LZ4 = 2;
    /** Client value 4: zstd frames. */
    static final int ZSTD = 3;
    private static final LZ4SafeDecompressor LZ4_DEC = LZ4Factory.fastestInstance().safeDecompressor();

    @Override
    public int id() {
        return BITSHUFFLE;
    }

    @Override
    public String unsupported(int[] cd) {
        int comp = cd.length > 4 ? cd[4] : 0;
        if (comp != NONE && comp != LZ4 && comp != ZSTD) {
            return "bitshuffle (filter 32008) with the unknown compression " + comp;
        }
        return null;
    }

    /**
     * bitshuffle's default block (in elements) when client value 3 is 0: 8192 bytes of elements
     * rounded down to a multiple of 8, at least 128 elements ({@code bshuf_default_block_size}).
     */
    static int defaultBlock(int elemSize) {
        int block = 8192 / elemSize;
        block -= block % 8;
        return Math.max(block, 128);
    }

    @Override
    int decode(byte[] src, int len, byte[] dst, int expected, int elemSize, int[] cd, DecodeScratch scratchBuffers) {
        byte[] scratch = scratchBuffers.scratch(expected);
        int size = cd.length > 2 && cd[2] > 0 ? cd[2] : elemSize;
        int compression = cd.length > 4 ? cd[4] : NONE;
        if (compression != NONE && compression != LZ4 && compression != ZSTD) {
            throw new UnsupportedHdf5Exception("bitshuffle (filter 32008) with the unknown compression " + compression);
        }
        if (compression == ZSTD && len == expected
                && (len < 12 || ((long) be32(src, 0) << 32 | (be32(src, 4) & 0xffffffffL)) != expected)) {
            // bitshuffle 0.3.5 (no zstd) accepts compression 3, stores it and writes the chunks
            // uncompressed: exactly the chunk's size and without the header every compressed chunk
            // starts with (its decoded size, which is the chunk's)
            compression = NONE;
        }
        long total;
        int blockBytes;
        int ip;
        if (compression == NONE) {
            int block = cd.length > 3 && cd[3] != 0 ? cd[3] : defaultBlock(size);
            if (size < 1 || block < 0 || block % 8 != 0 || (long) block * size > Integer.MAX_VALUE) {
                throw new CorruptDataException("bitshuffle: client data gives blocks of " + block + " elements of "
                        + size + " bytes");
            }
            total = len;
            blockBytes = block * size;
            ip = 0;
        } else {
            if (len < 12) {
                throw new CorruptDataException("bitshuffle: " + len + " bytes, shorter than the header");
            }
            total = (long) be32(src, 0) << 32 | (be32(src, 4) & 0xffffffffL);
            blockBytes = be32(src, 8);
            ip = 12;
        }
        if (total < 0 || total > expected || size < 1 || total % size != 0 || blockBytes <= 0
                || blockBytes % (8 * size) != 0) {
            throw new CorruptDataException("bitshuffle: " + total + " bytes in blocks of " + blockBytes
                    + " for " + size + "-byte elements, the chunk holds " + expected);
        }
        int n = (int) (total / size);
        int blockElems = blockBytes / size;
        int op = 0;
        int done = 0;
        int whole = n - n % 8;
        while (done < whole) {
            int m = Math.min(blockElems, whole - done);
            int want = m * size;
            if (compression == NONE) {
                BitTranspose.untransposeBits(src, ip, dst, op, m, size);
                ip += want;
            } else {
                if (ip + 4 > len) {
                    throw new CorruptDataException("bitshuffle: truncated block header");
                }
                int cb = be32(src, ip);
                ip += 4;
                if (cb < 0 || ip + cb > len) {
                    throw new CorruptDataException("bitshuffle: block runs past the chunk");
                }
                int got;
                if (compression == ZSTD) {
                    long k = Zstd.decompressByteArray(scratch, 0, want, src, ip, cb);
                    if (Zstd.isError(k)) {
                        throw new CorruptDataException("bitshuffle/zstd: " + Zstd.getErrorName(k));
                    }
                    got = (int) k;
                } else {
                    try {
                        got = LZ4_DEC.decompress(src, ip, cb, scratch, 0, want);
                    } catch (LZ4Exception e) {
                        throw new CorruptDataException("bitshuffle/lz4: " + e.getMessage(), e);
                    }
                }
                if (got != want) {
                    throw new CorruptDataException("bitshuffle: block decoded to " + got + " bytes, " + want + " expected");
                }
                BitTranspose.untransposeBits(scratch, 0, dst, op, m, size);
                ip += cb;
            }
            op += want;
            done += m;
        }
        int rest = (n - whole) * size;
        if (ip + rest > len) {
            throw new CorruptDataException("bitshuffle: the last " + (n - whole) + " elements are missing");
        }
        System.arraycopy(src, ip, dst, op, rest);
        return op + rest;
    }
}
