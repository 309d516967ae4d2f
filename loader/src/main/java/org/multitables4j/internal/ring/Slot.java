package org.multitables4j.internal.ring;

/**
 * A slot of a {@link SlotRing}: its arrays (features, then labels for a DataSet) and the batch it
 * currently holds. Its state changes only through the ring's protocol (claim, publish or fail,
 * take, release); everyone else reads it.
 */
public final class Slot {
    /** Where a slot is in the ring's protocol. */
    enum State { FREE, CLAIMED, READY, FAILED, HELD }

    private final int index;
    private final SlotArray[] arrays;
    private State state = State.FREE;
    private int batch = -1;
    private int rows;
    private int[] dropped;
    private Object payload;
    private Throwable error;

    Slot(int index, int batchRows, java.util.List<SlotRing.ArraySpec> specs, BufferAllocator allocator) {
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

    /** @return the batch claimed into this slot (-1 before the first claim) */
    public int batch() {
        return batch;
    }

    /** @return rows of the batch, as published (valid from {@code publish} until release) */
    public int rows() {
        return rows;
    }

    /**
     * @return positions of the batch left out of it when it was published (rows of chunks
     *     that could not be decoded), ascending, or null when none (the slot's own array: read only)
     */
    public int[] dropped() {
        return dropped;
    }

    /** @return what the producer made of the filled slot (a DataSet), or null */
    public Object payload() {
        return payload;
    }

    /** @return the first array (the features of a DataSet) */
    public SlotArray features() {
        return arrays[0];
    }

    /** @return the second array (the labels of a DataSet), or null */
    public SlotArray labels() {
        return arrays.length > 1 ? arrays[1] : null;
    }

    State state() {
        return state;
    }

    void state(State st) {
        this.state = st;
    }

    /** A claim: the batch, and nothing left of the previous one. */
    void claimed(int b) {
        state = State.CLAIMED;
        batch = b;
        rows = 0;
        dropped = null;
        payload = null;
        error = null;
    }

    void filled(int r, int[] d) {
        rows = r;
        dropped = d == null || d.length == 0 ? null : d;
    }

    void payload(Object p) {
        payload = p;
    }

    Throwable error() {
        return error;
    }

    void error(Throwable e) {
        error = e;
    }

    SlotArray[] arrayList() {
        return arrays;
    }
}
