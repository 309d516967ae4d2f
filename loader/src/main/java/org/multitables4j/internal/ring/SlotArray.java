package org.multitables4j.internal.ring;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bytedeco.javacpp.BytePointer;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One array of a {@link Slot}: its off-heap memory and the INDArray views over it (the
 * full batch, and a cached view for a partial batch), made once through a JavaCPP pointer to the
 * same memory, so that what a producer writes is what the network reads.
 */
public final class SlotArray {
    private final SlotRing.ArraySpec spec;
    private final int batchRows;
    private final ByteBuffer memory;
    private final DataBuffer dataBuffer;
    private final INDArray full;
    private INDArray partial;
    private int partialRows = -1;

    SlotArray(int batchRows, SlotRing.ArraySpec spec, BufferAllocator allocator) {
        this.spec = spec;
        this.batchRows = batchRows;
        long bytes = Math.multiplyExact(spec.rowBytes(), batchRows);
        if (bytes > Integer.MAX_VALUE - 128) {
            throw new IllegalArgumentException("a batch of " + bytes + " bytes does not fit one slot (2 GiB at most)");
        }
        this.memory = allocator.allocate((int) Math.max(bytes, 1)).limit((int) bytes).order(ByteOrder.nativeOrder());
        long elements = Math.max(1, spec.rowElements() * batchRows);
        this.dataBuffer = Nd4j.createBuffer(new BytePointer(memory), elements, spec.type());
        this.full = view(batchRows);
    }

    private INDArray view(int rows) {
        long[] shape = new long[spec.rowShape().length + 1];
        shape[0] = rows;
        System.arraycopy(spec.rowShape(), 0, shape, 1, spec.rowShape().length);
        long[] stride = new long[shape.length];
        long s = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            stride[d] = s;
            s *= Math.max(1, shape[d]);
        }
        return Nd4j.create(dataBuffer, shape, stride, 0, 'c', spec.type());
    }

    /** @return the slot memory (native order; position 0, limit = full batch bytes); share, do not resize */
    public ByteBuffer memory() {
        return memory;
    }

    /** @return the layout */
    public SlotRing.ArraySpec spec() {
        return spec;
    }

    /**
     * @param rows rows in the batch (at most the slot's batch size)
     * @return a view over the first {@code rows} rows; made once per distinct row count
     */
    public INDArray array(int rows) {
        if (rows == batchRows) {
            return full;
        }
        if (rows != partialRows) {
            partial = view(rows);
            partialRows = rows;
        }
        return partial;
    }

    /**
     * A new view over the slot memory with another row shape (same element count or fewer).
     *
     * @param rows     rows
     * @param rowShape shape of one row
     * @return the view
     */
    public INDArray view(int rows, long[] rowShape) {
        long[] shape = new long[rowShape.length + 1];
        shape[0] = rows;
        System.arraycopy(rowShape, 0, shape, 1, rowShape.length);
        long[] stride = new long[shape.length];
        long st = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            stride[d] = st;
            st *= Math.max(1, shape[d]);
        }
        return Nd4j.create(dataBuffer, shape, stride, 0, 'c', spec.type());
    }

    /** @return the native address of the slot memory (for zero-copy checks) */
    public long address() {
        return dataBuffer.address();
    }
}
