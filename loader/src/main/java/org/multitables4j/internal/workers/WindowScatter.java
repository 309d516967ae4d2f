package org.multitables4j.internal.workers;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.multitables4j.internal.hdf5.Hdf5Array;
import org.multitables4j.internal.plan.EpochPlan;
import org.multitables4j.internal.ring.Slot;

/**
 * The SHUFFLED epoch without a block store: the batches of a shuffle window use exactly the
 * window's blocks, so once the slots of all of them are claimed each block is decoded once into
 * a small scratch buffer and its rows are scattered straight into their slots. A batch is
 * published when every window it draws from has been scattered. The rows are copied once, from a
 * buffer still in the core's cache, where the block store path wrote every block to memory and
 * gathered every row back from it.
 *
 * <p>Workers {@link #attach} the slots they claim (in batch order) and {@link #runOne run} the
 * block jobs of windows whose slots are all attached, lowest window first. One instance per
 * epoch; thread-safe.
 */
final class WindowScatter {
    /** What to do with a batch whose windows are all scattered. */
    interface Done {
        /**
         * @param s     the batch's slot
         * @param error why a block of its windows could not be decoded, or null
         */
        void batchDone(Slot s, Throwable error);
    }

    private final ReentrantLock lock = new ReentrantLock();
    private final EpochPlan plan;
    private final Source[] sources;
    private final int[] scattered;
    /** By source: scattered here (not filled through its block store). */
    private final boolean[] scatters;
    private final int first;
    private final int batchSize;
    private final int blockRows;
    /** By plan block: its place among its window's blocks. */
    private final int[] indexInWindow;
    /** By batch modulo their length: the attached slot, the windows it still waits for, its error. */
    private final Slot[] slots;
    private final int[] pending;
    private final Throwable[] errors;
    private final int lastWindow;
    /** The position past the last row of the epoch's batches. */
    private final int end;
    /** Highest batch attached with every batch before it (from {@code first}), or {@code first - 1}. */
    private int attached;
    /** Lowest window with jobs not handed out. */
    private int window;
    private int handed;
    /** The window whose jobs are being handed out. */
    private Window current;

    /** One window being scattered. */
    private static final class Window {
        final int index;
        final int jobs;
        final int[] positions;
        int done;
        volatile Throwable error;

        Window(int index, int jobs, int[] positions) {
            this.index = index;
            this.jobs = jobs;
            this.positions = positions;
        }
    }

    /**
     * @param plan      a SHUFFLED, unsharded plan
     * @param first     the first batch of this run of the epoch
     * @param sources   every source of a slot
     * @param scattered the indices of the sources scattered here (their blocks are the plan's)
     * @param slots     the ring's size: at most this many batches are attached at once
     */
    WindowScatter(EpochPlan plan, int first, Source[] sources, int[] scattered, int slots) {
        this.plan = plan;
        this.sources = sources;
        this.scattered = scattered;
        this.scatters = new boolean[sources.length];
        for (int i : scattered) {
            scatters[i] = true;
        }
        this.first = first;
        this.batchSize = plan.batchSize();
        this.blockRows = plan.blockRows();
        int blocks = (int) ((plan.datasetRows() + blockRows - 1) / blockRows);
        this.indexInWindow = new int[blocks];
        for (int w = 0; w < plan.windows(); w++) {
            for (int j = 0; j < plan.windowBlockCount(w); j++) {
                indexInWindow[plan.windowBlock(w, j)] = j;
            }
        }
        this.slots = new Slot[slots];
        this.pending = new int[slots];
        this.errors = new Throwable[slots];
        this.attached = first - 1;
        this.end = plan.batches() == 0 ? 0 : (plan.batches() - 1) * batchSize + plan.batchRows(plan.batches() - 1);
        this.window = first < plan.batches() ? windowAt(first * batchSize) : plan.windows();
        this.lastWindow = end == 0 ? -1 : windowAt(end - 1);
    }

    /** @return the window holding position {@code pos} */
    private int windowAt(int pos) {
        int lo = 0;
        int hi = plan.windows() - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (plan.windowStart(mid) <= pos) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /**
     * Takes a claimed slot (claims are made in batch order, attaches may come in any order).
     * One-hot arrays are zeroed here.
     *
     * @param s the slot
     * @return true when a window became ready to scatter
     */
    boolean attach(Slot s) {
        int b = s.batch();
        int rows = plan.batchRows(b);
        for (int i : scattered) {
            RowFormat f = sources[i].format();
            if (f.oneHot()) {
                RowFormat.zero(s.array(i).memory(), rows * f.outRowBytes());
            }
        }
        int start = b * batchSize;
        lock.lock();
        try {
            int at = b % slots.length;
            if (slots[at] != null || b <= attached) {
                throw new IllegalStateException("batch " + b + " attached twice, or with its slot still in use");
            }
            slots[at] = s;
            pending[at] = windowAt(start + rows - 1) - windowAt(start) + 1;
            errors[at] = null;
            // claims are made in batch order but attached by several workers: the window
            // readiness counts the batches attached without a gap
            boolean moved = false;
            while (true) {
                Slot next = slots[(attached + 1) % slots.length];
                if (next == null || next.batch() != attached + 1) {
                    break;
                }
                attached++;
                moved = true;
            }
            return moved && window <= lastWindow && ready(window);
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock: every batch that window {@code w} feeds is attached. */
    private boolean ready(int w) {
        return (Math.min(plan.windowEnd(w), end) - 1) / batchSize <= attached;
    }

    /**
     * Runs one block job of the lowest ready window, when there is one.
     *
     * @param io      this worker's reads
     * @param scratch this worker's buffers, {@code block} of at least {@link #blockBytes()}
     * @param done    gets every batch this job completes, in batch order
     * @return false when no job was ready
     */
    boolean runOne(BlockIo io, Scratch scratch, Done done) {
        Window w;
        int job;
        lock.lock();
        try {
            if (window > lastWindow || !ready(window)) {
                return false;
            }
            w = current;
            if (w == null || w.index != window) {
                w = new Window(window, plan.windowBlockCount(window) * scattered.length, positions(window));
                current = w;
            }
            job = handed++;
            if (handed == w.jobs) {
                handed = 0;
                window++;
            }
        } finally {
            lock.unlock();
        }
        Throwable error = null;
        if (w.error == null) {
            try {
                scatter(w, job, io, scratch);
            } catch (EpochCancelled c) {
                throw c;
            } catch (RuntimeException | Error e) {
                error = e;
            }
        }
        finish(w, error, done);
        return true;
    }

    /**
     * The position of every row of window {@code w}'s blocks, by (block of the window, row of the
     * block); -1 where the row is in no batch of this run (before its first batch, or dropped).
     */
    private int[] positions(int w) {
        int[] pos = new int[plan.windowBlockCount(w) * blockRows];
        Arrays.fill(pos, -1);
        int lo = Math.max(plan.windowStart(w), first * batchSize);
        int hi = Math.min(plan.windowEnd(w), end);
        for (int p = lo; p < hi; p++) {
            int r = plan.permuted(p);
            int blk = r / blockRows;
            pos[indexInWindow[blk] * blockRows + r - blk * blockRows] = p;
        }
        return pos;
    }

    private void scatter(Window w, int job, BlockIo io, Scratch scratch) {
        int j = job % plan.windowBlockCount(w.index);
        int si = scattered[job / plan.windowBlockCount(w.index)];
        Source src = sources[si];
        int block = plan.windowBlock(w.index, j);
        long planRow = (long) block * blockRows;
        int n = (int) Math.min(blockRows, plan.datasetRows() - planRow);
        long row = plan.firstRow() + planRow;
        Source.Part part = src.parts()[src.partOf(row)];
        Hdf5Array a = part.array();
        int blk = (int) ((row - part.offset()) / blockRows);
        ByteBuffer buf = scratch.block.order(a.elementType().byteOrder());
        io.readBlock(a, blk, buf, 0);
        part.cache().finishDirect(blk, true); // counted as decoded
        RowFormat f = src.format();
        int rowBytes = a.rowBytes();
        int base = j * blockRows;
        int[] positions = w.positions;
        int lo = plan.windowStart(w.index) / batchSize;
        int span = (plan.windowEnd(w.index) - 1) / batchSize - lo + 1;
        if (RowScatter.available() && f.identity(a) && span <= RowScatter.MAX_BUFFERS) {
            // one native call: streaming stores, no read of the destination lines
            scratch.fit(n, span);
            ByteBuffer[] dsts = scratch.dsts;
            int[] which = scratch.which;
            int[] at = scratch.at;
            for (int i = 0; i < n; i++) {
                int p = positions[base + i];
                if (p < 0) {
                    which[i] = -1;
                    continue;
                }
                int b = p / batchSize;
                if (dsts[b - lo] == null) {
                    dsts[b - lo] = slots[b % slots.length].array(si).memory();
                }
                which[i] = b - lo;
                at[i] = (p - b * batchSize) * rowBytes;
            }
            RowScatter.copy(buf, 0, rowBytes, n, dsts, which, at);
            return;
        }
        for (int i = 0; i < n; i++) {
            int p = positions[base + i];
            if (p < 0) {
                continue;
            }
            int b = p / batchSize;
            Slot s = slots[b % slots.length];
            RowFormat.convertRows(a, buf, i * rowBytes, 1, row + i, s.array(si).memory(), p - b * batchSize, f);
        }
    }

    private void finish(Window w, Throwable error, Done done) {
        List<Slot> complete = null;
        List<Throwable> why = null;
        lock.lock();
        try {
            if (error != null && w.error == null) {
                w.error = error;
            }
            if (++w.done < w.jobs) {
                return;
            }
            int lo = Math.max(plan.windowStart(w.index) / batchSize, first);
            int hi = (Math.min(plan.windowEnd(w.index), end) - 1) / batchSize;
            complete = new ArrayList<>();
            why = new ArrayList<>();
            for (int b = lo; b <= hi; b++) {
                int at = b % slots.length;
                if (w.error != null && errors[at] == null) {
                    errors[at] = w.error;
                }
                if (--pending[at] == 0) {
                    complete.add(slots[at]);
                    why.add(errors[at]);
                    slots[at] = null;
                    errors[at] = null;
                }
            }
        } finally {
            lock.unlock();
        }
        for (int i = 0; i < complete.size(); i++) {
            done.batchDone(complete.get(i), why.get(i));
        }
    }

    /**
     * @param source a source of the slots
     * @return true when its rows are scattered here (it is not filled through its block store)
     */
    boolean scatters(int source) {
        return scatters[source];
    }

    /** @return the bytes a worker's block buffer must hold: a block of each scattered source */
    int blockBytes() {
        int bytes = 0;
        for (int i : scattered) {
            for (Source.Part p : sources[i].parts()) {
                bytes = Math.max(bytes, p.array().blockBytes());
            }
        }
        return bytes;
    }

    /** One worker's buffers for block jobs, kept across jobs and epochs. */
    static final class Scratch {
        ByteBuffer block;
        private int[] which = new int[0];
        private int[] at = new int[0];
        private ByteBuffer[] dsts = new ByteBuffer[0];

        /** Makes room for {@code rows} rows going to {@code buffers} destinations, which start unset. */
        private void fit(int rows, int buffers) {
            if (which.length < rows) {
                which = new int[rows];
                at = new int[rows];
            }
            if (dsts.length < buffers) {
                dsts = new ByteBuffer[buffers];
            } else {
                Arrays.fill(dsts, null);
            }
        }
    }

    /**
     * @param plan    the epoch plan
     * @param sources every source of a slot
     * @return the sources whose rows can be scattered in this epoch (chunked by the plan's blocks,
     *     every part a local file starting on a block), or an empty array when the epoch is not SHUFFLED and
     *     unsharded or the features cannot be scattered
     */
    static int[] scatterable(EpochPlan plan, Source[] sources) {
        if (plan.windows() == 0 || plan.sharded() || plan.batches() == 0 || plan.firstRow() % plan.blockRows() != 0) {
            return new int[0];
        }
        int br = plan.blockRows();
        int[] out = new int[sources.length];
        int n = 0;
        for (int i = 0; i < sources.length; i++) {
            Source s = sources[i];
            boolean ok = s.sequence() == null && s.format() != null;
            for (Source.Part p : s.parts()) {
                // a remote file keeps the block store path, whose reads start ahead in plan order
                ok &= !p.cache().isLru() && p.array().blockRows() == br && p.offset() % br == 0
                        && !p.array().file().isRemote();
            }
            if (ok) {
                out[n++] = i;
            } else if (i == 0) {
                return new int[0];
            }
        }
        return Arrays.copyOf(out, n);
    }

}
