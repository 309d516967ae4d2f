package org.multitables4j.reader;

import java.util.ArrayDeque;

/**
 * Requests submitted by a loader thread, results taken by a consumer in submission order (the
 * futures themselves complete in any order). Not thread-safe: one submitter-consumer, or
 * synchronise externally.
 */
public final class RequestQueue {
    private final Hdf5Reader reader;
    private final StagePool stages;
    private final ArrayDeque<Hdf5Future> pending = new ArrayDeque<>();

    /**
     * @param reader the reader
     * @param stages stages of the requested dataset; at most that many results are pending
     */
    public RequestQueue(Hdf5Reader reader, StagePool stages) {
        this.reader = reader;
        this.stages = stages;
    }

    /** @param request rows to read next */
    public void submit(Request request) {
        pending.add(reader.request(request, stages));
    }

    /** @return requests submitted and not yet taken */
    public int pending() {
        return pending.size();
    }

    /**
     * @return the oldest request's rows as a view; close it to free its stage
     * @throws java.util.NoSuchElementException when nothing is pending
     */
    public StagedArray next() {
        Hdf5Future f = pending.poll();
        if (f == null) {
            throw new java.util.NoSuchElementException("no request pending");
        }
        return f.acquire();
    }
}
