package org.multitables4j.internal.workers;

import java.util.Arrays;
import java.util.function.IntToLongFunction;

/**
 * Sort keys that group a batch's or a request's positions by the block holding their rows:
 * {@code (global block << bits) | position}, where a dataset of several parts (files) numbers
 * its blocks part after part. {@link RowGather#gatherByBlock} walks keys made here; the Reader
 * cuts a request into pieces at block boundaries with them.
 */
public final class BlockKeys {
    private BlockKeys() {
    }

    /**
     * Sort keys grouping positions by block: {@code (global block << bits) | k}, sorted; the bits
     * are {@link #positionBits(int)}.
     *
     * @param parts the dataset's parts (logical rows)
     * @param rowOf logical row at position k
     * @param n     positions
     * @param keys  reused array, or null
     * @return the keys, at least n long, the first n sorted
     */
    public static long[] of(Source.Part[] parts, IntToLongFunction rowOf, int n, long[] keys) {
        if (keys == null || keys.length < n) {
            keys = new long[n];
        }
        int bits = positionBits(n);
        long[] bases = bases(parts);
        for (int k = 0; k < n; k++) {
            long r = rowOf.applyAsLong(k);
            int pi = Source.partOf(parts, r);
            Source.Part part = parts[pi];
            keys[k] = (bases[pi] + (r - part.offset()) / part.array().blockRows()) << bits | k;
        }
        long blocks = bases[parts.length - 1] + parts[parts.length - 1].array().blockCount();
        if (n > 64 && blocks <= 8L * n) {
            countingSort(keys, n, bits, (int) blocks);
        } else {
            Arrays.sort(keys, 0, n);
        }
        return keys;
    }

    /**
     * Sorts keys made with positions {@code 0 .. n-1} in order by their block, stably: the same
     * result as sorting them, in O(n + blocks) (a batch of a random order spans hundreds of blocks;
     * the comparison sort was a third of the workers' Java time).
     */
    private static void countingSort(long[] keys, int n, int bits, int blocks) {
        int[] start = new int[blocks + 1];
        for (int k = 0; k < n; k++) {
            start[(int) (keys[k] >>> bits) + 1]++;
        }
        for (int b = 0; b < blocks; b++) {
            start[b + 1] += start[b];
        }
        long[] sorted = new long[n];
        for (int k = 0; k < n; k++) {
            long key = keys[k];
            sorted[start[(int) (key >>> bits)]++] = key;
        }
        System.arraycopy(sorted, 0, keys, 0, n);
    }

    /**
     * @param n positions
     * @return the low bits of a key that hold the position
     */
    public static int positionBits(int n) {
        return 32 - Integer.numberOfLeadingZeros(Math.max(1, n));
    }

    /**
     * @param keys sorted keys
     * @param i    index of a key
     * @param n    positions
     * @return the global block of key {@code i}
     */
    public static long blockOf(long[] keys, int i, int n) {
        return keys[i] >>> positionBits(n);
    }

    /**
     * @param parts the dataset's parts
     * @return the global number of each part's first block
     */
    static long[] bases(Source.Part[] parts) {
        long[] bases = new long[parts.length];
        long base = 0;
        for (int i = 0; i < parts.length; i++) {
            bases[i] = base;
            base += parts[i].array().blockCount();
        }
        return bases;
    }
}
