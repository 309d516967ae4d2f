package org.multitables4j.internal.hdf5;

import com.github.luben.zstd.Zstd;
import io.airlift.compress.MalformedInputException;
import io.airlift.compress.snappy.SnappyDecompressor;
import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import org.multitables4j.CorruptDataException;

/**
 * The blosc filter (32001) of PyTables and hdf5plugin: the blosc 1 container (16-byte header,
 * block starts, blocks split into one stream per byte of the element) with its codecs blosclz
 * ({@link Blosclz}), lz4/lz4hc (lz4-java), snappy (aircompressor), zlib (the JDK) and zstd
 * (zstd-jni), and byte or bit shuffle. Byte-shuffled and plain buffers are decoded straight into
 * the destination, direct memory included; bit-shuffled ones through the heap.
 */
final class BloscFilter implements Hdf5Filter {
    private static final LZ4SafeDecompressor LZ4_DEC = LZ4Factory.fastestInstance().safeDecompressor();
    private static final SnappyDecompressor SNAPPY_DEC = new SnappyDecompressor();
    private static final int MAX_SPLITS = 16;
    private static final int MIN_BUFFERSIZE = 128;
    private Inflater inflater;

    @Override
    public int id() {
        return BLOSC;
    }

    @Override
    public String unsupported(int[] cd) {
        if (cd.length > 6 && (cd[6] < 0 || cd[6] > 5)) {
            return "blosc (filter 32001) with the unknown codec " + cd[6];
        }
        return null;
    }

    @Override
    public int decode(ByteBuffer src, int len, ByteBuffer dst, int expected, int elemSize, int[] cd, DecodeScratch scratch) {
        byte[] in = src.array();
        if (dst.hasArray() || !bitShuffled(in, len)) {
            return blosc(in, len, dst, expected, scratch.scratch(expected), inflater());
        }
        byte[] tmp = scratch.spare(expected);
        int n = blosc(in, len, ByteBuffer.wrap(tmp), expected, scratch.scratch(expected), inflater());
        dst.put(0, tmp, 0, n);
        return n;
    }

    private Inflater inflater() {
        if (inflater == null) {
            inflater = new Inflater();
        }
        return inflater;
    }

    /** Releases the zlib codec's native memory. */
    @Override
    public void close() {
        if (inflater != null) {
            inflater.end();
        }
    }

    private static int le32(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }

    /** Decodes one blosc buffer {@code src[0, len)} into {@code dst[0, nbytes)}; returns nbytes. */
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
            int nsplits = !dontSplit && typesize <= MAX_SPLITS && blocksize / typesize >= MIN_BUFFERSIZE
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
                    got = codec(codec, src, p, cb, target, tOff, neblock, inflater);
                }
                if (got != neblock) {
                    throw new CorruptDataException("blosc: block " + j + " stream " + s + " decoded to " + got + " bytes, "
                            + neblock + " expected");
                }
                p += cb;
                tOff += neblock;
            }
            if (shuffle) {
                ShuffleFilter.unshuffle(scratch, 0, dst, j * blocksize, bsize, typesize);
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
     * elements) were stored as bit rows ({@link BitTranspose}).
     */
    static void bitUnshuffle(byte[] src, int sOff, ByteBuffer dst, int dOff, int blockBytes, int typesize, int version) {
        if (!dst.hasArray()) {
            throw new IllegalArgumentException("bit-shuffled blosc blocks are decoded into heap buffers");
        }
        int size = blockBytes / typesize;
        int n = version == 2 ? (size % 8 == 0 ? size : 0) : size - size % 8;
        int at = dst.arrayOffset() + dOff;
        if (n > 0) {
            BitTranspose.untransposeBits(src, sOff, dst.array(), at, n, typesize);
        }
        int done = n * typesize;
        System.arraycopy(src, sOff + done, dst.array(), at + done, blockBytes - done);
    }

    /**
     * @return whether a blosc buffer is bit-shuffled (those are decoded into heap memory; the
     *         others may be decoded straight into direct memory)
     */
    static boolean bitShuffled(byte[] src, int len) {
        if (len < 16) {
            return false;
        }
        int flags = src[2] & 0xff;
        boolean byteShuffle = (flags & 0x01) != 0 && (src[3] & 0xff) > 1;
        return !byteShuffle && (flags & 0x04) != 0;
    }

    private static int codec(int codec, byte[] src, int off, int len, byte[] dst, int dOff, int max, Inflater inf) {
        switch (codec) {
            case 0:
                return Blosclz.decode(src, off, len, dst, dOff, max);
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
                throw new org.multitables4j.UnsupportedHdf5Exception("blosc codec " + codec + " is not supported");
        }
    }
}
