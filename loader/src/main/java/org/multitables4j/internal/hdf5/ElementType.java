package org.multitables4j.internal.hdf5;

import java.nio.ByteOrder;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The element type of a stored HDF5 dataset: a numeric kind, a size in bytes and a byte order.
 *
 * @param kind      integer, unsigned integer, floating point, bfloat16 or boolean
 * @param size      bytes per element (1, 2, 4 or 8; 2 for half floats and bfloat16)
 * @param byteOrder the stored byte order
 */
public record ElementType(Kind kind, int size, ByteOrder byteOrder) {

    /** Numeric kinds that can be streamed. */
    public enum Kind {
        /** Two's complement signed integer. */
        INT,
        /** Unsigned integer. */
        UINT,
        /** IEEE 754 floating point: half (2 bytes), single (4) or double (8). */
        FLOAT,
        /** bfloat16: the upper half of an IEEE single (8 exponent bits, 7 mantissa bits). */
        BFLOAT16,
        /** h5py's boolean (an 8-bit enum FALSE=0, TRUE=1). */
        BOOL
    }

    /** @return true for floating point kinds (IEEE floats and bfloat16), which are no class ids */
    public boolean isFloating() {
        return kind == Kind.FLOAT || kind == Kind.BFLOAT16;
    }

    /** @return the ND4J data type that holds this element type without loss */
    public DataType nativeDataType() {
        switch (kind) {
            case FLOAT:
                return size == 8 ? DataType.DOUBLE : size == 4 ? DataType.FLOAT : DataType.HALF;
            case BFLOAT16:
                return DataType.BFLOAT16;
            case BOOL:
                return DataType.BOOL;
            case INT:
                return size == 1 ? DataType.BYTE : size == 2 ? DataType.SHORT : size == 4 ? DataType.INT : DataType.LONG;
            default:
                return size == 1 ? DataType.UBYTE : size == 2 ? DataType.UINT16 : size == 4 ? DataType.UINT32 : DataType.UINT64;
        }
    }

    /** @return a short numpy-like name such as {@code <f4} or {@code >i2} ({@code <B2} for bfloat16) */
    @Override
    public String toString() {
        char order = size == 1 ? '|' : byteOrder == ByteOrder.LITTLE_ENDIAN ? '<' : '>';
        char k = switch (kind) {
            case INT -> 'i';
            case UINT -> 'u';
            case FLOAT -> 'f';
            case BFLOAT16 -> 'B';
            case BOOL -> 'b';
        };
        return "" + order + k + size;
    }
}
