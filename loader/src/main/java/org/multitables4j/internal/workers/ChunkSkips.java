package org.multitables4j.internal.workers;

import java.nio.ByteBuffer;
import java.util.BitSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.multitables4j.CorruptDataException;
import org.multitables4j.internal.hdf5.Hdf5Array;
import org.multitables4j.internal.ring.Slot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leaving the rows of undecodable chunks out of their batches ({@code onCorruptChunk(SKIP)}): the
 * gather marks the positions of a batch whose block failed to decode ({@link Batch#drop}), and
 * once every array of the batch is filled the kept rows are moved together ({@link Batch#compact})
 * in every array, so features and labels stay aligned. Counts chunks (once per epoch) and rows,
 * and logs each chunk once.
 */
public final class ChunkSkips {
    private static final Logger LOG = LoggerFactory.getLogger("org.multitables4j.CorruptChunks");

    private record Key(Hdf5Array array, int block) {
    }

    private final Set<Key> logged = ConcurrentHashMap.newKeySet();
    private final Set<Key> thisEpoch = ConcurrentHashMap.newKeySet();
    private final AtomicLong chunks = new AtomicLong();
    private final AtomicLong rows = new AtomicLong();

    /** A new epoch: chunks are counted again. */
    void startEpoch() {
        thisEpoch.clear();
    }

    /** @return chunks skipped, each once per epoch */
    public long chunks() {
        return chunks.get();
    }

    /** @return rows left out of batches */
    public long rows() {
        return rows.get();
    }

    private void skipped(Hdf5Array a, int block, CorruptDataException e) {
        Key k = new Key(a, block);
        if (thisEpoch.add(k)) {
            chunks.incrementAndGet();
        }
        if (logged.add(k)) {
            long first = (long) block * a.blockRows();
            LOG.warn("Skipping chunk row {} (rows {} to {}) of dataset '{}' in {}: it cannot be decoded ({})", block,
                    first, first + a.rowsInBlock(block) - 1, a.path(), a.file().path(), e.getMessage());
        }
    }

    /** @return the positions of one batch to leave out, for one worker */
    Batch batch() {
        return new Batch();
    }

    /** The positions of the batch a worker is filling that come from undecodable chunks. */
    final class Batch {
        private final BitSet dropped = new BitSet();

        /** Starts a batch. */
        void reset() {
            dropped.clear();
        }

        /**
         * Positions {@code k .. k + m - 1} hold rows of block {@code block}, which cannot be decoded.
         *
         * @param a     the dataset (part)
         * @param block its block
         * @param e     the decode failure
         * @param k     first position
         * @param m     positions
         */
        void drop(Hdf5Array a, int block, CorruptDataException e, int k, int m) {
            skipped(a, block, e);
            dropped.set(k, k + m);
        }

        /** Like {@link #drop(Hdf5Array, int, CorruptDataException, int, int)} for one position. */
        void drop(Hdf5Array a, int block, CorruptDataException e, int k) {
            drop(a, block, e, k, 1);
        }

        /** @return true when a position was dropped */
        boolean any() {
            return !dropped.isEmpty();
        }

        /**
         * Moves the kept rows of every array of the slot to the front, in order.
         *
         * @param s the filled slot
         * @param n rows the batch was filled with
         * @return the dropped positions, ascending
         */
        int[] compact(Slot s, int n) {
            int[] gone = dropped.stream().filter(k -> k < n).toArray();
            for (int i = 0; i < s.arrays(); i++) {
                ByteBuffer m = s.array(i).memory();
                int rb = (int) s.array(i).spec().rowBytes();
                int w = 0;
                for (int k = 0; k < n; k++) {
                    if (!dropped.get(k)) {
                        if (w != k) {
                            m.put(w * rb, m, k * rb, rb); // w < k: the rows never overlap
                        }
                        w++;
                    }
                }
            }
            rows.addAndGet(gone.length);
            return gone;
        }
    }
}
