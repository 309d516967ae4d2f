package org.multitables4j.internal.ring;

/**
 * Which batch the next claim on a {@link SlotRing} gets. The ring asks it under its own lock, so
 * an implementation needs no synchronisation of its own; it decides nothing else (the ring owns
 * the slots and their states).
 *
 * <p>Delivery in batch order is deadlock-free for any ring size as long as the order hands out
 * batches in increasing index order: the batch the consumer waits for is then always the lowest
 * claimed one, or the next to be claimed while a slot is free.
 */
public interface ClaimOrder {
    /** An order with no batch left (a ring that was never opened). */
    ClaimOrder NONE = sequential(0, 0);

    /** @return the batch the next claim gets, or -1 when no batch is left */
    int peek();

    /** Moves past the batch {@link #peek()} returned. */
    void advance();

    /**
     * @param first the first batch
     * @param end   the end, exclusive
     * @return batches {@code first, first + 1, ..., end - 1}
     */
    static ClaimOrder sequential(int first, int end) {
        return new ClaimOrder() {
            private int next = first;

            @Override
            public int peek() {
                return next < end ? next : -1;
            }

            @Override
            public void advance() {
                next++;
            }
        };
    }
}
