package org.multitables4j.internal.hdf5;

/**
 * Bit-exact conversions between IEEE half precision (binary16), bfloat16 and the Java floating
 * types, as numpy's {@code astype} does them: widening is exact (subnormals normalized, NaN
 * payloads shifted into the wider mantissa, never quieted); narrowing to half rounds to nearest,
 * ties to even, overflows to infinity and keeps NaNs NaN with the top payload bits.
 */
final class HalfFloats {
    private HalfFloats() {
    }

    /** @return the binary32 bits of the half {@code h} (exact) */
    static int halfToFloatBits(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = bits & 0x7c00;
        int sig = bits & 0x03ff;
        if (exp == 0x7c00) {
            return sign | 0x7f800000 | sig << 13;
        }
        if (exp != 0) {
            return sign | ((bits & 0x7fff) + 0x1c000) << 13;
        }
        if (sig == 0) {
            return sign;
        }
        int shifts = 0;
        sig <<= 1;
        while ((sig & 0x0400) == 0) {
            sig <<= 1;
            shifts++;
        }
        return sign | (127 - 15 - shifts) << 23 | (sig & 0x03ff) << 13;
    }

    /** @return the binary64 bits of the half {@code h} (exact) */
    static long halfToDoubleBits(short h) {
        int bits = h & 0xffff;
        long sign = (long) (bits & 0x8000) << 48;
        int exp = bits & 0x7c00;
        long sig = bits & 0x03ff;
        if (exp == 0x7c00) {
            return sign | 0x7ff0000000000000L | sig << 42;
        }
        if (exp != 0) {
            return sign | (long) ((exp >>> 10) - 15 + 1023) << 52 | sig << 42;
        }
        if (sig == 0) {
            return sign;
        }
        int shifts = 0;
        sig <<= 1;
        while ((sig & 0x0400) == 0) {
            sig <<= 1;
            shifts++;
        }
        return sign | (long) (1023 - 15 - shifts) << 52 | (sig & 0x03ff) << 42;
    }

    /** @return the value of the half {@code h} */
    static float halfToFloat(short h) {
        return Float.intBitsToFloat(halfToFloatBits(h));
    }

    /** @return the binary32 bits of the bfloat16 {@code b} (its upper half) */
    static int bfloat16ToFloatBits(short b) {
        return (b & 0xffff) << 16;
    }

    /** @return the half nearest to the float with bits {@code f} */
    static short floatToHalf(int f) {
        if ((f & 0x7f800000) == 0x7f800000 && (f & 0x007fffff) != 0) {
            int payload = (f & 0x007fffff) >>> 13;
            return (short) ((f >>> 16) & 0x8000 | 0x7c00 | (payload == 0 ? 1 : payload));
        }
        return toHalf(Float.intBitsToFloat(f), (f >>> 16) & 0x8000);
    }

    /** @return the half nearest to the double with bits {@code d} */
    static short doubleToHalf(long d) {
        if ((d & 0x7ff0000000000000L) == 0x7ff0000000000000L && (d & 0x000fffffffffffffL) != 0) {
            int payload = (int) ((d & 0x000fffffffffffffL) >>> 42);
            return (short) ((int) (d >>> 48) & 0x8000 | 0x7c00 | (payload == 0 ? 1 : payload));
        }
        return toHalf(Double.longBitsToDouble(d), (int) (d >>> 48) & 0x8000);
    }

    /** Rounds a non-NaN value to half: scaling by powers of two is exact, so rint rounds the exact value. */
    private static short toHalf(double v, int sign) {
        double a = Math.abs(v);
        if (a >= 65520.0) { // halfway between 65504 (the largest half) and 2^16 rounds to even: infinity
            return (short) (sign | 0x7c00);
        }
        if (a < 0x1p-14) {
            int m = (int) Math.rint(a * 0x1p24); // subnormal steps of 2^-24; 1024 becomes the smallest normal
            return (short) (sign | m);
        }
        int e = Math.getExponent(a);
        int m = (int) Math.rint(Math.scalb(a, 10 - e)); // in [1024, 2048]
        if (m == 2048) {
            m = 1024;
            e++;
        }
        if (e > 15) {
            return (short) (sign | 0x7c00);
        }
        return (short) (sign | (e + 15) << 10 | (m - 1024));
    }
}
