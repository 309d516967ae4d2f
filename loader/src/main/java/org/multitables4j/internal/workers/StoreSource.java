package org.multitables4j.internal.workers;

import org.multitables4j.internal.hdf5.Hdf5Array;
import org.multitables4j.internal.hdf5.Hdf5File;
import org.multitables4j.internal.ring.BufferAllocator;

/**
 * What an open reader lends to an iterator built over it: its file and datasets, its LRU block
 * stores, and its backend (reads and memory). The iterator does not close any of them.
 */
public interface StoreSource {
    /** @return the open file */
    Hdf5File file();

    /**
     * @param path   dataset path
     * @param column compound member path, or null
     * @return the dataset, opened once by the reader
     */
    Hdf5Array array(String path, String column);

    /**
     * @param path   dataset path
     * @param column compound member path, or null
     * @return the reader's block store of that dataset
     */
    BlockCache store(String path, String column);

    /** @return reads for one more worker thread (a child process of the reader's, or local reads) */
    BlockIo newIo();

    /** @return where slot memory comes from (shared memory with worker processes, else direct) */
    BufferAllocator slotAllocator();

    /** @return where block and scratch buffers come from */
    BufferAllocator blockAllocator();

    /**
     * Finds the stores lent by an owner that registered them.
     *
     * @param owner the reader
     * @return its stores
     */
    static StoreSource of(Object owner) {
        synchronized (Registry.OWNERS) {
            StoreSource s = Registry.OWNERS.get(owner);
            if (s == null) {
                throw new IllegalStateException("no block stores registered for " + owner);
            }
            return s;
        }
    }

    /**
     * Lends stores (the reader does this when it opens).
     *
     * @param owner  the reader
     * @param stores its stores
     */
    static void register(Object owner, StoreSource stores) {
        synchronized (Registry.OWNERS) {
            Registry.OWNERS.put(owner, stores);
        }
    }

    /**
     * Ends a loan (the reader does this when it closes).
     *
     * @param owner the reader
     */
    static void unregister(Object owner) {
        synchronized (Registry.OWNERS) {
            Registry.OWNERS.remove(owner);
        }
    }

    /** Owners of lent stores, weakly held. */
    final class Registry {
        private static final java.util.Map<Object, StoreSource> OWNERS = new java.util.WeakHashMap<>();

        private Registry() {
        }
    }
}
