package org.multitables4j.internal.workers;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.multitables4j.internal.hdf5.Hdf5Array;

/**
 * What the children of one {@link ChildPool} share: the datasets they read (in source order,
 * growing when the Reader opens another), the shared memory, the limits, and whether the pool is
 * closed. Read by {@link ChildHandle} and {@link ChildLauncher}, set by the pool.
 */
final class PoolState {
    /** One dataset: the parent's description, and what a child is told to open. */
    record Entry(Hdf5Array array, Wire.DatasetRef source) {
    }

    /** The file named in messages: a path or a URI. */
    final String file;
    final SharedArena arena;
    final int maxFailures;
    final List<Entry> sources = new CopyOnWriteArrayList<>();
    final AtomicLong restarts = new AtomicLong();
    volatile boolean closed;
    volatile long readTimeoutNanos;
    volatile long startTimeoutNanos = TimeUnit.SECONDS.toNanos(60);
    /** Reads a worker does itself while its child's first start is under way; 0: none. */
    volatile int readsWhileStarting;

    PoolState(String file, SharedArena arena, int maxFailures) {
        this.file = file;
        this.arena = arena;
        this.maxFailures = maxFailures;
    }

    /** @return the source index of {@code a} */
    int source(Hdf5Array a) {
        for (int i = 0; i < sources.size(); i++) {
            if (sources.get(i).array() == a) {
                return i;
            }
        }
        throw new IllegalArgumentException("dataset " + a.path() + " is not read by these worker processes");
    }
}
