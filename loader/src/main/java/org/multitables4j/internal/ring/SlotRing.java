package org.multitables4j.internal.ring;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bytedeco.javacpp.BytePointer;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A fixed set of off-heap slots, each holding one batch: features and (optionally) labels.
 *
 * <p>Each slot's memory is a 64-byte aligned direct {@link ByteBuffer} in native byte order.
 * The INDArray views over it are made once, through a JavaCPP pointer to the same memory
 * ({@code Nd4j.createBuffer(Pointer, length, type)}), so a worker that writes into the buffer
 * writes into the array the network reads: no copy between the loader and DL4J. (The
 * {@code ByteBuffer} overloads of {@code Nd4j.createBuffer} copy; they are not used.)
 *
 * <p>With worker processes the slots are slices of a shared-memory file ({@link BufferAllocator}),
 * mapped by the parent and every child, so a child writes the rows the parent's INDArrays see.
 *
 * <p>The ring itself holds no scheduling state; {@link org.multitables4j.internal.workers.ThreadWorkers}
 * and the iterator decide which slot holds which batch.
 */
public final class SlotRing {
    /** Memory layout of one array of a slot: element type and the shape of one row. */
    public record ArraySpec(DataType type, long[] rowShape) {
        /** @return elements per row */
        public long rowElements() {
            long n = 1;
            for (long d : rowShape) {
                n = Math.multiplyExact(n, d);
            }
            return n;
        }

        /** @return bytes per row */
        public long rowBytes() {
            return Math.multiplyExact(rowElements(), (long) type.width());
        }
    }

    private final Slot[] slots;

    /**
     * Allocates the slots.
     *
     * @param count     number of slots
     * @param batchRows rows per slot
     * @param arrays    layout of each array of a slot (e.g. features, then labels)
     */
    public SlotRing(int count, int batchRows, java.util.List<ArraySpec> arrays) {
        this(count, batchRows, arrays, BufferAllocator.DIRECT);
    }

    /**
     * Allocates the slots from {@code allocator} (a shared-memory file for worker processes).
     *
     * @param count     number of slots
     * @param batchRows rows per slot
     * @param arrays    layout of each array of a slot (e.g. features, then labels)
     * @param allocator where the slot memory comes from
     */
    public SlotRing(int count, int batchRows, java.util.List<ArraySpec> arrays, BufferAllocator allocator) {
        if (count < 1 || batchRows < 1 || arrays.isEmpty()) {
            throw new IllegalArgumentException("need at least one slot of one row and one array");
        }
        slots = new Slot[count];
        for (int i = 0; i < count; i++) {
            slots[i] = new Slot(i, batchRows, arrays, allocator);
        }
    }

    /** @return the number of slots */
    public int size() {
        return slots.length;
    }

    /**
     * @param i slot index
     * @return the slot
     */
    public Slot slot(int i) {
        return slots[i];
    }

    /** @return total off-heap bytes held by the slots */
    public long bytes() {
        long b = 0;
        for (Slot s : slots) {
            for (SlotArray a : s.arrays) {
                b += a.memory.capacity();
            }
        }
        return b;
    }

    /** One array of a slot: its memory and INDArray views (full batch and a cached partial one). */
    public static final class SlotArray {
        private final ArraySpec spec;
        private final int batchRows;
        private final ByteBuffer memory;
        private final DataBuffer dataBuffer;
        private final INDArray full;
        private INDArray partial;
        private int partialRows = -1;

        SlotArray(int batchRows, ArraySpec spec, BufferAllocator allocator) {
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
        public ArraySpec spec() {
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

    /** A slot: its arrays (features, then labels for a DataSet) and the batch it currently holds. */
    public static final class Slot {
        private final int index;
        private final SlotArray[] arrays;
        /** Batch index held (set by the worker that fills it). */
        public int batch = -1;
        /** Rows held. */
        public int rows;
        /** The DataSet handed out for this slot (set by the worker, after the preprocessor). */
        public Object payload;

        Slot(int index, int batchRows, java.util.List<ArraySpec> specs, BufferAllocator allocator) {
            this.index = index;
            this.arrays = new SlotArray[specs.size()];
            for (int i = 0; i < arrays.length; i++) {
                arrays[i] = new SlotArray(batchRows, specs.get(i), allocator);
            }
        }

        /**
         * @param i array index, in the order the ring was made with
         * @return that array
         */
        public SlotArray array(int i) {
            return arrays[i];
        }

        /** @return the number of arrays */
        public int arrays() {
            return arrays.length;
        }

        /** @return this slot's index in the ring */
        public int index() {
            return index;
        }

        /** @return the first array (the features of a DataSet) */
        public SlotArray features() {
            return arrays[0];
        }

        /** @return the second array (the labels of a DataSet), or null */
        public SlotArray labels() {
            return arrays.length > 1 ? arrays[1] : null;
        }
    }
}
