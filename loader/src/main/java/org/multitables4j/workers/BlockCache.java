package org.multitables4j.workers;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.multitables4j.hdf5.Hdf5Array;
import org.multitables4j.plan.EpochPlan;
import org.multitables4j.ring.BufferAllocator;

/**
 * Decoded blocks (chunk rows) of one dataset, shared by all workers of an epoch.
 *
 * <p>The epoch plan says, for every block, which batches use it. A block is decoded once, kept
 * while batches still need it, and its buffer is recycled after its last use. Idle workers decode
 * ahead, in the order blocks are first needed, within the byte budget. When the budget is
 * exhausted (RANDOM order over a dataset larger than the budget) the unpinned block whose next
 * use is farthest away is evicted; decoding it again later is counted as read amplification.
 */
final class BlockCache {
    private static final byte ABSENT = 0;
    private static final byte LOADING = 1;
    private static final byte READY = 2;
    /** Being decoded by its only remaining user straight into that batch's slot. */
    private static final byte DIRECT = 3;

    /** Thrown inside workers when the epoch is cancelled; never escapes the worker loop. */
    static final class Cancelled extends RuntimeException {
        Cancelled() {
            super(null, null, false, false);
        }
    }

    private final Hdf5Array array;
    private final long rowOffset;
    private final BufferAllocator allocator;
    private final int blockBytes;
    private final long budget;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<ByteBuffer> pool = new ArrayDeque<>();
    private final ByteBuffer[] buf;
    private final byte[] state;
    private final int[] pins;
    private final int[] remaining;
    private final int[] total;
    private long heldBytes;

    // per epoch
    private EpochPlan plan;
    private int firstBatch;
    private int[] usesStart; // CSR of batches per block (permuted plans only)
    private int[] uses;
    private int[] aheadOrder; // blocks in first-use order (permuted plans only)
    private int aheadCursor;
    private volatile boolean cancelled;
    private long decodes;
    private long needed;

    BlockCache(Hdf5Array array, long budget, BufferAllocator allocator) {
        this(array, 0, budget, allocator);
    }

    /**
     * @param array     the dataset (one part of a logical dataset)
     * @param rowOffset logical row of the dataset's first row (plans count logical rows)
     * @param budget    bytes of decoded blocks to keep
     * @param allocator where block buffers come from
     */
    BlockCache(Hdf5Array array, long rowOffset, long budget, BufferAllocator allocator) {
        this.array = array;
        this.rowOffset = rowOffset;
        this.allocator = allocator;
        this.blockBytes = array.blockBytes();
        this.budget = Math.max(budget, blockBytes);
        int n = array.blockCount();
        this.buf = new ByteBuffer[n];
        this.state = new byte[n];
        this.pins = new int[n];
        this.remaining = new int[n];
        this.total = new int[n];
    }

    /** @return true when the budget holds every block of the dataset at once */
    boolean holdsAll() {
        return budget >= (long) buf.length * blockBytes;
    }

    /** Drops every cached block and resets the counters (between epochs, no worker running). */
    void clear() {
        lock.lock();
        try {
            for (int i = 0; i < buf.length; i++) {
                if (buf[i] != null) {
                    recycle(i);
                }
                state[i] = ABSENT;
                pins[i] = 0;
                remaining[i] = 0;
            }
            decodes = 0;
            needed = 0;
            aheadCursor = 0;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Prepares for an epoch: counts the uses of every block by batches {@code firstBatch} and
     * later, and drops what is cached.
     */
    void startEpoch(EpochPlan p, int firstBatch) {
        clear();
        lock.lock();
        try {
            plan = p;
            this.firstBatch = firstBatch;
            cancelled = false;
            int br = array.blockRows();
            if (p.sequential()) {
                usesStart = null;
                uses = null;
                aheadOrder = null;
                long covered = Math.min(p.datasetRows(), (long) p.batches() * p.batchSize());
                long partEnd = rowOffset + array.rows();
                for (int blk = 0; blk < buf.length; blk++) {
                    long first = rowOffset + (long) blk * br;
                    long last = Math.min(Math.min(covered, partEnd), first + br) - 1;
                    long from = Math.max(firstBatch, first / p.batchSize());
                    total[blk] = last < first ? 0 : (int) Math.max(0, last / p.batchSize() - from + 1);
                }
            } else {
                long partRows = array.rows();
                int[] lastSeen = new int[buf.length];
                java.util.Arrays.fill(lastSeen, -1);
                java.util.Arrays.fill(total, 0);
                int[] order = new int[buf.length];
                int nOrder = 0;
                for (int b = firstBatch; b < p.batches(); b++) {
                    int n = p.batchRows(b);
                    for (int k = 0; k < n; k++) {
                        long r = p.row(b, k) - rowOffset;
                        if (r < 0 || r >= partRows) {
                            continue;
                        }
                        int blk = (int) (r / br);
                        if (lastSeen[blk] != b) {
                            if (lastSeen[blk] < 0) {
                                order[nOrder++] = blk;
                            }
                            lastSeen[blk] = b;
                            total[blk]++;
                        }
                    }
                }
                usesStart = new int[buf.length + 1];
                for (int blk = 0; blk < buf.length; blk++) {
                    usesStart[blk + 1] = usesStart[blk] + total[blk];
                }
                uses = new int[usesStart[buf.length]];
                int[] fillPos = usesStart.clone();
                java.util.Arrays.fill(lastSeen, -1);
                for (int b = firstBatch; b < p.batches(); b++) {
                    int n = p.batchRows(b);
                    for (int k = 0; k < n; k++) {
                        long r = p.row(b, k) - rowOffset;
                        if (r < 0 || r >= partRows) {
                            continue;
                        }
                        int blk = (int) (r / br);
                        if (lastSeen[blk] != b) {
                            lastSeen[blk] = b;
                            uses[fillPos[blk]++] = b;
                        }
                    }
                }
                aheadOrder = java.util.Arrays.copyOf(order, nOrder);
            }
            for (int blk = 0; blk < buf.length; blk++) {
                remaining[blk] = total[blk];
                if (total[blk] > 0) {
                    needed++;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every waiting worker and makes further calls throw {@link Cancelled}. */
    void cancel() {
        lock.lock();
        try {
            cancelled = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** @return blocks decoded this epoch */
    long decodes() {
        lock.lock();
        try {
            return decodes;
        } finally {
            lock.unlock();
        }
    }

    /** @return distinct blocks the epoch needs */
    long needed() {
        lock.lock();
        try {
            return needed;
        } finally {
            lock.unlock();
        }
    }

    private int firstUse(int blk) {
        if (uses == null) {
            return (int) Math.max(firstBatch, (rowOffset + (long) blk * array.blockRows()) / plan.batchSize());
        }
        return uses[usesStart[blk]];
    }

    private int nextUse(int blk) {
        int done = total[blk] - remaining[blk];
        if (uses == null) {
            return firstUse(blk) + done;
        }
        return done < total[blk] ? uses[usesStart[blk] + done] : Integer.MAX_VALUE;
    }

    /**
     * Returns block {@code blk} decoded and pinned; decodes it on this thread when nobody has.
     * While another worker decodes it, this one decodes ahead or waits.
     */
    ByteBuffer acquire(int blk, BlockIo dec, int horizon) {
        lock.lock();
        try {
            while (true) {
                if (cancelled) {
                    throw new Cancelled();
                }
                byte st = state[blk];
                if (st == READY) {
                    pins[blk]++;
                    return buf[blk];
                }
                if (st == ABSENT) {
                    state[blk] = LOADING;
                    ByteBuffer b = takeBuffer(true);
                    lock.unlock();
                    try {
                        decodeUnlocked(blk, b, dec, true);
                    } finally {
                        lock.lock();
                    }
                    return b;
                }
                lock.unlock();
                boolean helped;
                try {
                    helped = decodeAhead(dec, horizon);
                } finally {
                    lock.lock();
                }
                if (!helped && state[blk] == LOADING && !cancelled) {
                    try {
                        changed.await(50, TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new Cancelled();
                    }
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Claims block {@code blk} for the caller to decode straight into its own destination (a
     * slot), bypassing the cache: granted when nobody has decoded or is decoding it and the
     * caller's batch is its only remaining use. The caller must call {@link #finishDirect}.
     */
    boolean claimDirect(int blk) {
        lock.lock();
        try {
            if (cancelled) {
                throw new Cancelled();
            }
            if (state[blk] == ABSENT && remaining[blk] == 1 && pins[blk] == 0) {
                state[blk] = DIRECT;
                return true;
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Ends a {@link #claimDirect} claim; a successful decode counts as the block's decode and last use. */
    void finishDirect(int blk, boolean ok) {
        lock.lock();
        try {
            state[blk] = ABSENT;
            if (ok) {
                remaining[blk] = 0;
                decodes++;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Unpins a block after one batch has copied its rows; recycles it after its last use. */
    void release(int blk) {
        lock.lock();
        try {
            pins[blk]--;
            remaining[blk]--;
            if (remaining[blk] <= 0 && pins[blk] == 0 && state[blk] == READY) {
                recycle(blk);
                state[blk] = ABSENT;
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Decodes the next block in first-use order that is not cached, when it is needed before
     * batch {@code horizon} and fits the budget without evicting anything.
     *
     * @return true when a block was decoded
     */
    boolean decodeAhead(BlockIo dec, int horizon) {
        int blk;
        ByteBuffer b;
        lock.lock();
        try {
            if (cancelled) {
                return false;
            }
            int n = aheadOrder == null ? buf.length : aheadOrder.length;
            while (aheadCursor < n) {
                int c = aheadOrder == null ? aheadCursor : aheadOrder[aheadCursor];
                if (state[c] == ABSENT && remaining[c] > 0) {
                    break;
                }
                aheadCursor++;
            }
            if (aheadCursor >= n) {
                return false;
            }
            blk = aheadOrder == null ? aheadCursor : aheadOrder[aheadCursor];
            if (firstUse(blk) > horizon || heldBytes + blockBytes > budget) {
                return false;
            }
            aheadCursor++;
            state[blk] = LOADING;
            b = takeBuffer(false);
        } finally {
            lock.unlock();
        }
        decodeUnlocked(blk, b, dec, false);
        return true;
    }

    /** Blocks of a remote file whose chunk reads start ahead of their decode. */
    private static final int READ_AHEAD_BLOCKS = 4;

    /**
     * Starts the chunk reads of the next blocks in first-use order that nobody decodes yet
     * (remote files only: a round trip per chunk is what read-ahead hides; see
     * {@code Hdf5File.prefetchBlock}).
     */
    private void readAhead(BlockIo dec) {
        if (!dec.inThisProcess() || !array.file().isRemote()) {
            return;
        }
        // under the lock: a block another worker marks LOADING after this look finds its read
        // already registered (prefetchBlock only records and queues), so it is never read twice
        lock.lock();
        try {
            int n = aheadOrder == null ? buf.length : aheadOrder.length;
            int k = 0;
            for (int i = aheadCursor; i < n && k < READ_AHEAD_BLOCKS; i++) {
                int c = aheadOrder == null ? i : aheadOrder[i];
                if (state[c] == ABSENT && remaining[c] > 0) {
                    array.file().prefetchBlock(array, c);
                    k++;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Decodes block {@code blk} (marked LOADING) into {@code b} without holding the lock, then
     * publishes it (pinned for the caller when {@code pin}) or, on failure, gives the buffer back.
     */
    private void decodeUnlocked(int blk, ByteBuffer b, BlockIo dec, boolean pin) {
        readAhead(dec);
        boolean ok = false;
        try {
            dec.readBlock(array, blk, b);
            ok = true;
        } finally {
            lock.lock();
            try {
                if (ok) {
                    buf[blk] = b;
                    state[blk] = READY;
                    decodes++;
                    if (pin) {
                        pins[blk]++;
                    }
                } else {
                    state[blk] = ABSENT;
                    pool.push(b);
                    heldBytes -= blockBytes;
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private ByteBuffer takeBuffer(boolean mayEvict) {
        if (mayEvict && heldBytes + blockBytes > budget) {
            evictFarthest();
        }
        heldBytes += blockBytes;
        ByteBuffer b = pool.poll();
        return (b != null ? b : allocator.allocate(blockBytes)).order(array.elementType().byteOrder());
    }

    private void evictFarthest() {
        int victim = -1;
        int far = -1;
        for (int i = 0; i < buf.length; i++) {
            if (state[i] == READY && pins[i] == 0) {
                int nu = nextUse(i);
                if (nu > far) {
                    far = nu;
                    victim = i;
                }
            }
        }
        if (victim >= 0) {
            recycle(victim);
            state[victim] = ABSENT;
            if (remaining[victim] > 0 && aheadOrder == null) {
                aheadCursor = Math.min(aheadCursor, victim);
            }
        }
    }

    private void recycle(int blk) {
        pool.push(buf[blk]);
        buf[blk] = null;
        heldBytes -= blockBytes;
        while (!pool.isEmpty() && (long) pool.size() * blockBytes > budget) {
            allocator.free(pool.poll());
        }
    }
}
