package org.multitables4j.reader;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import org.multitables4j.IteratorClosedException;
import org.multitables4j.internal.hdf5.Hdf5Array;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Block-by-block work on a table's records on the reader's workers: each block of records is
 * taken from the table's chunk cache (decoded once, shared with every request), visited, and
 * released; no more than the blocks being visited is held. Gathers records into a
 * {@link RecordBatch} and runs per-block scans for queries.
 */
final class RecordGather {
    /** Work on one block: {@code records} holds rows {@code first ..} of {@code recordBytes} each. */
    interface BlockTask<T> {
        T run(int block, ByteBuffer records, long first);
    }

    private final Hdf5Table table;

    RecordGather(Hdf5Table table) {
        this.table = table;
    }

    /**
     * Runs {@code task} on each block, spread over the workers.
     *
     * @return the results, in the order of {@code blocks}
     */
    <T> CompletableFuture<List<T>> perBlock(int[] blocks, BlockTask<T> task) {
        Hdf5Reader reader = table.reader();
        String why = reader.lifecycle().closedWhy();
        if (why != null) {
            throw new IteratorClosedException(why);
        }
        Hdf5Dataset carrier = table.carrier();
        Hdf5Array a = carrier.array();
        @SuppressWarnings("unchecked")
        T[] out = (T[]) new Object[blocks.length];
        int workers = Math.max(1, reader.workers());
        int per = Math.max(1, (blocks.length + workers - 1) / workers);
        List<CompletableFuture<Void>> parts = new ArrayList<>();
        try {
            for (int i = 0; i < blocks.length; i += per) {
                int from = i;
                int to = Math.min(blocks.length, i + per);
                parts.add(CompletableFuture.runAsync(() -> {
                    for (int j = from; j < to; j++) {
                        java.nio.ByteBuffer b = carrier.store.acquire(blocks[j], reader.blockIo(), 0);
                        try {
                            out[j] = task.run(blocks[j], b, (long) blocks[j] * a.blockRows());
                        } finally {
                            carrier.store.release(blocks[j]);
                        }
                    }
                }, reader.workerPool()));
            }
        } catch (RejectedExecutionException e) {
            throw new IteratorClosedException(reader.lifecycle().closedWhy() != null ? reader.lifecycle().closedWhy()
                    : "the reader of '" + table.path() + "' is closed");
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(parts.toArray(new CompletableFuture[0]));
        reader.lifecycle().track(all);
        return all.thenApply(v -> Arrays.asList(out));
    }

    /** Reads the records at {@code rows} (any order, repeats allowed), keeping {@code fields}. */
    CompletableFuture<RecordBatch> gather(long[] rows, List<TableField> fields) {
        Hdf5Array a = table.carrier().array();
        int br = a.blockRows();
        int n = rows.length;
        long[] keys = new long[n];
        for (int k = 0; k < n; k++) {
            keys[k] = (rows[k] / br) << 32 | k;
        }
        Arrays.sort(keys);
        List<int[]> groups = new ArrayList<>();
        List<Integer> blockList = new ArrayList<>();
        int i = 0;
        while (i < n) {
            long blk = keys[i] >>> 32;
            int j = i;
            while (j < n && keys[j] >>> 32 == blk) {
                j++;
            }
            int[] g = new int[j - i];
            for (int k = i; k < j; k++) {
                g[k - i] = (int) keys[k];
            }
            groups.add(g);
            blockList.add((int) blk);
            i = j;
        }
        Object[] outs = new Object[fields.size()];
        for (int f = 0; f < outs.length; f++) {
            TableField tf = fields.get(f);
            outs[f] = tf.isString() ? new String[n]
                    : ByteBuffer.allocateDirect(Math.max(1, n * tf.elements() * tf.outType().width())).order(ByteOrder.nativeOrder());
        }
        int recordBytes = a.rowBytes();
        int[] blocks = blockList.stream().mapToInt(Integer::intValue).toArray();
        java.util.Map<Integer, int[]> byBlock = new java.util.HashMap<>();
        for (int b = 0; b < blocks.length; b++) {
            byBlock.put(blocks[b], groups.get(b));
        }
        return perBlock(blocks, (blk, buf, first) -> {
            for (int k : byBlock.get(blk)) {
                int rec = (int) (rows[k] - first) * recordBytes;
                for (int f = 0; f < outs.length; f++) {
                    TableField tf = fields.get(f);
                    if (tf.isString()) {
                        ((String[]) outs[f])[k] = tf.text(buf, rec);
                    } else {
                        tf.copy(buf, rec, (ByteBuffer) outs[f], k);
                    }
                }
            }
            return null;
        }).thenApply(v -> {
            LinkedHashMap<String, Object> cols = new LinkedHashMap<>();
            for (int f = 0; f < outs.length; f++) {
                TableField tf = fields.get(f);
                cols.put(tf.name(), tf.isString() ? outs[f] : array((ByteBuffer) outs[f], tf, n));
            }
            return new RecordBatch(n, cols, rows.clone());
        });
    }

    private static INDArray array(ByteBuffer b, TableField tf, int n) {
        long[] fs = tf.shape();
        long[] shape = new long[fs.length + 1];
        shape[0] = n;
        System.arraycopy(fs, 0, shape, 1, fs.length);
        if (n == 0) {
            return Nd4j.create(tf.outType(), shape);
        }
        DataBuffer data = Nd4j.createBuffer(b, tf.outType(), n * tf.elements());
        return Nd4j.create(data, shape);
    }
}
