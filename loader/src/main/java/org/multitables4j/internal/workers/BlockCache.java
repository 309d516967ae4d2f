package org.multitables4j.internal.workers;

import static org.multitables4j.internal.workers.BlockTable.ABSENT;
import static org.multitables4j.internal.workers.BlockTable.DIRECT;
import static org.multitables4j.internal.workers.BlockTable.LOADING;
import static org.multitables4j.internal.workers.BlockTable.READY;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.multitables4j.internal.hdf5.Hdf5Array;
import org.multitables4j.internal.plan.EpochPlan;
import org.multitables4j.internal.ring.BufferAllocator;

/**
 * Decoded blocks (chunk rows) of one dataset: the one block store of the loader, with two
 * eviction policies.
 *
 * <p><b>Planned</b> (the streaming iterators): the epoch plan says, for every block, which
 * batches use it. A block is decoded once, kept while batches still need it, and its buffer is
 * recycled after its last use. Idle workers decode ahead, in the order blocks are first needed,
 * within the byte budget. When the budget is exhausted (RANDOM order over a dataset larger than
 * the budget) the unpinned block whose next use is farthest away is evicted (Belady); decoding it
 * again later is counted as read amplification. A block that one batch alone needs may be
 * decoded straight into that batch's slot ({@link #claimDirect}). In a random order whose budget
 * holds the whole dataset every epoch needs every block again, so decoded blocks are kept after
 * their last use and across epochs: only the first epoch decodes.
 *
 * <p><b>LRU</b> ({@link #lru}: the Reader, and iterators built over a reader): nobody can foresee
 * the requests, so blocks stay until the budget forces out the least recently used unpinned one.
 * The store outlives epochs and may be shared by several users at once.
 *
 * <p>Both count hits, misses (a caller had to decode), blocks decoded (misses and decodes
 * ahead), decoded bytes and the distinct blocks needed, cumulatively ({@link #stats()}). Concurrent
 * misses on one block decode it once; if that decode fails, the waiters try again.
 */
public final class BlockCache {
    private final Hdf5Array array;
    private final boolean lru;
    /** LRU order of the cached blocks (LRU policy only), least recently used first. */
    private final java.util.LinkedHashSet<Integer> recency;
    private final BlockCounters counts = new BlockCounters();
    private final long rowOffset;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final BlockTable table;
    private final BatchPins batchPins;

    // per epoch
    private BlockUses uses;
    /** where decode-ahead looks for the next block */
    private final AheadCursor ahead = new AheadCursor();
    private volatile boolean cancelled;

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
        this(array, rowOffset, budget, allocator, false);
    }

    private BlockCache(Hdf5Array array, long rowOffset, long budget, BufferAllocator allocator, boolean lru) {
        this.array = array;
        this.lru = lru;
        this.recency = lru ? new java.util.LinkedHashSet<>() : null;
        this.rowOffset = rowOffset;
        this.table = new BlockTable(array.blockCount(),
                new BlockBuffers(allocator, array.blockBytes(), budget, array.elementType().byteOrder()));
        this.batchPins = new BatchPins(lock, table, counts, () -> cancelled);
    }

    /**
     * A store with the LRU policy, for requests nobody can foresee.
     *
     * @param array     the dataset
     * @param budget    bytes of decoded blocks to keep (at least one block is always kept)
     * @param allocator where block buffers come from
     * @return the store
     */
    public static BlockCache lru(Hdf5Array array, long budget, BufferAllocator allocator) {
        return new BlockCache(array, 0, budget, allocator, true);
    }

    /** @return the dataset */
    public Hdf5Array array() {
        return array;
    }

    /**
     * @return the store's lock; while a thread holds it, every read through the store waits
     *     (tests use it to hold reads up)
     */
    public ReentrantLock monitor() {
        return lock;
    }

    /** @return true for the LRU policy (a store that outlives epochs and may be shared) */
    public boolean isLru() {
        return lru;
    }

    /** @return the counters so far */
    public BlockStats stats() {
        lock.lock();
        try {
            return counts.snapshot();
        } finally {
            lock.unlock();
        }
    }

    /**
     * @param blk a block
     * @return true when the block is decoded and cached now (it may be evicted right after)
     */
    public boolean isDecoded(int blk) {
        lock.lock();
        try {
            return table.state[blk] == READY;
        } finally {
            lock.unlock();
        }
    }

    /** @return true when the budget holds every block of the dataset at once */
    boolean holdsAll() {
        return table.buffers.holds(table.blocks());
    }

    /**
     * Drops every cached block (between epochs, no worker running); an LRU store keeps its
     * blocks, and so does a planned store that holds the whole dataset for a random order.
     */
    void clear() {
        if (lru) {
            return;
        }
        lock.lock();
        try {
            table.clear();
            ahead.rewind();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Prepares for an epoch: counts the uses of every block by batches {@code firstBatch} and
     * later, and drops what is cached (a random order's store that holds the dataset keeps it).
     */
    void startEpoch(EpochPlan p, int firstBatch) {
        if (lru) {
            return;
        }
        lock.lock();
        try {
            // a random order touches every block in every epoch: where the budget holds them
            // all, the blocks decoded in one epoch serve the next ones without a decode
            table.keep = p.order().random() && holdsAll();
            table.clear();
            cancelled = false;
            uses = BlockUses.of(p, firstBatch, array.rows(), array.blockRows(), rowOffset);
            ahead.reset(uses);
            System.arraycopy(uses.total(), 0, table.total, 0, table.blocks());
            for (int blk = 0; blk < table.blocks(); blk++) {
                table.remaining[blk] = table.total[blk];
                if (table.total[blk] > 0) {
                    counts.needed();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Frees a planned store's blocks when its iterator closes: left to the collector they count as
     * direct memory in use, from which the next store is sized. No worker may use the store any
     * more; an LRU store belongs to its Reader and is left alone.
     */
    void close() {
        if (lru) {
            return;
        }
        lock.lock();
        try {
            cancelled = true;
            table.release();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Wakes every waiting worker and makes further calls throw {@link EpochCancelled}. An LRU store
     * is shared and not cancelled: its waits end when the decode they wait for does.
     */
    void cancel() {
        if (lru) {
            return;
        }
        lock.lock();
        try {
            cancelled = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns block {@code blk} decoded and pinned; decodes it on this thread when nobody has.
     * While another worker decodes it, this one decodes ahead or waits.
     */
    public ByteBuffer acquire(int blk, BlockIo dec, int horizon) {
        lock.lock();
        try {
            while (true) {
                if (cancelled) {
                    throw new EpochCancelled();
                }
                byte st = table.state[blk];
                if (st == READY) {
                    table.pins[blk]++;
                    counts.hit();
                    if (lru) {
                        recency.remove(blk);
                        recency.add(blk);
                    }
                    return table.buf[blk];
                }
                if (st == ABSENT) {
                    table.state[blk] = LOADING;
                    counts.miss();
                    if (lru && table.total[blk] == 0) {
                        table.total[blk] = 1;
                        counts.needed();
                    }
                    ByteBuffer b = takeBuffer(true);
                    lock.unlock();
                    try {
                        b = decodeUnlocked(blk, b, dec, true);
                    } finally {
                        lock.lock();
                    }
                    return b;
                }
                boolean helped = false;
                if (!lru) {
                    lock.unlock();
                    try {
                        helped = decodeAhead(dec, horizon);
                    } finally {
                        lock.lock();
                    }
                }
                if (!helped && table.state[blk] == LOADING && !cancelled) {
                    try {
                        changed.await(50, TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new EpochCancelled();
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
                throw new EpochCancelled();
            }
            if (table.state[blk] == ABSENT && table.remaining[blk] == 1 && table.pins[blk] == 0) {
                table.state[blk] = DIRECT;
                return true;
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Ends a {@link #claimDirect} claim, or counts a block a SHUFFLED epoch's {@link WindowScatter}
     * decoded and scattered into slots: a successful decode counts as the block's decode and last use.
     */
    void finishDirect(int blk, boolean ok) {
        lock.lock();
        try {
            table.state[blk] = ABSENT;
            if (ok) {
                table.remaining[blk] = 0;
                counts.decoded((long) array.rowsInBlock(blk) * array.rowBytes());
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Unpins a block after one batch has copied its rows; recycles it after its last use. */
    public void release(int blk) {
        lock.lock();
        try {
            if (lru) {
                table.pins[blk]--;
                while (table.buffers.over() && table.evictFirst(recency)) {
                    // shrink back to the budget once pins allow
                }
                return;
            }
            table.unpinUse(blk);
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
        if (lru) {
            return false;
        }
        int blk;
        ByteBuffer b;
        lock.lock();
        try {
            if (cancelled) {
                return false;
            }
            blk = table.buffers.full() ? -1 : ahead.next(table, horizon);
            if (blk < 0) {
                return false;
            }
            table.state[blk] = LOADING;
            b = takeBuffer(false);
        } finally {
            lock.unlock();
        }
        try {
            decodeUnlocked(blk, b, dec, false);
        } catch (EpochCancelled e) {
            throw e;
        } catch (RuntimeException e) {
            // not this worker's batch: the block stays absent, and the batch that needs it decodes
            // it itself and fails (or skips it) at exactly that batch
        }
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
        if (uses == null || !dec.inThisProcess() || !array.file().isRemote()) {
            return; // an LRU store (no plan), a worker process, or a local file
        }
        lock.lock(); // a block marked LOADING later finds its read registered: never read twice
        try {
            ahead.peek(table, READ_AHEAD_BLOCKS, c -> array.file().prefetchBlock(array, c));
        } finally {
            lock.unlock();
        }
    }

    /** @return the batch-at-once pinning of this store's blocks (random orders' gather) */
    BatchPins batchPins() {
        return batchPins;
    }

    /**
     * Decodes block {@code blk} (marked LOADING) into {@code b} (allocated here when null) without
     * holding the lock, then publishes it (pinned for the caller when {@code pin}) or, on failure,
     * gives the buffer back.
     *
     * @return the buffer holding the block
     */
    private ByteBuffer decodeUnlocked(int blk, ByteBuffer b, BlockIo dec, boolean pin) {
        readAhead(dec);
        boolean ok = false;
        try {
            if (b == null) { // allocated here rather than under the lock: a fresh buffer is zeroed page by page
                b = table.buffers.allocate();
            }
            dec.readBlock(array, blk, b);
            ok = true;
        } finally {
            lock.lock();
            try {
                if (ok) {
                    table.buf[blk] = b;
                    table.state[blk] = READY;
                    counts.decoded((long) array.rowsInBlock(blk) * array.rowBytes());
                    if (lru) {
                        recency.add(blk);
                    }
                    if (pin) {
                        table.pins[blk]++;
                    }
                } else {
                    table.state[blk] = ABSENT;
                    table.buffers.unreserve(b);
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
        return b;
    }

    private ByteBuffer takeBuffer(boolean mayEvict) {
        if (mayEvict && table.buffers.full()) {
            if (lru) {
                table.evictFirst(recency);
            } else {
                int victim = table.evictFarthest(blk -> uses.nextUse(blk, table.total[blk] - table.remaining[blk]));
                if (victim >= 0 && table.remaining[victim] > 0) {
                    ahead.back(victim);
                }
            }
        }
        return table.buffers.reserve(); // null: the decoder allocates it
    }
}
