package org.multitables4j.reader;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import org.multitables4j.InvalidConfigurationException;
import org.multitables4j.IteratorClosedException;
import org.multitables4j.internal.workers.BlockKeys;
import org.multitables4j.internal.workers.RowFormat;
import org.multitables4j.internal.workers.RowGather;
import org.multitables4j.internal.workers.Source;

/**
 * Runs one request of the Reader: checks it against its stage, cuts its rows into one piece per
 * worker at block boundaries and gathers each piece on the reader's workers through the one row
 * gather of the engine. The result's INDArray is made only when the consumer takes it
 * ({@link Stage#copy}, {@link Stage#view}).
 */
final class RequestRun {
    /**
     * Requests of at most this many rows whose blocks are decoded already (or whose dataset is
     * read by runs) are served on the calling thread.
     */
    static final int INLINE_ROWS = 64;
    /** The completion of every request served on the calling thread. */
    private static final CompletableFuture<Void> LANDED = CompletableFuture.completedFuture(null);

    private RequestRun() {
    }

    private static boolean allDecoded(Hdf5Dataset ds, long[] keys, int n) {
        for (int i = 0; i < n; i++) {
            if (!ds.store.isDecoded((int) BlockKeys.blockOf(keys, i, n))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Schedules a request into a stage.
     *
     * @param request  the rows
     * @param stage    the stage they land in
     * @param claimed  true when the stage was claimed for this request from a pool (it is
     *                 released again if the request is refused)
     * @param run      the reader's workers
     * @return the future
     */
    static Hdf5Future schedule(Request request, Stage stage, boolean claimed, ReaderWorkers run) {
        if (request.dataset() != stage.dataset()) {
            if (claimed) {
                stage.release();
            }
            throw new InvalidConfigurationException("the stage belongs to '" + stage.dataset().path() + "', the request to '"
                    + request.dataset().path() + "'");
        }
        long need = (long) request.size() * request.deliveredRowBytes(stage.dataType());
        long room = (long) stage.capacity() * stage.rowBytes();
        if (need > room) {
            if (claimed) {
                stage.release();
            }
            throw new InvalidConfigurationException("request " + request + " of " + request.size() + " rows ("
                    + need + " bytes as " + stage.dataType() + ") does not fit a stage of " + stage.capacity() + " rows ("
                    + room + " bytes)");
        }
        if (!claimed && !stage.tryClaim()) {
            throw new IllegalStateException("the stage is still in use: take or release the previous result first");
        }
        Hdf5Dataset ds = request.dataset();
        Source.Part[] parts = {new Source.Part(ds.array(), ds.store, 0)};
        int n = request.size();
        long[] keys = BlockKeys.of(parts, request::row, n, null);
        RowFormat format = RowFormat.of(ds.array(), stage.dataType(), 0, request.selection());
        // with worker threads a small request may be served here; with worker processes every read goes to a child
        boolean inline = !run.backend().processes();
        if (inline && n <= INLINE_ROWS && (ds.array().rowReadable() || allDecoded(ds, keys, n))) {
            // nothing to decode: handing a few rows to a worker thread costs more than copying them
            try {
                gather(run.gather(), request, parts, keys, 0, n, stage, format);
                return new Hdf5Future(LANDED, stage, request);
            } catch (RuntimeException e) {
                return new Hdf5Future(CompletableFuture.failedFuture(e), stage, request);
            }
        }
        // split the positions at block boundaries into one piece per worker
        List<int[]> pieces = new ArrayList<>();
        int per = Math.max(1, (n + run.workers() - 1) / run.workers());
        int from = 0;
        while (from < n) {
            int to = Math.min(n, from + per);
            while (to < n && BlockKeys.blockOf(keys, to, n) == BlockKeys.blockOf(keys, to - 1, n)) {
                to++;
            }
            pieces.add(new int[] {from, to});
            from = to;
        }
        List<CompletableFuture<Void>> parts2 = new ArrayList<>();
        try {
            for (int[] piece : pieces) {
                parts2.add(CompletableFuture.runAsync(
                        () -> gather(run.gather(), request, parts, keys, piece[0], piece[1], stage, format), run.pool()));
            }
        } catch (RejectedExecutionException e) {
            // closed meanwhile by another thread: fail the request once the parts already queued are done
            IteratorClosedException closedNow = new IteratorClosedException("the reader of " + run.file().name() + " is closed");
            if (parts2.isEmpty()) {
                stage.release();
                throw closedNow;
            }
            CompletableFuture<Void> failed = CompletableFuture.allOf(parts2.toArray(new CompletableFuture[0]))
                    .handle((v, t) -> {
                        throw closedNow;
                    });
            return new Hdf5Future(failed, stage, request);
        }
        CompletableFuture<Void> landed = parts2.size() == 1 ? parts2.get(0)
                : CompletableFuture.allOf(parts2.toArray(new CompletableFuture[0]));
        return new Hdf5Future(landed, stage, request);
    }

    private static void gather(RowGather g, Request r, Source.Part[] parts, long[] keys, int from, int to, Stage stage,
                               RowFormat f) {
        int n = r.size();
        if (parts[0].array().rowReadable()) {
            int bits = BlockKeys.positionBits(n);
            int[] positions = new int[to - from];
            for (int i = from; i < to; i++) {
                positions[i - from] = (int) (keys[i] & ((1L << bits) - 1));
            }
            g.readRuns(parts, r::row, positions, positions.length, stage.memory(), f);
        } else {
            g.gatherByBlock(parts, r::row, n, keys, from, to, stage.memory(), f, 0);
        }
    }
}
