package org.multitables4j.internal.hdf5;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.multitables4j.ReadStats;

/**
 * Chunk reads of a remote file started before a worker needs them (see
 * {@link Hdf5File#prefetchBlock}): positional reads on 4 daemon threads, at most 64 MiB in flight,
 * one per address. Each is taken by exactly one read of the same address and length, so no byte
 * is fetched twice; a failed one is left to the worker, which reads again.
 */
final class ReadAhead implements AutoCloseable {
    private static final long BUDGET = 64L << 20;
    private static final int THREADS = 4;

    private record Pending(int length, CompletableFuture<ByteBuffer> bytes) {
    }

    private final ByteSource source;
    private final long baseAddress;
    private final long fileSize;
    private final ReadStats stats;
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong bytes = new AtomicLong();
    private volatile ExecutorService pool;

    ReadAhead(ByteSource source, long baseAddress, long fileSize, ReadStats stats) {
        this.source = source;
        this.baseAddress = baseAddress;
        this.fileSize = fileSize;
        this.stats = stats;
    }

    /** Starts reading {@code length} bytes at a file address unless already started or over budget. */
    void prefetch(long address, int length) {
        if (address < 0 || address + baseAddress + length > fileSize || pending.containsKey(address)
                || bytes.get() + length > BUDGET) {
            return;
        }
        CompletableFuture<ByteBuffer> f = new CompletableFuture<>();
        if (pending.putIfAbsent(address, new Pending(length, f)) != null) {
            return;
        }
        bytes.addAndGet(length);
        Runnable read = () -> {
            try {
                ByteBuffer b = ByteBuffer.allocate(length);
                source.readFully(address + baseAddress, b);
                if (stats != null) {
                    stats.addDataRead(length);
                }
                f.complete(b.flip());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        };
        try {
            pool().execute(read);
        } catch (RejectedExecutionException closed) {
            // closed meanwhile: the worker reads it itself (and finds the file closed)
            f.completeExceptionally(closed);
        }
    }

    /**
     * Fills {@code dst} from a read started for this address, waiting for it if needed.
     *
     * @return false if none was started or it failed or its length differs: read directly
     */
    boolean take(long address, ByteBuffer dst) {
        Pending p = pending.isEmpty() ? null : pending.remove(address);
        if (p == null) {
            return false;
        }
        bytes.addAndGet(-p.length());
        ByteBuffer got;
        try {
            got = p.bytes().join();
        } catch (RuntimeException failed) {
            return false;
        }
        if (p.length() != dst.remaining()) {
            return false;
        }
        dst.put(got.duplicate());
        return true;
    }

    private ExecutorService pool() {
        ExecutorService p = pool;
        if (p == null) {
            synchronized (this) {
                p = pool;
                if (p == null) {
                    p = Executors.newFixedThreadPool(THREADS, r -> {
                        Thread t = new Thread(r, "multitables4j-read-ahead");
                        t.setDaemon(true);
                        return t;
                    });
                    pool = p;
                }
            }
        }
        return p;
    }

    /** Stops the threads; a read dropped here never leaves a worker waiting for it. */
    @Override
    public void close() {
        ExecutorService p = pool;
        if (p != null) {
            p.shutdownNow();
        }
        pending.values().forEach(a -> a.bytes().completeExceptionally(new IOException("closed")));
        pending.clear();
    }
}
