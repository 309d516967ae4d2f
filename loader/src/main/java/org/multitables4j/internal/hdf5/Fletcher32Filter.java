package org.multitables4j.internal.hdf5;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.multitables4j.CorruptDataException;

/**
 * HDF5's fletcher32 filter (3): a 4-byte checksum after the data, checked and cut off. The
 * checksum is accepted in either byte order, as the HDF5 library accepts it.
 */
final class Fletcher32Filter implements Hdf5Filter {

    @Override
    public int id() {
        return FLETCHER32;
    }

    @Override
    public boolean readsDirect() {
        return true;
    }

    @Override
    public boolean verifiesOnly() {
        return true;
    }

    @Override
    public int decode(ByteBuffer src, int len, ByteBuffer dst, int expected, int elemSize, int[] cd, DecodeScratch scratch) {
        if (len < 4) {
            throw new CorruptDataException("fletcher32: chunk of " + len + " bytes has no checksum");
        }
        int stored = src.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt(len - 4);
        int computed = fletcher32(src, len - 4);
        if (stored != computed && stored != Integer.reverseBytes(computed)) {
            throw new CorruptDataException(String.format(
                    "fletcher32 checksum mismatch (stored %08x, computed %08x)", stored, computed));
        }
        return len - 4;
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
}
