package org.multitables4j.reader;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.multitables4j.internal.ring.SlotRing;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

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
    private final StageViews views;
    /** The pool the stage belongs to, told of every release; null for a stage of its own. */
    private volatile StagePool pool;

    Stage(Hdf5Dataset dataset, int rows, DataType type) {
        this.dataset = dataset;
        this.capacity = rows;
        SlotRing ring = new SlotRing(1, rows, List.of(new SlotRing.ArraySpec(type, dataset.rowShapeAtLeastOne())));
        this.slot = ring.slot(0);
        this.views = new StageViews(memory(), type);
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

    /**
     * A revocable view of a request's rows, made when it is first asked for; closing it revokes
     * the view without touching the stage's memory.
     */
    StagedArray revocable(Request r) {
        return new StagedArray(this, r);
    }

    /**
     * @param r the request whose rows the stage holds
     * @return a new view of them over a data buffer of its own, and that buffer
     */
    StagedArray.View view(Request r) {
        var b = views.revocableBuffer(elements(r));
        return new StagedArray.View(views.view(b, r.shape()), b);
    }

    /**
     * @param r the request whose rows the stage holds
     * @return a detached copy of them, shaped as {@link Request#shape()}
     */
    INDArray copy(Request r) {
        return views.copy(r.shape(), elements(r));
    }

    private static long elements(Request r) {
        return (long) r.size() * r.runs().elements();
    }
}
