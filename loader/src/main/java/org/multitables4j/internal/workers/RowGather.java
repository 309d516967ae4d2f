package org.multitables4j.internal.workers;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.IntToLongFunction;
import org.multitables4j.CorruptDataException;
import org.multitables4j.internal.hdf5.ElementType;
import org.multitables4j.internal.hdf5.Hdf5Array;
import org.multitables4j.internal.ring.BufferAllocator;

/**
 * The one row gather of the loader, used by the streaming workers ({@link BatchFiller}) and by the
 * Reader: rows at positions {@code k} of a destination are taken from a dataset, cut into runs of
 * consecutive rows where the data is contiguous or grouped by block through the {@link BlockCache}
 * where it is chunked, converted to the delivered element type, narrowed to a selection of each
 * row's elements, or turned into one-hot vectors.
 *
 * <p>One instance per worker thread: it owns the thread's reads ({@link BlockIo}) and scratch.
 */
public final class RowGather {
    private static final int SCRATCH_BYTES = 1 << 20;

    private final BlockIo io;
    private final BufferAllocator allocator;
    private final boolean readsIntoDestination;
    private ByteBuffer scratch;
    /** Where positions of undecodable blocks go ({@code onCorruptChunk(SKIP)}), or null to throw. */
    private ChunkSkips.Batch skips;
    private long[] runRows = new long[16];
    private int[] runCounts = new int[16];
    private int[] runOffsets = new int[16];
    private int[] runPositions = new int[16];
    private int[] pinBlocks = new int[64];
    private ByteBuffer[] pinBuffers = new ByteBuffer[64];

    /**
     * @param io        this thread's reads
     * @param allocator where scratch comes from (shared memory with worker processes)
     */
    public RowGather(BlockIo io, BufferAllocator allocator) {
        this(io, allocator, true);
    }

    /**
     * @param io                   this thread's reads
     * @param allocator            where scratch comes from (shared memory with worker processes)
     * @param readsIntoDestination false when destinations are not reachable by the reads (a
     *                             worker process cannot write into a Reader's stage): rows are then
     *                             always read through scratch
     */
    public RowGather(BlockIo io, BufferAllocator allocator, boolean readsIntoDestination) {
        this.io = io;
        this.allocator = allocator;
        this.readsIntoDestination = readsIntoDestination;
    }

    /** @return this thread's reads */
    public BlockIo io() {
        return io;
    }

    /** @param batch positions of undecodable blocks are marked here instead of thrown; null to throw */
    void skipCorrupt(ChunkSkips.Batch batch) {
        this.skips = batch;
    }

    /** @return where positions of undecodable blocks go, or null when their failure is thrown */
    ChunkSkips.Batch skips() {
        return skips;
    }

    /**
     * Gathers the positions of keys {@code [from, to)} (from {@link BlockKeys#of}) block by block
     * through the parts' block stores.
     *
     * @param parts   the dataset's parts
     * @param rowOf   logical row at position k
     * @param n       all positions (for the key layout)
     * @param keys    sorted keys
     * @param from    first key
     * @param to      end of the keys
     * @param dst     destination; position k is written at {@code k * outRowBytes}
     * @param f       the row format
     * @param horizon batches ahead a waiting planned store may decode for
     */
    public void gatherByBlock(Source.Part[] parts, IntToLongFunction rowOf, int n, long[] keys, int from, int to,
                              ByteBuffer dst, RowFormat f, int horizon) {
        int bits = BlockKeys.positionBits(n);
        long[] bases = BlockKeys.bases(parts);
        int i = from;
        int pi = 0;
        while (i < to) {
            long global = keys[i] >>> bits;
            while (pi + 1 < parts.length && bases[pi + 1] <= global) {
                pi++;
            }
            Source.Part part = parts[pi];
            Hdf5Array a = part.array();
            BlockCache cache = part.cache();
            if (!cache.isLru() && cache.holdsAll()) {
                long partEnd = pi + 1 < parts.length ? bases[pi + 1] : Long.MAX_VALUE;
                i = gatherPinned(part, bases[pi], partEnd, rowOf, bits, keys, i, to, dst, f, horizon);
                continue;
            }
            int blk = (int) (global - bases[pi]);
            ByteBuffer src;
            try {
                src = cache.acquire(blk, io, horizon);
            } catch (CorruptDataException e) {
                i = dropBlock(a, blk, e, keys, i, to, bits);
                continue;
            }
            try {
                i = copyBlock(part, src, blk, rowOf, keys, i, to, bits, dst, f);
            } finally {
                cache.release(blk);
            }
        }
    }

    /**
     * Copies the rows of the keys {@code i, i + 1, ...} of one decoded block into {@code dst}.
     *
     * @return the first key of another block (or {@code end})
     */
    private static int copyBlock(Source.Part part, ByteBuffer src, int blk, IntToLongFunction rowOf, long[] keys, int i,
                                 int end, int bits, ByteBuffer dst, RowFormat f) {
        Hdf5Array a = part.array();
        long mask = (1L << bits) - 1;
        long g = keys[i] >>> bits;
        long first = (long) blk * a.blockRows();
        for (; i < end && keys[i] >>> bits == g; i++) {
            int k = (int) (keys[i] & mask);
            long r = rowOf.applyAsLong(k) - part.offset();
            RowFormat.convertRows(a, src, (int) (r - first) * a.rowBytes(), 1, r, dst, k, f);
        }
        return i;
    }

    /**
     * Leaves the keys {@code i, i + 1, ...} of a block that cannot be decoded out of the batch
     * (with {@code CorruptChunkPolicy.SKIP}), or rethrows.
     *
     * @return the first key of another block (or {@code end})
     */
    private int dropBlock(Hdf5Array a, int blk, CorruptDataException e, long[] keys, int i, int end, int bits) {
        if (skips == null) {
            throw e;
        }
        long mask = (1L << bits) - 1;
        long g = keys[i] >>> bits;
        for (; i < end && keys[i] >>> bits == g; i++) {
            skips.drop(a, blk, e, (int) (keys[i] & mask));
        }
        return i;
    }

    /**
     * {@link #gatherByBlock} of the keys of one part whose planned store holds the whole part (the
     * random orders): the decoded blocks are pinned in one pass and released in one pass, the
     * others decoded (or waited for) one by one. Nothing is ever evicted from such a store, so the
     * pins held meanwhile cost no memory.
     *
     * @return the first key past the part's
     */
    private int gatherPinned(Source.Part part, long base, long partEnd, IntToLongFunction rowOf, int bits, long[] keys,
                             int from, int to, ByteBuffer dst, RowFormat f, int horizon) {
        int end = from;
        int count = 0;
        while (end < to && keys[end] >>> bits < partEnd) {
            long g = keys[end] >>> bits;
            if (count == pinBlocks.length) {
                pinBlocks = Arrays.copyOf(pinBlocks, 2 * count);
                pinBuffers = Arrays.copyOf(pinBuffers, 2 * count);
            }
            pinBlocks[count++] = (int) (g - base);
            while (end < to && keys[end] >>> bits == g) {
                end++;
            }
        }
        BlockCache cache = part.cache();
        Hdf5Array a = part.array();
        cache.batchPins().pinReady(pinBlocks, count, pinBuffers);
        try {
            int i = from;
            for (int j = 0; j < count; j++) {
                int blk = pinBlocks[j];
                long g = keys[i] >>> bits;
                if (pinBuffers[j] == null) {
                    try {
                        pinBuffers[j] = cache.acquire(blk, io, horizon);
                    } catch (CorruptDataException e) {
                        i = dropBlock(a, blk, e, keys, i, end, bits);
                        continue; // nothing pinned for this block
                    }
                }
                i = copyBlock(part, pinBuffers[j], blk, rowOf, keys, i, end, bits, dst, f);
            }
        } finally {
            // what was pinned is released, also after a failure (a skipped block was not pinned)
            int m = 0;
            for (int j = 0; j < count; j++) {
                if (pinBuffers[j] != null) {
                    pinBlocks[m++] = pinBlocks[j];
                }
            }
            cache.batchPins().releaseAll(pinBlocks, m);
            Arrays.fill(pinBuffers, 0, count, null);
        }
        return end;
    }

    /**
     * Reads rows of contiguous parts straight from the file, one positional read per run of
     * consecutive rows at consecutive positions: into the destination when rows are copied byte
     * for byte, else through scratch and converted.
     *
     * @param parts     the dataset's parts (every one {@link Hdf5Array#rowReadable()})
     * @param rowOf     logical row at position k
     * @param positions the positions to fill, in the order to read them, or null for
     *                  {@code 0 .. count-1}
     * @param count     how many positions
     * @param dst       destination; position k is written at {@code k * outRowBytes}
     * @param f         the row format
     */
    public void readRuns(Source.Part[] parts, IntToLongFunction rowOf, int[] positions, int count, ByteBuffer dst,
                         RowFormat f) {
        int i = 0;
        while (i < count) {
            int pi = Source.partOf(parts, rowOf.applyAsLong(pos(positions, i)));
            Source.Part part = parts[pi];
            Hdf5Array a = part.array();
            boolean identity = readsIntoDestination && f.identity(a);
            long partEnd = part.offset() + a.rows();
            int rowBytes = a.rowBytes();
            int piece = identity ? count : Math.max(1, SCRATCH_BYTES / Math.max(1, rowBytes));
            int used = 0;
            int runs = 0;
            while (i < count && used < piece) {
                int k0 = pos(positions, i);
                long r0 = rowOf.applyAsLong(k0);
                if (r0 < part.offset() || r0 >= partEnd) {
                    break;
                }
                int limit = (int) Math.min(count - i, Math.min(piece - used, partEnd - r0));
                int m = 1;
                while (m < limit && pos(positions, i + m) == k0 + m && rowOf.applyAsLong(k0 + m) == r0 + m) {
                    m++;
                }
                if (runs == runRows.length) {
                    runRows = Arrays.copyOf(runRows, 2 * runs);
                    runCounts = Arrays.copyOf(runCounts, 2 * runs);
                    runOffsets = Arrays.copyOf(runOffsets, 2 * runs);
                    runPositions = Arrays.copyOf(runPositions, 2 * runs);
                }
                runRows[runs] = r0 - part.offset();
                runCounts[runs] = m;
                runOffsets[runs] = identity ? k0 * f.outRowBytes() : used * rowBytes;
                runPositions[runs] = k0;
                runs++;
                used += m;
                i += m;
            }
            if (identity) {
                io.readRuns(a, runRows, runCounts, runOffsets, runs, dst);
            } else {
                ByteBuffer s = scratch(used * rowBytes, a.elementType());
                io.readRuns(a, runRows, runCounts, runOffsets, runs, s);
                for (int j = 0; j < runs; j++) {
                    RowFormat.convertRows(a, s, runOffsets[j], runCounts[j], runRows[j], dst, runPositions[j], f);
                }
            }
        }
    }

    private static int pos(int[] positions, int i) {
        return positions == null ? i : positions[i];
    }

    private ByteBuffer scratch(int bytes, ElementType stored) {
        if (scratch == null || scratch.capacity() < bytes) {
            if (scratch != null) {
                allocator.free(scratch);
            }
            scratch = allocator.allocate(Math.max(bytes, SCRATCH_BYTES));
        }
        return scratch.order(stored.byteOrder());
    }

}
