package org.multitables4j.internal.hdf5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.multitables4j.Hdf5DataSetIterator;
import org.multitables4j.Order;
import org.multitables4j.UnsupportedHdf5Exception;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * types.h5 (make_type_fixtures.py): IEEE half (every bit pattern, both byte orders, gzip +
 * shuffle), bfloat16, bitfields, integer enums and long double as h5py and the HDF5 C library
 * write them. Each is compared bit for bit with what numpy/h5py make of it, stored under
 * /expected by the script: numpy's astype(float32/float64/float16) and h5py's reading of
 * bitfields and enums as unsigned or base integers.
 */
class ElementTypesTest {
    static Path file() {
        return Fixtures.resource("types.h5");
    }

    /** The stored bytes of a whole dataset, in its stored order, read block by block. */
    static ByteBuffer stored(Hdf5Array a) {
        ByteBuffer all = ByteBuffer.allocate(Math.toIntExact(a.rows() * a.rowBytes())).order(a.elementType().byteOrder());
        ByteBuffer block = ByteBuffer.allocateDirect(a.blockBytes()).order(a.elementType().byteOrder());
        try (BlockDecoder dec = new BlockDecoder()) {
            for (int b = 0; b < a.blockCount(); b++) {
                a.readBlock(b, dec, block);
                int n = a.rowsInBlock(b) * a.rowBytes();
                all.put((int) ((long) b * a.blockRows() * a.rowBytes()), block, 0, n);
            }
        }
        return all;
    }

    /** A whole dataset converted by ElementConverter to {@code out}, in native order. */
    static ByteBuffer converted(Hdf5Array a, DataType out) {
        ByteBuffer src = stored(a);
        int count = Math.toIntExact(a.rows() * a.rowElements());
        ByteBuffer dst = ByteBuffer.allocate(count * out.width()).order(ByteOrder.nativeOrder());
        assertTrue(ElementConverter.supports(a.elementType(), out), a + " to " + out);
        ElementConverter.convert(src, 0, a.elementType(), dst, 0, out, count);
        return dst;
    }

    /** A little-endian expected dataset's raw bytes in native order. */
    static ByteBuffer expected(Hdf5File f, String path) {
        Hdf5Array e = f.array(path);
        ByteBuffer b = stored(e);
        assertEquals(ByteOrder.LITTLE_ENDIAN, e.elementType().byteOrder());
        return b.order(ByteOrder.LITTLE_ENDIAN);
    }

    @ParameterizedTest
    @ValueSource(strings = {"all_le", "all_be", "all_le_gzip"})
    void everyHalfBitPatternWidensLikeNumpy(String name) {
        try (Hdf5File f = Hdf5File.open(file())) {
            Hdf5Array a = f.array("/f2/" + name);
            assertEquals(new ElementType(ElementType.Kind.FLOAT, 2,
                    name.contains("be") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN), a.elementType());
            assertEquals(DataType.HALF, a.elementType().nativeDataType());
            ByteBuffer f4 = converted(a, DataType.FLOAT);
            ByteBuffer want4 = expected(f, "/expected/f2_as_f4");
            ByteBuffer f8 = converted(a, DataType.DOUBLE);
            ByteBuffer want8 = expected(f, "/expected/f2_as_f8");
            ByteBuffer half = converted(a, DataType.HALF);
            int nan = 0;
            for (int j = 0; j < 65536; j++) {
                int i = j;
                assertEquals(want4.getInt(4 * i), f4.getInt(4 * i), () -> name + " float bits of half " + i);
                assertEquals(want8.getLong(8 * i), f8.getLong(8 * i), () -> name + " double bits of half " + i);
                assertEquals((short) i, half.getShort(2 * i), () -> name + " half " + i + " as HALF");
                nan += Float.isNaN(want4.getFloat(4 * i)) ? 1 : 0;
            }
            assertEquals(2 * 1023, nan, "the NaNs with their payloads are in the fixture");
        }
    }

    /** FLOAT output of stored halves through the iterator, as numpy widens them (NaNs aside: INDArray reads lose payloads). */
    @Test
    void halvesStreamAsFloatThroughTheIterator() {
        float[] want;
        try (Hdf5File f = Hdf5File.open(file())) {
            ByteBuffer e = expected(f, "/expected/f2_as_f4");
            want = new float[65536];
            e.asFloatBuffer().get(want);
        }
        float[] got = new float[65536];
        int at = 0;
        try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(file()).features("/f2/all_be").order(Order.ORDERED)
                .batchSize(1000).workers(2).dataType(DataType.FLOAT).build()) {
            while (it.hasNext()) {
                DataSet ds = it.next();
                INDArray x = ds.getFeatures();
                float[] v = x.dup().data().asFloat();
                System.arraycopy(v, 0, got, at, v.length);
                at += v.length;
            }
        }
        assertEquals(65536, at);
        assertArrayEquals(want, got);
    }

    @ParameterizedTest
    @ValueSource(strings = {"f4", "f8"})
    void halfOutputRoundsLikeNumpy(String name) {
        try (Hdf5File f = Hdf5File.open(file())) {
            Hdf5Array a = f.array("/half/" + name);
            ByteBuffer got = converted(a, DataType.HALF);
            ByteBuffer want = expected(f, "/expected/half_" + name);
            int n = Math.toIntExact(a.rows() * a.rowElements());
            for (int i = 0; i < n; i++) {
                assertEquals(want.getShort(2 * i), got.getShort(2 * i), "/half/" + name + " element " + i);
            }
        }
    }

    /** HALF output end to end: the iterator's slots hold numpy's astype(float16) of the stored float32/float64. */
    @ParameterizedTest
    @ValueSource(strings = {"f4", "f8"})
    void halfOutputThroughTheIterator(String name) {
        float[] want;
        try (Hdf5File f = Hdf5File.open(file())) {
            ByteBuffer e = expected(f, "/expected/half_" + name);
            want = new float[e.capacity() / 2];
            for (int i = 0; i < want.length; i++) {
                want[i] = HalfFloats.halfToFloat(e.getShort(2 * i));
            }
        }
        float[] got = new float[want.length];
        int at = 0;
        try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(file()).features("/half/" + name)
                .order(Order.ORDERED).batchSize(100).workers(2).dataType(DataType.HALF).build()) {
            while (it.hasNext()) {
                INDArray x = it.next().getFeatures();
                assertEquals(DataType.HALF, x.dataType());
                float[] v = x.castTo(DataType.FLOAT).data().asFloat();
                System.arraycopy(v, 0, got, at, v.length);
                at += v.length;
            }
        }
        assertEquals(want.length, at);
        assertArrayEquals(want, got, "/half/" + name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"le", "be"})
    void bfloat16IsIdentifiedByItsFieldsAndWidensExactly(String order) {
        try (Hdf5File f = Hdf5File.open(file())) {
            Hdf5Array a = f.array("/bf16/" + order);
            assertEquals(ElementType.Kind.BFLOAT16, a.elementType().kind());
            assertEquals(DataType.BFLOAT16, a.elementType().nativeDataType());
            ByteBuffer got = converted(a, DataType.FLOAT);
            ByteBuffer want = expected(f, "/expected/bf16_as_f4");
            int n = Math.toIntExact(a.rows() * a.rowElements());
            for (int i = 0; i < n; i++) {
                assertEquals(want.getInt(4 * i), got.getInt(4 * i), "bfloat16 element " + i);
            }
            ByteBuffer d = converted(a, DataType.DOUBLE);
            for (int i = 0; i < n; i++) {
                float w = want.getFloat(4 * i);
                if (!Float.isNaN(w)) {
                    assertEquals(w, d.getDouble(8 * i), 0.0, "bfloat16 element " + i + " as DOUBLE");
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"b8", "b16be", "b32le", "b64be"})
    void bitfieldsReadAsUnsignedIntegers(String name) {
        checkIntegers("/bitfield/" + name, "/expected/bitfield_" + name, ElementType.Kind.UINT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"i8", "u8", "i16be", "u16", "i32", "i32be", "i64be", "u64"})
    void enumsReadAsTheirBaseIntegers(String name) {
        checkIntegers("/enum/" + name, "/expected/enum_" + name, name.startsWith("u") ? ElementType.Kind.UINT : ElementType.Kind.INT);
    }

    private static void checkIntegers(String path, String expectedPath, ElementType.Kind kind) {
        try (Hdf5File f = Hdf5File.open(file())) {
            Hdf5Array a = f.array(path);
            Hdf5Array e = f.array(expectedPath);
            assertEquals(kind, a.elementType().kind(), path);
            assertEquals(e.elementType().kind(), a.elementType().kind(), path);
            assertEquals(e.elementType().size(), a.elementType().size(), path);
            assertEquals(path.endsWith("be") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN, a.elementType().byteOrder(), path);
            ByteBuffer got = stored(a);
            ByteBuffer want = stored(e);
            int n = Math.toIntExact(a.rows() * a.rowElements());
            int es = a.elementType().size();
            long[] values = new long[n];
            for (int i = 0; i < n; i++) {
                values[i] = ElementConverter.readInteger(got, es * i, a.elementType());
                assertEquals(ElementConverter.readInteger(want, es * i, e.elementType()), values[i], path + " element " + i);
            }
            assertTrue(Arrays.stream(values).distinct().count() > 2, path + ": the values vary");
            // and as DOUBLE, as the iterators convert them
            ByteBuffer d = converted(a, DataType.DOUBLE);
            ByteBuffer dw = converted(e, DataType.DOUBLE);
            for (int i = 0; i < n; i++) {
                assertEquals(dw.getDouble(8 * i), d.getDouble(8 * i), 0.0, path + " element " + i + " as DOUBLE");
            }
        }
    }

    @Test
    void h5pyBoolStaysBool() {
        try (Hdf5File f = Hdf5File.open(file())) {
            Hdf5Array a = f.array("/enum/bool");
            assertEquals(ElementType.Kind.BOOL, a.elementType().kind());
            ByteBuffer v = converted(a, DataType.FLOAT);
            for (int i = 0; i < 60; i++) {
                assertEquals(i % 3 == 0 ? 1f : 0f, v.getFloat(4 * i), "element " + i);
            }
        }
    }

    @Test
    void longDoubleIsRefusedWithTheDatasetNamed() {
        try (Hdf5File f = Hdf5File.open(file())) {
            UnsupportedHdf5Exception e = assertThrows(UnsupportedHdf5Exception.class, () -> f.array("/f16/longdouble"));
            assertTrue(e.getMessage().contains("/f16/longdouble") && e.getMessage().contains("128-bit floating point"),
                    e.getMessage());
        }
    }

    @Test
    void halfRoundingEdgesByTheirDefinition() {
        // independent of numpy: the IEEE definition of binary16
        assertEquals((short) 0x3c00, HalfFloats.floatToHalf(Float.floatToIntBits(1f)));
        assertEquals((short) 0x7bff, HalfFloats.floatToHalf(Float.floatToIntBits(65519.99f)));
        assertEquals((short) 0x7c00, HalfFloats.floatToHalf(Float.floatToIntBits(65520f)));
        assertEquals((short) 0x0001, HalfFloats.doubleToHalf(Double.doubleToLongBits(0x1p-24)));
        assertEquals((short) 0x0000, HalfFloats.doubleToHalf(Double.doubleToLongBits(0x1p-25))); // tie to even: 0
        assertEquals((short) 0x0002, HalfFloats.doubleToHalf(Double.doubleToLongBits(3 * 0x1p-25))); // tie to even: 2
        assertEquals((short) 0x0400, HalfFloats.doubleToHalf(Double.doubleToLongBits(0x1p-14)));
        assertEquals((short) 0x3c00, HalfFloats.doubleToHalf(Double.doubleToLongBits(1 + 0x1p-11))); // tie to even
        assertEquals((short) 0x3c02, HalfFloats.doubleToHalf(Double.doubleToLongBits(1 + 3 * 0x1p-11)));
        assertEquals((short) 0xfc00, HalfFloats.floatToHalf(Float.floatToIntBits(Float.NEGATIVE_INFINITY)));
        assertEquals(0x7f802000, HalfFloats.halfToFloatBits((short) 0x7c01)); // NaN payload kept, not quieted
        assertEquals(0x33800000, HalfFloats.halfToFloatBits((short) 0x0001)); // 2^-24
    }
}
