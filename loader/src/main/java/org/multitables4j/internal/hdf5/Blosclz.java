package org.multitables4j.internal.hdf5;

import org.multitables4j.CorruptDataException;

/** blosc's own codec blosclz: literal runs and back references of 3+ bytes within 8191 (or 65535 + 8191) bytes. */
final class Blosclz {
    private static final int MAX_DISTANCE = 8191;

    private Blosclz() {
    }

    /**
     * Decodes one blosclz stream.
     *
     * @return the decoded length
     */
    static int decode(byte[] src, int off, int len, byte[] dst, int dOff, int max) {
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
                    ref = op - ofs - MAX_DISTANCE;
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
}
