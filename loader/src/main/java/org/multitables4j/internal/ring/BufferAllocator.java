package org.multitables4j.internal.ring;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Where slot, block and scratch memory comes from: ordinary direct buffers for worker threads, or
 * a shared-memory file mapped by the parent and its worker processes.
 */
public interface BufferAllocator {
    /** Direct buffers of this JVM, 64-byte aligned. */
    BufferAllocator DIRECT = bytes -> {
        ByteBuffer raw = ByteBuffer.allocateDirect((int) Math.min(Integer.MAX_VALUE, ((bytes + 63L) & ~63L) + 64));
        return raw.alignedSlice(64).limit(bytes).slice().order(ByteOrder.nativeOrder());
    };

    /**
     * @param bytes size
     * @return a 64-byte aligned buffer of exactly {@code bytes} (position 0, limit = capacity),
     *     native byte order, zero-filled or holding old data of a freed buffer
     */
    ByteBuffer allocate(int bytes);

    /**
     * Gives a buffer back for reuse. The default does nothing (the garbage collector frees
     * direct buffers).
     *
     * @param buffer a buffer returned by {@link #allocate}
     */
    default void free(ByteBuffer buffer) {
    }

    /**
     * @return whether a ring may allocate each slot on its first use (the default); false where a
     *     failed allocation must come at once, while the iterator is built (a shared-memory
     *     directory too small for the ring)
     */
    default boolean allocateOnFirstUse() {
        return true;
    }
}
