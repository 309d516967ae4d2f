package org.multitables4j.internal.hdf5;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.multitables4j.CorruptDataException;
import org.multitables4j.UnsupportedHdf5Exception;

/**
 * HDF5's szip filter (4), decoded by libaec's szip-compatible {@code SZ_BufftoBuffDecompress}
 * through {@link NativeCodecs} (libaec is linked into the loader's native library when
 * {@code libaec-dev} is installed at build time). A stored chunk is the decoded size (4 bytes,
 * little-endian) followed by the szip stream; the client data is {@code [options mask, pixels
 * per block, bits per pixel, pixels per scanline]} as the HDF5 library completes it when the
 * dataset is created (entropy coding or nearest neighbour, MSB/LSB and raw flags in the mask).
 */
final class SzipFilter implements Hdf5Filter {
    /** The HDF5 library's client data indices. */
    private static final int MASK = 0;
    private static final int PPB = 1;
    private static final int BPP = 2;
    private static final int PPS = 3;

    @Override
    public int id() {
        return SZIP;
    }

    @Override
    public String unsupported(int[] cd) {
        if (!NativeCodecs.szipAvailable()) {
            String why = NativeCodecs.loadError() != null ? NativeCodecs.loadError() : "it was built without libaec";
            return "szip (filter 4), which needs the loader's native library with libaec (" + why
                    + "; on Debian install libaec-dev, libdeflate-dev and gcc, then rebuild the loader)";
        }
        if (cd.length < 4) {
            return "szip (filter 4) with " + cd.length + " client values (4 expected)";
        }
        return null;
    }

    @Override
    public boolean readsDirect() {
        return true;
    }

    @Override
    public int decode(ByteBuffer src, int len, ByteBuffer dst, int expected, int elemSize, int[] cd, DecodeScratch scratch) {
        String bad = unsupported(cd);
        if (bad != null) {
            throw new UnsupportedHdf5Exception(bad);
        }
        if (len < 4) {
            throw new CorruptDataException("szip: " + len + " bytes, shorter than the size header");
        }
        long size = src.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt(0) & 0xffffffffL;
        if (size > expected) {
            throw new CorruptDataException("szip: the chunk says it holds " + size + " bytes, " + expected + " expected");
        }
        int n = NativeCodecs.szipDecode(src, 4, len - 4, dst, (int) size, cd[MASK], cd[BPP], cd[PPB], cd[PPS]);
        if (n < 0) {
            throw new CorruptDataException("szip: corrupt stream (libaec error " + n + ")");
        }
        if (n != size) {
            throw new CorruptDataException("szip: decoded to " + n + " bytes, " + size + " expected");
        }
        return n;
    }
}
