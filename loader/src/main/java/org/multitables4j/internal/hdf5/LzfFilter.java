package org.multitables4j.internal.hdf5;

import com.ning.compress.lzf.ChunkDecoder;
import com.ning.compress.lzf.LZFException;
import com.ning.compress.lzf.util.ChunkDecoderFactory;
import org.multitables4j.CorruptDataException;

/**
 * h5py's LZF filter (32000): the chunk is one raw liblzf stream (no header) of the whole decoded
 * chunk, decoded by compress-lzf's bounds-checked decoder. (An incompressible chunk is stored as
 * it is, with its filter mask bit set; it never reaches this filter.)
 */
final class LzfFilter extends ArrayFilter {
    /** The bounds-checked pure-Java decoder (the Unsafe one trusts its input); holds no state. */
    private static final ChunkDecoder LZF_DEC = ChunkDecoderFactory.safeInstance();

    @Override
    public int id() {
        return LZF;
    }

    @Override
    int decode(byte[] src, int len, byte[] dst, int expected, int elemSize, int[] cd, DecodeScratch scratch) {
        return lzf(src, len, dst, expected);
    }

    /** Decodes one stream, which must fill the chunk and be consumed exactly. */
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
}
