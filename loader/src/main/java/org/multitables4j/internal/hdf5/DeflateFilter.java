package org.multitables4j.internal.hdf5;

import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.multitables4j.CorruptDataException;

/**
 * HDF5's deflate filter (1): one zlib stream per chunk. Decoded by libdeflate through
 * {@link NativeCodecs} when the stored chunk is in direct memory and the native library is
 * loaded (whole-buffer, straight into the destination), else by a reused {@link Inflater}, which
 * also reads direct input without a copy.
 */
final class DeflateFilter implements Hdf5Filter {
    private final Inflater inflater = new Inflater();
    /** libdeflate when its JNI library is loaded, else null. */
    private final NativeCodecs nativeInflate = NativeCodecs.available() ? new NativeCodecs() : null;

    @Override
    public int id() {
        return DEFLATE;
    }

    @Override
    public boolean readsDirect() {
        return true;
    }

    @Override
    public int decode(ByteBuffer src, int len, ByteBuffer dst, int expected, int elemSize, int[] cd, DecodeScratch scratch) {
        if (src.isDirect() && nativeInflate != null) {
            return nativeInflate(src, len, dst, expected);
        }
        if (src.isDirect()) {
            inflater.setInput(src.duplicate().position(0).limit(len));
        } else {
            inflater.setInput(src.array(), src.arrayOffset(), len);
        }
        return inflate(dst, expected);
    }

    private int nativeInflate(ByteBuffer in, int len, ByteBuffer dst, int expected) {
        int n = nativeInflate.inflate(in, 0, len, dst, expected);
        if (n == -3) {
            throw new CorruptDataException("deflate stream holds more than the " + expected + " bytes of a chunk");
        }
        if (n < 0) {
            throw new CorruptDataException("deflate stream is corrupt (libdeflate)");
        }
        if (n < expected) {
            throw new CorruptDataException("deflate stream ends early after " + n + " of " + expected + " bytes");
        }
        return n;
    }

    /** Inflates the inflater's input into {@code dst} at [0, expected); returns the bytes produced. */
    private int inflate(ByteBuffer dst, int expected) {
        ByteBuffer d = dst.duplicate().clear().limit(expected);
        try {
            while (d.hasRemaining()) {
                int k = inflater.inflate(d);
                if (k == 0 && (inflater.finished() || inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
            }
            int n = d.position();
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

    /** Releases the inflater's and libdeflate's native memory. */
    @Override
    public void close() {
        inflater.end();
        if (nativeInflate != null) {
            nativeInflate.close();
        }
    }
}
