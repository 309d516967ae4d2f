package org.multitables4j;

/** Where the workers of a streaming iterator decode. */
public enum Backend {
    /** Worker threads in this JVM (the default): the least overhead. */
    THREADS,
    /**
     * One child JVM per worker, writing into a shared-memory file that this JVM maps: a decoder
     * crash or an {@code OutOfMemoryError} in a worker ends only that child (its work is retried
     * on a fresh one), and decoding garbage stays out of the training JVM's heap. Costs a JVM
     * start per worker (well under a second) and the shared memory of the slots and the block
     * cache (under {@code /dev/shm} by default).
     */
    PROCESSES
}
