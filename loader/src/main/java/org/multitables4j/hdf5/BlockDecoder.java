package org.multitables4j.hdf5;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.multitables4j.CorruptDataException;

/**
 * Per-thread scratch space for reading and decoding chunks: a reused {@link Inflater}, a direct
 * buffer for raw chunk bytes and heap buffers for the inflate and unshuffle stages. One instance
 * per worker thread; not thread-safe.
 *
 * <p>Deflate, shuffle and fletcher32 are decoded here rather than through jhdf's pipeline:
 * jhdf allocates new arrays for every chunk and stage, and gets shuffle + fletcher32 without
 * compression wrong. Blosc, LZ4, zstd and bzip2 are decoded by {@link Codecs}; any other filter
 * goes through jhdf's pipeline.
 */
public final class BlockDecoder implements AutoCloseable {
    private final Inflater inflater = new Inflater();
    private ByteBuffer raw = ByteBuffer.allocateDirect(0);
    private byte[] a = new byte[0];
    private byte[] b = new byte[0];
    private byte[] c = new byte[0];
    private ByteBuffer chunk = ByteBuffer.allocate(0);
    private long decodedBytes;
    private long chunksDecoded;

    /** Creates scratch space; buffers grow on first use. */
    public BlockDecoder() {
    }

    ByteBuffer rawBuffer(int size) {
        if (raw.capacity() < size) {
            raw = ByteBuffer.allocateDirect(Math.max(size, raw.capacity() + raw.capacity() / 2));
        }
        raw.clear().limit(size);
        return raw;
    }

    ByteBuffer chunkBuffer(int size) {
        if (chunk.capacity() < size) {
            chunk = ByteBuffer.allocate(size);
        }
        return chunk;
    }

    private byte[] bufA(int size) {
        if (a.length < size) {
            a = new byte[size];
        }
        return a;
    }

    private byte[] bufC(int size) {
        if (c.length < size) {
            c = new byte[size];
        }
        return c;
    }

    private byte[] bufB(int size) {
        if (b.length < size) {
            b = new byte[size];
        }
        return b;
    }

    /** @return decoded bytes produced by this decoder so far */
    public long decodedBytes() {
        return decodedBytes;
    }

    /** @return chunks decoded by this decoder so far */
    public long chunksDecoded() {
        return chunksDecoded;
    }

    /**
     * Undoes a pipeline of deflate (1), shuffle (2) and fletcher32 (3) filters.
     *
     * @param in         raw chunk bytes, positions [0, size)
     * @param size       stored chunk size
     * @param ids        filter ids in pipeline (encoding) order
     * @param data0      first client value of each filter (unused for these filters)
     * @param mask       bit i set: filter i was skipped for this chunk
     * @param elemSize   element size, for shuffle
     * @param out        destination, written at [0, expected)
     * @param expected   decoded chunk size
     */
    void decode(ByteBuffer in, int size, int[] ids, int[] data0, int mask, int elemSize, ByteBuffer out, int expected) {
        chunksDecoded++;
        decodedBytes += expected;
        // current data: either 'in' (direct) when heap == null, or heap[0, len)
        byte[] heap = null;
        int len = size;
        for (int i = ids.length - 1; i >= 0; i--) {
            if ((mask & (1 << i)) != 0) {
                continue;
            }
            switch (ids[i]) {
                case Hdf5Array.FILTER_FLETCHER32: {
                    if (len < 4) {
                        throw new CorruptDataException("fletcher32: chunk of " + len + " bytes has no checksum");
                    }
                    int stored;
                    int computed;
                    if (heap == null) {
                        stored = in.order(ByteOrder.LITTLE_ENDIAN).getInt(len - 4);
                        computed = fletcher32(in, len - 4);
                    } else {
                        stored = ByteBuffer.wrap(heap).order(ByteOrder.LITTLE_ENDIAN).getInt(len - 4);
                        computed = fletcher32(ByteBuffer.wrap(heap), len - 4);
                    }
                    if (stored != computed && stored != Integer.reverseBytes(computed)) {
                        throw new CorruptDataException(String.format(
                                "fletcher32 checksum mismatch (stored %08x, computed %08x)", stored, computed));
                    }
                    len -= 4;
                    break;
                }
                case Hdf5Array.FILTER_DEFLATE: {
                    byte[] dst = heap == a ? bufB(expected) : bufA(expected);
                    if (heap == null) {
                        inflater.setInput(in.duplicate().position(0).limit(len));
                    } else {
                        inflater.setInput(heap, 0, len);
                    }
                    len = inflate(dst, expected);
                    heap = dst;
                    break;
                }
                case Hdf5Array.FILTER_SHUFFLE: {
                    byte[] src = heap;
                    if (src == null) {
                        src = bufA(len);
                        in.get(0, src, 0, len);
                    }
                    byte[] dst = src == a ? bufB(len) : bufA(len);
                    unshuffle(src, dst, len, elemSize);
                    heap = dst;
                    break;
                }
                default: {
                    if (!Codecs.supports(ids[i])) {
                        throw new IllegalStateException("filter " + ids[i] + " is not decoded here");
                    }
                    byte[] src = heap;
                    if (src == null) {
                        src = bufA(len);
                        in.get(0, src, 0, len);
                    }
                    byte[] dst = src == a ? bufB(expected) : bufA(expected);
                    len = Codecs.decode(ids[i], src, len, dst, expected, bufC(expected), inflater, elemSize);
                    heap = dst;
                    break;
                }
            }
        }
        if (len != expected) {
            throw new CorruptDataException("decoded to " + len + " bytes, " + expected + " expected");
        }
        if (heap == null) {
            out.put(0, in, 0, len);
        } else {
            out.put(0, heap, 0, len);
        }
    }

    private int inflate(byte[] dst, int expected) {
        try {
            int n = 0;
            while (n < expected) {
                int k = inflater.inflate(dst, n, expected - n);
                if (k == 0) {
                    if (inflater.finished() || inflater.needsInput() || inflater.needsDictionary()) {
                        break;
                    }
                }
                n += k;
            }
            if (!inflater.finished()) {
                // a complete stream of exactly 'expected' bytes may still need one call to see its end
                byte[] probe = new byte[1];
                int extra = inflater.inflate(probe);
                if (extra > 0) {
                    throw new CorruptDataException("deflate stream holds more than the " + expected + " bytes of a chunk");
                }
                if (!inflater.finished() && n < expected) {
                    throw new CorruptDataException("deflate stream ends early after " + n + " of " + expected + " bytes");
                }
            }
            return n;
        } catch (DataFormatException e) {
            throw new CorruptDataException("deflate stream is corrupt: " + e.getMessage(), e);
        } finally {
            inflater.reset();
        }
    }

    /** Reverses HDF5's byte shuffle: byte j of element i is stored at j * n + i. */
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    static void unshuffle(byte[] src, byte[] dst, int len, int elemSize) {
        unshuffle(src, 0, dst, 0, len, elemSize);
    }

    /**
     * Reverses a byte shuffle of {@code len} bytes: byte j of element i is stored at
     * {@code srcOff + j * n + i}; trailing bytes that do not fill an element are copied as they are.
     * Elements of 4 and 8 bytes are assembled in registers and stored whole.
     */
    static void unshuffle(byte[] src, int srcOff, byte[] dst, int dstOff, int len, int elemSize) {
        if (elemSize <= 1) {
            System.arraycopy(src, srcOff, dst, dstOff, len);
            return;
        }
        int n = len / elemSize;
        switch (elemSize) {
            case 2:
                for (int i = 0; i < n; i++) {
                    dst[dstOff + 2 * i] = src[srcOff + i];
                    dst[dstOff + 2 * i + 1] = src[srcOff + n + i];
                }
                break;
            case 4: {
                int s1 = srcOff + n;
                int s2 = srcOff + 2 * n;
                int s3 = srcOff + 3 * n;
                for (int i = 0; i < n; i++) {
                    int v = (src[srcOff + i] & 0xff) | (src[s1 + i] & 0xff) << 8 | (src[s2 + i] & 0xff) << 16
                            | src[s3 + i] << 24;
                    INT_LE.set(dst, dstOff + 4 * i, v);
                }
                break;
            }
            case 8: {
                for (int i = 0; i < n; i++) {
                    long v = 0;
                    for (int j = 7; j >= 0; j--) {
                        v = v << 8 | (src[srcOff + j * n + i] & 0xff);
                    }
                    LONG_LE.set(dst, dstOff + 8 * i, v);
                }
                break;
            }
            default:
                for (int j = 0; j < elemSize; j++) {
                    int base = srcOff + j * n;
                    for (int i = 0; i < n; i++) {
                        dst[dstOff + i * elemSize + j] = src[base + i];
                    }
                }
        }
        int tail = n * elemSize;
        if (tail < len) {
            System.arraycopy(src, srcOff + tail, dst, dstOff + tail, len - tail);
        }
    }

    /** HDF5's Fletcher-32 over 16-bit big-endian words, as H5_checksum_fletcher32 computes it. */
    static int fletcher32(ByteBuffer data, int len) {
        long sum1 = 0;
        long sum2 = 0;
        int words = len / 2;
        int p = 0;
        while (words > 0) {
            int t = Math.min(words, 360);
            words -= t;
            for (int k = 0; k < t; k++) {
                sum1 += ((data.get(p) & 0xff) << 8) | (data.get(p + 1) & 0xff);
                p += 2;
                sum2 += sum1;
            }
            sum1 = (sum1 & 0xffff) + (sum1 >>> 16);
            sum2 = (sum2 & 0xffff) + (sum2 >>> 16);
        }
        if ((len & 1) != 0) {
            sum1 += (data.get(p) & 0xff) << 8;
            sum2 += sum1;
            sum1 = (sum1 & 0xffff) + (sum1 >>> 16);
            sum2 = (sum2 & 0xffff) + (sum2 >>> 16);
        }
        sum1 = (sum1 & 0xffff) + (sum1 >>> 16);
        sum2 = (sum2 & 0xffff) + (sum2 >>> 16);
        return (int) ((sum2 << 16) | sum1);
    }

    /** Releases the inflater's native memory. */
    @Override
    public void close() {
        inflater.end();
    }
}
