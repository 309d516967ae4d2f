package org.multitables4j.internal.hdf5;

import io.jhdf.object.datatype.BitField;
import io.jhdf.object.datatype.DataType;
import io.jhdf.object.datatype.EnumDataType;
import io.jhdf.object.datatype.FixedPoint;
import io.jhdf.object.datatype.FloatingPoint;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.function.Function;
import org.multitables4j.UnsupportedHdf5Exception;

/**
 * Maps a stored HDF5 datatype to the {@link ElementType} it is streamed as, the way h5py maps it
 * to a numpy dtype: IEEE floats of 16 (half), 32 and 64 bits and bfloat16 (a 16-bit float with
 * an 8-bit exponent), integers of 8-64 bits, bitfields as unsigned integers of their size,
 * enums as their base integers (h5py's boolean, an 8-bit enum FALSE=0, TRUE=1, as BOOL). Either
 * byte order. Anything else (long double, strings, references, opaque, ...) is refused.
 */
final class ElementTypes {
    private ElementTypes() {
    }

    /**
     * @param dt          the stored datatype
     * @param unsupported makes the typed error naming the dataset from what is not supported
     * @return the element type
     * @throws UnsupportedHdf5Exception for a type that cannot be streamed
     */
    static ElementType of(DataType dt, Function<String, UnsupportedHdf5Exception> unsupported) {
        if (dt instanceof FloatingPoint fp) {
            return floating(fp, unsupported);
        }
        if (dt instanceof FixedPoint fx) {
            return integer(fx, unsupported);
        }
        if (dt instanceof BitField bf) {
            int s = bf.getSize();
            if (s != 1 && s != 2 && s != 4 && s != 8) {
                throw unsupported.apply("a " + s * 8 + "-bit bitfield type");
            }
            return new ElementType(ElementType.Kind.UINT, s, bf.getByteOrder());
        }
        if (dt instanceof EnumDataType en) {
            DataType bt = en.getBaseType();
            Map<Integer, String> m = en.getEnumMapping();
            if (bt.getSize() == 1 && m.size() == 2 && "FALSE".equals(m.get(0)) && "TRUE".equals(m.get(1))) {
                return new ElementType(ElementType.Kind.BOOL, 1, ByteOrder.LITTLE_ENDIAN);
            }
            if (bt instanceof FixedPoint fx) {
                return integer(fx, what -> unsupported.apply("an enum " + m + " of " + what));
            }
            throw unsupported.apply("an enum type " + m + " of " + bt.getClass().getSimpleName());
        }
        throw unsupported.apply("the HDF5 type class " + dt.getDataClass() + " (" + dt.getClass().getSimpleName()
                + "); numeric, boolean types are supported");
    }

    private static ElementType floating(FloatingPoint fp, Function<String, UnsupportedHdf5Exception> unsupported) {
        int size = fp.getSize();
        if (size == 4 || size == 8) {
            return new ElementType(ElementType.Kind.FLOAT, size, fp.getByteOrder());
        }
        if (size == 2 && fp.getBitOffset() == 0 && fp.getBitPrecision() == 16 && fp.getSignLocation() == 15
                && fp.getMantissaLocation() == 0) {
            if (fp.getExponentSize() == 5 && fp.getMantissaSize() == 10 && fp.getExponentBias() == 15) {
                return new ElementType(ElementType.Kind.FLOAT, 2, fp.getByteOrder());
            }
            if (fp.getExponentSize() == 8 && fp.getMantissaSize() == 7 && fp.getExponentBias() == 127) {
                return new ElementType(ElementType.Kind.BFLOAT16, 2, fp.getByteOrder());
            }
            throw unsupported.apply("a 16-bit floating point type with " + fp.getExponentSize() + " exponent bits and "
                    + fp.getMantissaSize() + " mantissa bits (IEEE half and bfloat16 are read)");
        }
        throw unsupported.apply("a " + size * 8 + "-bit floating point type");
    }

    private static ElementType integer(FixedPoint fx, Function<String, UnsupportedHdf5Exception> unsupported) {
        int s = fx.getSize();
        if (s != 1 && s != 2 && s != 4 && s != 8) {
            throw unsupported.apply("a " + s * 8 + "-bit integer type");
        }
        if (fx.getBitOffset() != 0 || fx.getBitPrecision() != s * 8) {
            throw unsupported.apply("an integer type with bit offset " + fx.getBitOffset() + " and precision "
                    + fx.getBitPrecision());
        }
        return new ElementType(fx.isSigned() ? ElementType.Kind.INT : ElementType.Kind.UINT, s, fx.getByteOrder());
    }
}
