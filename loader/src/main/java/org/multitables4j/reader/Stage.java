package org.multitables4j.reader;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bytedeco.javacpp.BytePointer;
import org.multitables4j.internal.ring.SlotRing;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Off-heap room for a number of rows of one dataset, where a request's rows land. A stage holds
 * one request at a time: it is busy from {@link Hdf5Reader#request} until the result is taken
 * ({@link Hdf5Future#get()}, {@link Hdf5Future#getDirect}) or the {@link StagedArray} is closed.
 */
public final class Stage {
    private final org.multitables4j.internal.ring.Slot slot;
    private final int capacity;
    private final AtomicBoolean busy = new AtomicBoolean();
    private final Hdf5Dataset dataset;
    /** The pool the stage belongs to, told of every release; null for a stage of its own. */
    private volatile StagePool pool;

    Stage(Hdf5Dataset dataset, int rows, DataType type) {
        this.dataset = dataset;
        this.capacity = rows;
        SlotRing ring = new SlotRing(1, rows, List.of(new SlotRing.ArraySpec(type, dataset.rowShapeAtLeastOne())));
        this.slot = ring.slot(0);
    }

    /** @return rows the stage holds at most */
    public int capacity() {
        return capacity;
    }

    /** @return the element type of the stage's array */
    public DataType dataType() {
        return slot.features().spec().type();
    }

    /** @return true while a request owns the stage */
    public boolean busy() {
        return busy.get();
    }

    Hdf5Dataset dataset() {
        return dataset;
    }

    void attach(StagePool owner) {
        this.pool = owner;
    }

    boolean tryClaim() {
        return busy.compareAndSet(false, true);
    }

    void release() {
        busy.set(false);
        StagePool p = pool;
        if (p != null) {
            p.released();
        }
    }

    ByteBuffer memory() {
        return slot.features().memory();
    }

    int rowBytes() {
        return (int) slot.features().spec().rowBytes();
    }

    INDArray view(int rows) {
        return slot.features().array(rows);
    }

    /**
     * A view of a request's rows over a data buffer of its own, shaped as {@link Request#shape()};
     * closing that buffer revokes the view without touching the stage's memory.
     */
    StagedArray revocable(Request r) {
        DataType t = dataType();
        long elements = Math.max(1, (long) r.size() * r.runs().elements());
        DataBuffer b = Nd4j.createBuffer(new BytePointer(memory()), elements, t);
        long[] shape = r.shape();
        long[] stride = new long[shape.length];
        long st = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            stride[d] = st;
            st *= Math.max(1, shape[d]);
        }
        return new StagedArray(this, Nd4j.create(b, shape, stride, 0, 'c', t), b, r);
    }
}
