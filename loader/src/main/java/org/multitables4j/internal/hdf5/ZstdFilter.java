package org.multitables4j.internal.hdf5;

import com.github.luben.zstd.Zstd;
import org.multitables4j.CorruptDataException;

/** The zstd filter (32015): one zstd frame per chunk, decoded by zstd-jni. */
final class ZstdFilter extends ArrayFilter {

    @Override
    public int id() {
        return ZSTD;
    }

    @Override
    int decode(byte[] src, int len, byte[] dst, int expected, int elemSize, int[] cd, DecodeScratch scratch) {
        long n = Zstd.decompressByteArray(dst, 0, expected, src, 0, len);
        if (Zstd.isError(n)) {
            throw new CorruptDataException("zstd: " + Zstd.getErrorName(n));
        }
        return (int) n;
    }
}
