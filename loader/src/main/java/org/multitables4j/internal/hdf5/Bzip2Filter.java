package org.multitables4j.internal.hdf5;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.multitables4j.CorruptDataException;

/** PyTables' bzip2 filter (307): one bzip2 stream per chunk, decoded by commons-compress. */
final class Bzip2Filter extends ArrayFilter {

    @Override
    public int id() {
        return BZIP2;
    }

    @Override
    int decode(byte[] src, int len, byte[] dst, int expected, int elemSize, int[] cd, DecodeScratch scratch) {
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
