package org.multitables4j.hdf5;

import com.github.luben.zstd.Zstd;
import com.ning.compress.lzf.ChunkDecoder;
import com.ning.compress.lzf.LZFException;
import com.ning.compress.lzf.util.ChunkDecoderFactory;
import io.airlift.compress.MalformedInputException;
import io.airlift.compress.lzo.LzoDecompressor;
import io.airlift.compress.snappy.SnappyDecompressor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.multitables4j.CorruptDataException;
import org.multitables4j.UnsupportedHdf5Exception;

/**
 * Decoders of the registered HDF5 filters beyond deflate/shuffle/fletcher32: blosc (32001) with
 * its blosclz, lz4/lz4hc, snappy, zlib and zstd codecs and byte or bit shuffle, LZF (32000, h5py's
 * filter), LZ4 (32004), zstd (32015), bzip2 (307), PyTables' LZO (305) and bitshuffle (32008)
 * with LZ4, zstd or no compression. LZ4 comes from lz4-java, zstd from zstd-jni, bzip2 from
 * commons-compress, LZO and snappy from aircompressor, LZF from compress-lzf; the blosc container,
 * its blosclz codec and the bit transposition of bit-shuffle are decoded here (no maintained Java
 * library reads them). Stateless; buffers are the caller's.
 */
final class Codecs {
    static final int BLOSC = 32001;
    static final int LZ4 = 32004;
    static final int ZSTD = 32015;
    static final int BZIP2 = 307;
    static final int LZO = 305;
    static final int BITSHUFFLE = 32008;
    static final int LZF = 32000;
    /** bitshuffle's client value 4: no compression after the bit transposition. */
    static final int BITSHUFFLE_NONE = 0;
    /** bitshuffle's client value 4: LZ4 blocks. */
    static final int BITSHUFFLE_LZ4 = 2;
    /** bitshuffle's client value 4: zstd frames. */
    static final int BITSHUFFLE_ZSTD = 3;

    private static final LZ4SafeDecompressor LZ4_DEC = LZ4Factory.fastestInstance().safeDecompressor();
    private static final LzoDecompressor LZO_DEC = new LzoDecompressor();
    private static final SnappyDecompressor SNAPPY_DEC = new SnappyDecompressor();
    /** The bounds-checked pure-Java decoder (the Unsafe one trusts its input); holds no state. */
    private static final ChunkDecoder LZF_DEC = ChunkDecoderFactory.safeInstance();
    private static final int BLOSC_MAX_SPLITS = 16;
    private static final int BLOSC_MIN_BUFFERSIZE = 128;
    private static final int BLOSCLZ_MAX_DISTANCE = 8191;

    private Codecs() {
    }

    /** @return true when this class decodes filter {@code id} */
    static boolean supports(int id) {
        return id == BLOSC || id == LZ4 || id == ZSTD || id == BZIP2 || id == LZO || id == BITSHUFFLE || id == LZF;
    }

    /**
     * Decodes one filter.
     *
     * @param id       filter id
     * @param src      encoded bytes [0, len)
     * @param len      encoded length
     * @param dst      destination, at least {@code expected} bytes (plus 16 for blosc scratch)
     * @param expected bytes the chunk decodes to at most
     * @param scratch  a buffer of at least {@code expected} bytes (blosc shuffle stage)
     * @param inflater a reusable inflater (blosc zlib codec)
     * @param elemSize bytes of one element of the dataset (bitshuffle)
     * @param cd       the filter's client data as stored in the file (bitshuffle: compression and
     *                 block size); may be empty
     * @return decoded length
     */
    static int decode(int id, byte[] src, int len, byte[] dst, int expected, byte[] scratch, Inflater inflater,
                      int elemSize, int[] cd) {
        switch (id) {
            case BLOSC:
                return blosc(src, len, ByteBuffer.wrap(dst), expected, scratch, inflater);
            case LZ4:
                return lz4Filter(src, len, dst, expected);
            case ZSTD: {
                long n = Zstd.decompressByteArray(dst, 0, expected, src, 0, len);
                if (Zstd.isError(n)) {
                    throw new CorruptDataException("zstd: " + Zstd.getErrorName(n));
                }
                return (int) n;
            }
            case BZIP2:
                return bzip2(src, len, dst, expected);
            case LZO:
                return lzo(src, len, dst, expected);
            case BITSHUFFLE:
                return bitshuffleFilter(src, len, dst, expected, scratch, elemSize, cd);
            case LZF:
                return lzf(src, len, dst, expected);
            default:
                throw new IllegalStateException("filter " + id);
        }
    }

    private static int le32(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }

    private static int be32(byte[] b, int off) {
        return (b[off] & 0xff) << 24 | (b[off + 1] & 0xff) << 16 | (b[off + 2] & 0xff) << 8 | (b[off + 3] & 0xff);
    }

    /** The blosc 1 container: 16-byte header, block starts, blocks split into streams per byte. */
    static int blosc(byte[] src, int len, ByteBuffer dst, int expected, byte[] scratch, Inflater inflater) {
        if (len < 16) {
            throw new CorruptDataException("blosc: " + len + " bytes, shorter than the header");
        }
        int flags = src[2] & 0xff;
        int typesize = Math.max(1, src[3] & 0xff);
        int nbytes = le32(src, 4);
        int blocksize = le32(src, 8);
        int cbytes = le32(src, 12);
        if (nbytes < 0 || nbytes > expected || cbytes > len || cbytes < 16 || (nbytes > 0 && blocksize <= 0)) {
            throw new CorruptDataException("blosc: header says " + nbytes + " bytes in blocks of " + blocksize + " ("
                    + cbytes + " compressed), the chunk holds " + expected + " (" + len + " stored)");
        }
        if (nbytes == 0) {
            return 0;
        }
        if ((flags & 0x02) != 0) { // memcpyed
            if (16 + nbytes > len) {
                throw new CorruptDataException("blosc: copied buffer is truncated");
            }
            dst.put(0, src, 16, nbytes);
            return nbytes;
        }
        boolean shuffle = (flags & 0x01) != 0 && typesize > 1;
        boolean bitShuffle = !shuffle && (flags & 0x04) != 0;
        int version = src[0] & 0xff;
        int codec = flags >>> 5;
        boolean dontSplit = (flags & 0x10) != 0;
        int nblocks = (nbytes + blocksize - 1) / blocksize;
        int leftover = nbytes % blocksize;
        for (int j = 0; j < nblocks; j++) {
            int bsize = j == nblocks - 1 && leftover > 0 ? leftover : blocksize;
            boolean leftoverBlock = j == nblocks - 1 && leftover > 0;
            int off = 16 + 4 * j;
            if (off + 4 > len) {
                throw new CorruptDataException("blosc: block table is truncated");
            }
            int p = le32(src, off);
            int nsplits = !dontSplit && typesize <= BLOSC_MAX_SPLITS && blocksize / typesize >= BLOSC_MIN_BUFFERSIZE
                    && !leftoverBlock ? typesize : 1;
            int neblock = bsize / nsplits;
            boolean bits = bitShuffle && bsize >= typesize;
            // shuffled blocks are decoded into scratch and unshuffled into dst; others straight into
            // dst's array, or into scratch and copied when dst is direct memory
            boolean viaScratch = shuffle || bits || !dst.hasArray();
            if (bits && !dst.hasArray()) {
                throw new IllegalArgumentException("bit-shuffled blosc blocks are decoded into heap buffers");
            }
            byte[] target = viaScratch ? scratch : dst.array();
            int tOff = viaScratch ? 0 : dst.arrayOffset() + j * blocksize;
            for (int s = 0; s < nsplits; s++) {
                if (p < 0 || p + 4 > len) {
                    throw new CorruptDataException("blosc: block " + j + " starts outside the buffer");
                }
                int cb = le32(src, p);
                p += 4;
                if (cb < 0 || p + cb > len) {
                    throw new CorruptDataException("blosc: block " + j + " stream " + s + " runs past the buffer");
                }
                int got;
                if (cb == neblock) {
                    System.arraycopy(src, p, target, tOff, neblock);
                    got = neblock;
                } else {
                    got = bloscCodec(codec, src, p, cb, target, tOff, neblock, inflater);
                }
                if (got != neblock) {
                    throw new CorruptDataException("blosc: block " + j + " stream " + s + " decoded to " + got + " bytes, "
                            + neblock + " expected");
                }
                p += cb;
                tOff += neblock;
            }
            if (shuffle) {
                BlockDecoder.unshuffle(scratch, 0, dst, j * blocksize, bsize, typesize);
            } else if (bits) {
                bitUnshuffle(scratch, 0, dst, j * blocksize, bsize, typesize, version);
            } else if (viaScratch) {
                dst.put(j * blocksize, scratch, 0, bsize);
            }
        }
        return nbytes;
    }

    /**
     * Undoes blosc's bit-shuffle of one block: the elements (all but the last {@code size % 8},
     * which are stored as they are; format version 2 transposes only blocks of a multiple of 8
     * elements) were stored as 8 x typesize bit rows, row {@code 8 * byte + bit} holding that bit
     * of that byte of every element, eight elements per byte, the first in the lowest bit.
     */
    static void bitUnshuffle(byte[] src, int sOff, ByteBuffer dst, int dOff, int blockBytes, int typesize, int version) {
        if (!dst.hasArray()) {
            throw new IllegalArgumentException("bit-shuffled blosc blocks are decoded into heap buffers");
        }
        int size = blockBytes / typesize;
        int n = version == 2 ? (size % 8 == 0 ? size : 0) : size - size % 8;
        int at = dst.arrayOffset() + dOff;
        if (n > 0) {
            untransposeBits(src, sOff, dst.array(), at, n, typesize);
        }
        int done = n * typesize;
        System.arraycopy(src, sOff + done, dst.array(), at + done, blockBytes - done);
    }

    /**
     * @return whether a blosc buffer is bit-shuffled (those are decoded into heap memory; the
     *         others may be decoded straight into direct memory)
     */
    static boolean bloscBitShuffled(byte[] src, int len) {
        if (len < 16) {
            return false;
        }
        int flags = src[2] & 0xff;
        boolean byteShuffle = (flags & 0x01) != 0 && (src[3] & 0xff) > 1;
        return !byteShuffle && (flags & 0x04) != 0;
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

    /**
     * bitshuffle's default block (in elements) when client value 3 is 0: 8192 bytes of elements
     * rounded down to a multiple of 8, at least 128 elements ({@code bshuf_default_block_size}).
     */
    static int bitshuffleDefaultBlock(int elemSize) {
        int block = 8192 / elemSize;
        block -= block % 8;
        return Math.max(block, 128);
    }

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
    static int bitshuffleFilter(byte[] src, int len, byte[] dst, int expected, byte[] scratch, int elemSize, int[] cd) {
        int size = cd.length > 2 && cd[2] > 0 ? cd[2] : elemSize;
        int compression = cd.length > 4 ? cd[4] : BITSHUFFLE_NONE;
        if (compression != BITSHUFFLE_NONE && compression != BITSHUFFLE_LZ4 && compression != BITSHUFFLE_ZSTD) {
            throw new UnsupportedHdf5Exception("bitshuffle (filter 32008) with the unknown compression " + compression);
        }
        if (compression == BITSHUFFLE_ZSTD && len == expected
                && (len < 12 || ((long) be32(src, 0) << 32 | (be32(src, 4) & 0xffffffffL)) != expected)) {
            // bitshuffle 0.3.5 (no zstd) accepts compression 3, stores it and writes the chunks
            // uncompressed: exactly the chunk's size and without the header every compressed chunk
            // starts with (its decoded size, which is the chunk's)
            compression = BITSHUFFLE_NONE;
        }
        long total;
        int blockBytes;
        int ip;
        if (compression == BITSHUFFLE_NONE) {
            int block = cd.length > 3 && cd[3] != 0 ? cd[3] : bitshuffleDefaultBlock(size);
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
            if (compression == BITSHUFFLE_NONE) {
                untransposeBits(src, ip, dst, op, m, size);
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
                if (compression == BITSHUFFLE_ZSTD) {
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
                untransposeBits(scratch, 0, dst, op, m, size);
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

    /**
     * h5py's LZF filter (32000): the chunk is one raw liblzf stream (no header) of the whole
     * decoded chunk. (An incompressible chunk is stored as it is, with its filter mask bit set;
     * it never reaches this method.) The stream must fill the chunk and be consumed exactly.
     */
    static int lzf(byte[] src, int len, byte[] dst, int expected) {
        if (expected == 0) {
            return 0;
        }
        if (len <= 0) {
            throw new CorruptDataException("lzf: empty stream for a chunk of " + expected + " bytes");
        }
        try {
            LZF_DEC.decodeChunk(src, 0, len, dst, 0, expected);
        } catch (LZFException | IndexOutOfBoundsException e) {
            throw new CorruptDataException("lzf: corrupt stream (" + e.getMessage() + ")", e);
        }
        return expected;
    }

    /** PyTables' LZO filter: one LZO1X stream of the whole chunk. */
    private static int lzo(byte[] src, int len, byte[] dst, int expected) {
        try {
            return LZO_DEC.decompress(src, 0, len, dst, 0, expected);
        } catch (MalformedInputException | IndexOutOfBoundsException e) {
            throw new CorruptDataException("lzo: " + e.getMessage(), e);
        }
    }

    private static int bloscCodec(int codec, byte[] src, int off, int len, byte[] dst, int dOff, int max, Inflater inf) {
        switch (codec) {
            case 0:
                return blosclz(src, off, len, dst, dOff, max);
            case 1:
                try {
                    return LZ4_DEC.decompress(src, off, len, dst, dOff, max);
                } catch (LZ4Exception e) {
                    throw new CorruptDataException("blosc/lz4: " + e.getMessage(), e);
                }
            case 3:
                try {
                    inf.reset();
                    inf.setInput(src, off, len);
                    int n = 0;
                    while (n < max && !inf.finished()) {
                        int k = inf.inflate(dst, dOff + n, max - n);
                        if (k == 0 && (inf.needsInput() || inf.needsDictionary())) {
                            break;
                        }
                        n += k;
                    }
                    return n;
                } catch (DataFormatException e) {
                    throw new CorruptDataException("blosc/zlib: " + e.getMessage(), e);
                }
            case 2:
                try {
                    return SNAPPY_DEC.decompress(src, off, len, dst, dOff, max);
                } catch (MalformedInputException | IndexOutOfBoundsException e) {
                    throw new CorruptDataException("blosc/snappy: " + e.getMessage(), e);
                }
            case 4: {
                long n = Zstd.decompressByteArray(dst, dOff, max, src, off, len);
                if (Zstd.isError(n)) {
                    throw new CorruptDataException("blosc/zstd: " + Zstd.getErrorName(n));
                }
                return (int) n;
            }
            default:
                throw new UnsupportedHdf5Exception("blosc codec " + codec + " is not supported");
        }
    }

    /** blosclz: literal runs and back references of 3+ bytes within 8191 (or 65535 + 8191) bytes. */
    static int blosclz(byte[] src, int off, int len, byte[] dst, int dOff, int max) {
        if (len == 0) {
            return 0;
        }
        int ip = off;
        int ipLimit = off + len;
        int op = dOff;
        int opLimit = dOff + max;
        int ctrl = src[ip++] & 31;
        while (true) {
            if (ctrl >= 32) {
                int mlen = (ctrl >>> 5) - 1;
                int ofs = (ctrl & 31) << 8;
                if (mlen == 6) {
                    int code;
                    do {
                        if (ip + 1 >= ipLimit) {
                            throw new CorruptDataException("blosclz: truncated match length");
                        }
                        code = src[ip++] & 0xff;
                        mlen += code;
                    } while (code == 255);
                } else if (ip + 1 >= ipLimit) {
                    throw new CorruptDataException("blosclz: truncated match");
                }
                int code = src[ip++] & 0xff;
                mlen += 3;
                int ref = op - ofs - code;
                if (code == 255 && ofs == (31 << 8)) {
                    if (ip + 1 >= ipLimit) {
                        throw new CorruptDataException("blosclz: truncated far match");
                    }
                    ofs = (src[ip++] & 0xff) << 8;
                    ofs += src[ip++] & 0xff;
                    ref = op - ofs - BLOSCLZ_MAX_DISTANCE;
                }
                ref--;
                if (op + mlen > opLimit || ref < dOff) {
                    throw new CorruptDataException("blosclz: match outside the output");
                }
                for (int i = 0; i < mlen; i++) {
                    dst[op + i] = dst[ref + i];
                }
                op += mlen;
                if (ip >= ipLimit) {
                    break;
                }
                ctrl = src[ip++] & 0xff;
            } else {
                ctrl++;
                if (op + ctrl > opLimit || ip + ctrl > ipLimit) {
                    throw new CorruptDataException("blosclz: literal run outside the buffers");
                }
                System.arraycopy(src, ip, dst, op, ctrl);
                op += ctrl;
                ip += ctrl;
                if (ip >= ipLimit) {
                    break;
                }
                ctrl = src[ip++] & 0xff;
            }
        }
        return op - dOff;
    }

    /** The HDF5 LZ4 filter: 8-byte total size, 4-byte block size, then (4-byte size, block) pairs, big endian. */
    static int lz4Filter(byte[] src, int len, byte[] dst, int expected) {
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

    private static int bzip2(byte[] src, int len, byte[] dst, int expected) {
        try (InputStream in = new BZip2CompressorInputStream(new ByteArrayInputStream(src, 0, len))) {
            int n = 0;
            while (n < expected) {
                int k = in.read(dst, n, expected - n);
                if (k < 0) {
                    break;
                }
                n += k;
            }
            return n;
        } catch (IOException e) {
            throw new CorruptDataException("bzip2: " + e.getMessage(), e);
        }
    }
}
