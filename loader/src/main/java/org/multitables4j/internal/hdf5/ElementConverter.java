package org.multitables4j.internal.hdf5;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Converts runs of stored elements (any supported {@link ElementType}, either byte order) into
 * the output type of a ring slot: FLOAT, DOUBLE, HALF, or the stored type itself in native byte
 * order. Half and bfloat16 values widen exactly (as numpy's {@code astype}); HALF output rounds
 * to nearest, ties to even (see {@link HalfFloats}). Runs are converted with absolute gets and
 * puts; nothing is allocated per element.
 */
public final class ElementConverter {
    private ElementConverter() {
    }

    /**
     * @param stored the stored element type
     * @param out    the requested output type
     * @return true when {@link #convert} supports this pair: FLOAT, DOUBLE and HALF from every
     *     stored type, and the stored type's own {@link ElementType#nativeDataType()}
     */
    public static boolean supports(ElementType stored, DataType out) {
        return out == DataType.FLOAT || out == DataType.DOUBLE || out == DataType.HALF || out == stored.nativeDataType();
    }

    /**
     * Converts {@code count} elements.
     *
     * @param src    source buffer (its byte order is ignored; {@code st} decides)
     * @param srcOff byte offset of the first source element
     * @param st     stored element type
     * @param dst    destination buffer in native byte order
     * @param dstOff byte offset of the first destination element
     * @param out    output type
     * @param count  number of elements
     */
    public static void convert(ByteBuffer src, int srcOff, ElementType st, ByteBuffer dst, int dstOff, DataType out, int count) {
        boolean nativeOrder = st.size() == 1 || st.byteOrder() == ByteOrder.nativeOrder();
        if (out == st.nativeDataType()) {
            if (nativeOrder) {
                dst.put(dstOff, src, srcOff, count * st.size());
            } else {
                swapCopy(inStoredOrder(src, st), srcOff, dst, dstOff, st.size(), count);
            }
            return;
        }
        ByteBuffer s = inStoredOrder(src, st);
        int es = st.size();
        if (out == DataType.FLOAT) {
            switch (st.kind()) {
                case FLOAT:
                    if (es == 2) {
                        for (int i = 0; i < count; i++) {
                            dst.putInt(dstOff + 4 * i, HalfFloats.halfToFloatBits(s.getShort(srcOff + 2 * i)));
                        }
                    } else {
                        for (int i = 0; i < count; i++) {
                            dst.putFloat(dstOff + 4 * i, (float) s.getDouble(srcOff + 8 * i));
                        }
                    }
                    return;
                case BFLOAT16:
                    for (int i = 0; i < count; i++) {
                        dst.putInt(dstOff + 4 * i, HalfFloats.bfloat16ToFloatBits(s.getShort(srcOff + 2 * i)));
                    }
                    return;
                case BOOL:
                    for (int i = 0; i < count; i++) {
                        dst.putFloat(dstOff + 4 * i, s.get(srcOff + i) != 0 ? 1f : 0f);
                    }
                    return;
                default:
                    if (st.kind() == ElementType.Kind.UINT && es == 8) {
                        for (int i = 0; i < count; i++) {
                            long v = s.getLong(srcOff + 8 * i);
                            // halve with the lost bit kept as a sticky bit, so rounding stays correct
                            dst.putFloat(dstOff + 4 * i, v >= 0 ? (float) v : (float) ((v >>> 1) | (v & 1)) * 2f);
                        }
                        return;
                    }
                    for (int i = 0; i < count; i++) {
                        dst.putFloat(dstOff + 4 * i, (float) readInteger(s, srcOff + es * i, st));
                    }
                    return;
            }
        }
        if (out == DataType.DOUBLE) {
            switch (st.kind()) {
                case FLOAT:
                    if (es == 2) {
                        for (int i = 0; i < count; i++) {
                            dst.putLong(dstOff + 8 * i, HalfFloats.halfToDoubleBits(s.getShort(srcOff + 2 * i)));
                        }
                    } else {
                        for (int i = 0; i < count; i++) {
                            dst.putDouble(dstOff + 8 * i, s.getFloat(srcOff + 4 * i));
                        }
                    }
                    return;
                case BFLOAT16:
                    for (int i = 0; i < count; i++) {
                        dst.putDouble(dstOff + 8 * i, Float.intBitsToFloat(HalfFloats.bfloat16ToFloatBits(s.getShort(srcOff + 2 * i))));
                    }
                    return;
                case BOOL:
                    for (int i = 0; i < count; i++) {
                        dst.putDouble(dstOff + 8 * i, s.get(srcOff + i) != 0 ? 1d : 0d);
                    }
                    return;
                default:
                    for (int i = 0; i < count; i++) {
                        dst.putDouble(dstOff + 8 * i, readIntegerAsDouble(s, srcOff + es * i, st));
                    }
                    return;
            }
        }
        if (out == DataType.HALF) {
            toHalf(s, srcOff, st, dst, dstOff, count);
            return;
        }
        throw new IllegalArgumentException("cannot convert " + st + " to " + out);
    }

    /** Rounds every element to half precision (stored halves are handled as the native type). */
    private static void toHalf(ByteBuffer s, int srcOff, ElementType st, ByteBuffer dst, int dstOff, int count) {
        int es = st.size();
        switch (st.kind()) {
            case FLOAT:
                if (es == 4) {
                    for (int i = 0; i < count; i++) {
                        dst.putShort(dstOff + 2 * i, HalfFloats.floatToHalf(s.getInt(srcOff + 4 * i)));
                    }
                } else {
                    for (int i = 0; i < count; i++) {
                        dst.putShort(dstOff + 2 * i, HalfFloats.doubleToHalf(s.getLong(srcOff + 8 * i)));
                    }
                }
                return;
            case BFLOAT16:
                for (int i = 0; i < count; i++) {
                    dst.putShort(dstOff + 2 * i, HalfFloats.floatToHalf(HalfFloats.bfloat16ToFloatBits(s.getShort(srcOff + 2 * i))));
                }
                return;
            default:
                for (int i = 0; i < count; i++) {
                    double v = readIntegerAsDouble(s, srcOff + es * i, st);
                    dst.putShort(dstOff + 2 * i, HalfFloats.doubleToHalf(Double.doubleToRawLongBits(v)));
                }
        }
    }

    private static void swapCopy(ByteBuffer s, int srcOff, ByteBuffer dst, int dstOff, int size, int count) {
        switch (size) {
            case 2:
                for (int i = 0; i < count; i++) {
                    dst.putShort(dstOff + 2 * i, s.getShort(srcOff + 2 * i));
                }
                break;
            case 4:
                for (int i = 0; i < count; i++) {
                    dst.putInt(dstOff + 4 * i, s.getInt(srcOff + 4 * i));
                }
                break;
            default:
                for (int i = 0; i < count; i++) {
                    dst.putLong(dstOff + 8 * i, s.getLong(srcOff + 8 * i));
                }
        }
    }

    /**
     * Block and scratch buffers are kept in the stored byte order, so converting a row from them
     * allocates nothing; other buffers get an ordered duplicate (reads are absolute either way).
     */
    private static ByteBuffer inStoredOrder(ByteBuffer src, ElementType st) {
        return src.order() == st.byteOrder() ? src : src.duplicate().order(st.byteOrder());
    }

    /**
     * Reads one integer (or boolean, or float truncated toward zero) element as a long.
     *
     * @param s   buffer ordered as the stored type
     * @param off byte offset
     * @param st  stored type
     * @return the value; unsigned 64-bit values above {@code Long.MAX_VALUE} come back negative
     */
    public static long readInteger(ByteBuffer s, int off, ElementType st) {
        switch (st.kind()) {
            case BOOL:
                return s.get(off) != 0 ? 1 : 0;
            case FLOAT:
            case BFLOAT16:
                return (long) readFloating(s, off, st);
            case INT:
                switch (st.size()) {
                    case 1:
                        return s.get(off);
                    case 2:
                        return s.getShort(off);
                    case 4:
                        return s.getInt(off);
                    default:
                        return s.getLong(off);
                }
            default:
                switch (st.size()) {
                    case 1:
                        return s.get(off) & 0xffL;
                    case 2:
                        return s.getShort(off) & 0xffffL;
                    case 4:
                        return s.getInt(off) & 0xffffffffL;
                    default:
                        return s.getLong(off);
                }
        }
    }

    /**
     * Reads one element as a double (exact for every integer up to 2^53).
     *
     * @param s   buffer ordered as the stored type
     * @param off byte offset
     * @param st  stored type
     * @return the value
     */
    public static double readIntegerAsDouble(ByteBuffer s, int off, ElementType st) {
        if (st.kind() == ElementType.Kind.UINT && st.size() == 8) {
            long v = s.getLong(off);
            return v >= 0 ? v : (double) ((v >>> 1) | (v & 1)) * 2.0;
        }
        if (st.kind() == ElementType.Kind.FLOAT || st.kind() == ElementType.Kind.BFLOAT16) {
            return readFloating(s, off, st);
        }
        return readInteger(s, off, st);
    }

    private static double readFloating(ByteBuffer s, int off, ElementType st) {
        if (st.kind() == ElementType.Kind.BFLOAT16) {
            return Float.intBitsToFloat(HalfFloats.bfloat16ToFloatBits(s.getShort(off)));
        }
        switch (st.size()) {
            case 2:
                return HalfFloats.halfToFloat(s.getShort(off));
            case 4:
                return s.getFloat(off);
            default:
                return s.getDouble(off);
        }
    }
}
