package org.multitables4j.reader;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Makes the INDArrays a stage hands out for a request's rows: a revocable view (over a data
 * buffer of its own, which closing revokes) or a detached copy.
 *
 * <p>Most of what {@code Nd4j.create(buffer, shape, stride, ...)} costs is the shape information:
 * each call allocates native shape and stride arrays (a JavaCPP allocation checks the process's
 * physical memory each time) to look up a shape buffer that ND4J keeps as a shared constant
 * anyway. Random single-row requests ask for the same shape again and again, so the stage keeps
 * the shape information of the last shape and makes the next array of that shape with the
 * backend's own array constructor from a data buffer, that shape buffer and its Java copy
 * ({@code NDArray(DataBuffer, LongBuffer, long[])} on nd4j-native, checked once to build the same
 * array as {@code Nd4j.create}). A backend without such a constructor gets {@code Nd4j.create}
 * every time.
 */
final class StageViews {
    /** The shape information of one shape, as the backend made it. */
    private record Shaped(long[] shape, DataBuffer shapeInfo, long[] javaShapeInfo) {
    }

    /** {@code (DataBuffer, shape buffer, long[] java shape info) -> INDArray}; null until resolved. */
    private static volatile MethodHandle wrap;
    /** True once resolving found no such constructor: always {@code Nd4j.create}. */
    private static volatile boolean noWrap;

    private final Pointer memory;
    private final DataType type;
    private volatile Shaped last;

    /**
     * @param memory the stage's memory
     * @param type   its element type
     */
    StageViews(ByteBuffer memory, DataType type) {
        this.memory = new BytePointer(memory);
        this.type = type;
    }

    /**
     * @param elements elements the view covers (at least one)
     * @return a new data buffer over the stage's memory that does not own it: closing it revokes
     *     every array made over it, and leaves the stage's memory as it is
     */
    DataBuffer revocableBuffer(long elements) {
        return Nd4j.createBuffer(memory, Math.max(1, elements), type);
    }

    /**
     * @param shape    the request's shape
     * @param elements elements of that shape
     * @return a detached copy of the stage's first {@code elements} elements, of that shape
     */
    INDArray copy(long[] shape, long elements) {
        if (elements == 0) {
            return Nd4j.create(type, shape);
        }
        DataBuffer own = Nd4j.getDataBufferFactory().create(type, elements, false);
        Pointer.memcpy(own.addressPointer(), memory, elements * type.width());
        return view(own, shape);
    }

    /**
     * @param data  from {@link #revocableBuffer}, or a copy
     * @param shape the request's shape
     * @return a C-order array of that shape over the buffer
     */
    INDArray view(DataBuffer data, long[] shape) {
        Shaped s = last;
        MethodHandle h = wrap;
        if (h != null && s != null && Arrays.equals(s.shape, shape)) {
            try {
                return (INDArray) h.invokeExact(data, s.shapeInfo, s.javaShapeInfo.clone());
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
        INDArray a = Nd4j.create(data, shape, strides(shape), 0, 'c', type);
        if (!noWrap) {
            if (h == null) {
                resolve(a);
            }
            last = new Shaped(shape.clone(), a.shapeInfoDataBuffer(), a.shapeInfoJava().clone());
        }
        return a;
    }

    /** Finds the backend's constructor {@code (DataBuffer, shape buffer, long[])} of arrays like {@code a}. */
    private static synchronized void resolve(INDArray a) {
        if (wrap != null || noWrap) {
            return;
        }
        try {
            MethodHandle c = MethodHandles.publicLookup().findConstructor(a.getClass(),
                    MethodType.methodType(void.class, DataBuffer.class, a.shapeInfoDataBuffer().getClass(), long[].class));
            MethodHandle h = c.asType(MethodType.methodType(INDArray.class, DataBuffer.class, DataBuffer.class,
                    long[].class));
            // the constructor must make the same array as Nd4j.create
            INDArray b = (INDArray) h.invokeExact(a.data(), a.shapeInfoDataBuffer(), a.shapeInfoJava().clone());
            if (b.data() == a.data() && Arrays.equals(b.shapeInfoJava(), a.shapeInfoJava())
                    && Arrays.equals(b.shape(), a.shape()) && b.dataType() == a.dataType()) {
                wrap = h;
                return;
            }
        } catch (Throwable t) {
            // no such constructor in this backend: Nd4j.create every time
        }
        noWrap = true;
    }

    private static long[] strides(long[] shape) {
        long[] stride = new long[shape.length];
        long st = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            stride[d] = st;
            st *= Math.max(1, shape[d]);
        }
        return stride;
    }
}
