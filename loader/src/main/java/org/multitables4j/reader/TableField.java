package org.multitables4j.reader;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.util.Arrays;
import org.multitables4j.internal.hdf5.ElementConverter;
import org.multitables4j.internal.hdf5.ElementType;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * One leaf field of a table's records: a number (or a fixed-size array of numbers), or a
 * fixed-length byte string. Nested fields are named by their {@code '/'}-separated path
 * ({@code "meta/a"}), as PyTables names nested columns. Immutable.
 */
public final class TableField {
    private final String name;
    private final int offset;
    private final ElementType type;
    private final long[] shape;
    private final int elements;
    private final int stringBytes;
    private final boolean nullPadded;
    private final Charset charset;
    private final DataType out;

    private TableField(String name, int offset, ElementType type, long[] shape, int stringBytes, boolean nullPadded,
                       Charset charset) {
        this.name = name;
        this.offset = offset;
        this.type = type;
        this.shape = shape;
        long e = 1;
        for (long d : shape) {
            e *= d;
        }
        this.elements = (int) e;
        this.stringBytes = stringBytes;
        this.nullPadded = nullPadded;
        this.charset = charset;
        DataType n = type == null ? null : type.nativeDataType();
        this.out = type == null ? null : ElementConverter.supports(type, n) ? n : DataType.DOUBLE;
    }

    static TableField numeric(String name, int offset, ElementType type, long[] shape) {
        return new TableField(name, offset, type, shape.clone(), 0, false, null);
    }

    static TableField string(String name, int offset, int bytes, boolean nullPadded, Charset charset) {
        return new TableField(name, offset, null, new long[0], bytes, nullPadded, charset);
    }

    /** @return the field's path ({@code "x"}, {@code "meta/a"}) */
    public String name() {
        return name;
    }

    /** @return true for a fixed-length byte string, delivered as {@code String[]} */
    public boolean isString() {
        return type == null;
    }

    /** @return the stored type, numpy-style ({@code <f4}, {@code |S6}) */
    public String dtype() {
        return type == null ? "|S" + stringBytes : type.toString();
    }

    /** @return the shape of the field in one record ({@code []} for a scalar) */
    public long[] shape() {
        return shape.clone();
    }

    /** @return the ND4J type a batch delivers this numeric field in (its stored type where ND4J has it) */
    DataType outType() {
        return out;
    }

    /** @return the stored type; null for a string field */
    ElementType type() {
        return type;
    }

    /** @return the field's byte offset in a record */
    int offset() {
        return offset;
    }

    int elements() {
        return elements;
    }

    /** @return true for a numeric field of one element, usable in a condition or as a sort key */
    boolean scalar() {
        return type != null && elements == 1;
    }

    /** Copies the field of the record at {@code rec} into {@code dst} at element {@code k * elements}. */
    void copy(ByteBuffer src, int rec, ByteBuffer dst, int k) {
        ElementConverter.convert(src, rec + offset, type, dst, k * elements * out.width(), out, elements);
    }

    /** @return the scalar field of the record at {@code rec}, as a double */
    double value(ByteBuffer src, int rec, ByteBuffer scratch) {
        ElementConverter.convert(src, rec + offset, type, scratch, 0, DataType.DOUBLE, 1);
        return scratch.getDouble(0);
    }

    static ByteBuffer scratch() {
        return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
    }

    /** @return the string field of the record at {@code rec}, padding removed (as numpy's {@code S} type) */
    String text(ByteBuffer src, int rec) {
        int at = rec + offset;
        int n = stringBytes;
        if (nullPadded) {
            int end = 0;
            while (end < n && src.get(at + end) != 0) {
                end++;
            }
            n = end;
        } else {
            while (n > 0 && src.get(at + n - 1) == ' ') {
                n--;
            }
        }
        byte[] b = new byte[n];
        src.get(at, b);
        return new String(b, charset);
    }

    @Override
    public String toString() {
        return name + " " + dtype() + (shape.length == 0 ? "" : Arrays.toString(shape));
    }
}
