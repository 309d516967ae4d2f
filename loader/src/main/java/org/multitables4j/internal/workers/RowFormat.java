package org.multitables4j.internal.workers;

import java.nio.ByteBuffer;
import org.multitables4j.CorruptDataException;
import org.multitables4j.internal.hdf5.ElementConverter;
import org.multitables4j.internal.hdf5.ElementType;
import org.multitables4j.internal.hdf5.Hdf5Array;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * How a stored row becomes a delivered row.
 *
 * @param out         delivered element type
 * @param classes     one-hot classes (the stored row is one integer class id), or 0
 * @param selection   the stored elements delivered, or null for the whole row
 * @param outRowBytes bytes of a delivered row
 */
public record RowFormat(DataType out, int classes, RowSelection selection, int outRowBytes) {
    /**
     * @param array     the dataset
     * @param out       delivered element type
     * @param classes   one-hot classes, or 0
     * @param selection selected elements, or null for all
     * @return the format
     */
    public static RowFormat of(Hdf5Array array, DataType out, int classes, RowSelection selection) {
        long elements = classes > 0 ? classes : selection != null ? selection.elements() : array.rowElements();
        return new RowFormat(out, classes, selection == null || selection.whole() ? null : selection,
                Math.toIntExact(elements * out.width()));
    }

    boolean oneHot() {
        return classes > 0;
    }

    /** @return true when rows of {@code a} are copied byte for byte */
    boolean identity(Hdf5Array a) {
        ElementType st = a.elementType();
        return classes == 0 && selection == null && a.denseRows() && out == st.nativeDataType()
                && (st.size() == 1 || st.byteOrder() == java.nio.ByteOrder.nativeOrder());
    }

    /**
     * Converts {@code m} consecutive stored rows starting at {@code srcOff} of {@code src} into
     * positions {@code k ..} of the destination.
     *
     * @param a        the dataset (part) the rows come from
     * @param src      stored rows, in the dataset's byte order
     * @param srcOff   byte offset of the first row (its record, for compound columns)
     * @param m        rows
     * @param firstRow the dataset row of the first one, for error messages
     * @param dst      destination
     * @param k        position of the first row
     * @param f        the row format
     */
    public static void convertRows(Hdf5Array a, ByteBuffer src, int srcOff, int m, long firstRow, ByteBuffer dst, int k,
                                   RowFormat f) {
        ElementType stored = a.elementType();
        int rowBytes = a.rowBytes();
        int outRowBytes = f.outRowBytes();
        if (f.oneHot()) {
            int classes = f.classes();
            boolean dbl = f.out() == DataType.DOUBLE;
            for (int i = 0; i < m; i++) {
                long c = ElementConverter.readInteger(src, srcOff + i * rowBytes + a.memberOffset(), stored);
                if (c < 0 || c >= classes) {
                    throw new CorruptDataException("Dataset '" + a.path() + "' in " + a.file().path() + ": row "
                            + (firstRow + i) + " holds class " + c + ", outside oneHot(" + classes + ") = [0, "
                            + classes + ")");
                }
                int at = (k + i) * outRowBytes + (int) c * (dbl ? 8 : 4);
                if (dbl) {
                    dst.putDouble(at, 1d);
                } else {
                    dst.putFloat(at, 1f);
                }
            }
            return;
        }
        RowSelection sel = f.selection();
        if (sel == null) {
            int rowElements = (int) a.rowElements();
            if (a.denseRows()) {
                ElementConverter.convert(src, srcOff, stored, dst, k * outRowBytes, f.out(), m * rowElements);
            } else {
                for (int i = 0; i < m; i++) {
                    ElementConverter.convert(src, srcOff + i * rowBytes + a.memberOffset(), stored, dst,
                            (k + i) * outRowBytes, f.out(), rowElements);
                }
            }
            return;
        }
        int[] offsets = sel.offsets();
        int len = sel.length();
        int es = stored.size();
        int step = len * f.out().width();
        for (int i = 0; i < m; i++) {
            int rowOff = srcOff + i * rowBytes + a.memberOffset();
            int dstOff = (k + i) * outRowBytes;
            for (int j = 0; j < offsets.length; j++) {
                ElementConverter.convert(src, rowOff + offsets[j] * es, stored, dst, dstOff + j * step, f.out(), len);
            }
        }
    }

    /**
     * Zeroes the first bytes of a destination (before one-hot vectors are set).
     *
     * @param dst   destination
     * @param bytes how many
     */
    public static void zero(ByteBuffer dst, int bytes) {
        int i = 0;
        for (; i + 8 <= bytes; i += 8) {
            dst.putLong(i, 0L);
        }
        for (; i < bytes; i++) {
            dst.put(i, (byte) 0);
        }
    }
}
