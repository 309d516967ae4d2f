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
    private final int batchRows;
    private final java.util.List<SlotRing.ArraySpec> specs;
    private final BufferAllocator allocator;
    /** Null until first used: a slot's memory is allocated by the thread that first fills it. */
    private volatile SlotArray[] arrays;
    private State state = State.FREE;
    private int batch = -1;
    private int rows;
    private int[] dropped;
    private Object payload;
    private Throwable error;

    Slot(int index, int batchRows, java.util.List<SlotRing.ArraySpec> specs, BufferAllocator allocator) {
        this.index = index;
        this.batchRows = batchRows;
        this.specs = java.util.List.copyOf(specs);
        this.allocator = allocator;
    }

    /**
     * The slot's arrays, allocated on first use. A ring's slots are thus allocated by the workers
     * that first fill them, while other workers decode, and not all before the first batch: a
     * SHUFFLED ring holds two shuffle windows of batches.
     */
    private SlotArray[] memory() {
        SlotArray[] a = arrays;
        if (a == null) {
            synchronized (this) {
                a = arrays;
                if (a == null) {
                    a = new SlotArray[specs.size()];
                    for (int i = 0; i < a.length; i++) {
                        a[i] = new SlotArray(batchRows, specs.get(i), allocator);
                    }
                    arrays = a;
                }
            }
        }
        return a;
    }

    /**
     * @param i array index, in the order the ring was made with
     * @return that array (its memory is allocated on the first call for the slot)
     */
    public SlotArray array(int i) {
        return memory()[i];
    }

    /** @return the number of arrays */
    public int arrays() {
        return specs.size();
    }

    /** @return whether the slot's memory has been allocated (it is on first use) */
    boolean allocated() {
        return arrays != null;
    }

    /** @return the bytes of the slot's arrays, allocated or not */
    long bytes() {
        long b = 0;
        for (SlotRing.ArraySpec spec : specs) {
            b += Math.max(1, Math.multiplyExact(spec.rowBytes(), batchRows));
        }
        return b;
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
        return array(0);
    }

    /** @return the second array (the labels of a DataSet), or null */
    public SlotArray labels() {
        return specs.size() > 1 ? array(1) : null;
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
}
