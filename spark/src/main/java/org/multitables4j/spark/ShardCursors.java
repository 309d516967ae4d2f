package org.multitables4j.spark;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.multitables4j.InvalidConfigurationException;
import org.multitables4j.IteratorState;

/**
 * The shard iterators open in this JVM (an executor, or the driver in local mode), one per
 * (data, shard). A batch name that continues where the cursor stands is served by the open
 * iterator's next batch; any other (a new epoch, a task that Spark retried from its first batch,
 * a shard whose previous round ran on another executor) closes it and opens the shard at that
 * batch with {@code resumeFrom}, in O(1) batches. An iterator is closed after its shard's last
 * batch and at JVM exit.
 */
final class ShardCursors {
    private static final ConcurrentHashMap<String, Cursor> CURSORS = new ConcurrentHashMap<>();
    private static final AtomicLong OPENS = new AtomicLong();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ShardCursors::closeAll, "multitables4j-spark-cursors"));
    }

    private ShardCursors() {
    }

    /**
     * @param data the data the batch belongs to
     * @param name the batch
     * @return the batch, a detached copy
     */
    static Object next(ShardedHdf5Data data, BatchName name) {
        if (name.shards() != data.shards() || name.shard() < 0 || name.shard() >= data.shards()) {
            throw new InvalidConfigurationException("batch " + name + " does not belong to " + data.shards()
                    + " shards of " + data.source().describe());
        }
        Cursor c = CURSORS.computeIfAbsent(data.id() + "/" + name.shard(), k -> new Cursor());
        synchronized (c) {
            return c.next(data, name);
        }
    }

    /** @return shard iterators opened in this JVM so far (first opens and resumes) */
    static long opens() {
        return OPENS.get();
    }

    /** Closes every open shard iterator of this JVM. */
    static void closeAll() {
        for (Cursor c : CURSORS.values()) {
            synchronized (c) {
                c.closeStream();
            }
        }
    }

    /** Where one shard's iterator stands. */
    private static final class Cursor {
        private ShardStream stream;
        private long epoch = -1;
        private int nextBatch;
        private int batches;

        Object next(ShardedHdf5Data data, BatchName n) {
            if (stream == null || epoch != n.epoch() || nextBatch != n.batch()) {
                closeStream();
                open(data, n);
            }
            if (nextBatch >= batches) {
                throw new InvalidConfigurationException("batch " + n.batch() + " of shard " + n.shard() + " of "
                        + data.source().describe() + " does not exist: the shard has " + batches + " batches per epoch");
            }
            Object b = stream.next();
            nextBatch++;
            if (nextBatch == batches) {
                closeStream();
            }
            return b;
        }

        private void open(ShardedHdf5Data data, BatchName n) {
            ShardStream s = data.open(n.shard(), n.epoch(), null);
            OPENS.incrementAndGet();
            if (n.batch() > 0) {
                IteratorState start = s.state();
                s.close();
                s = data.open(n.shard(), n.epoch(),
                        new IteratorState(n.epoch(), n.batch(), start.seed(), start.rows(), start.optionsHash()));
            }
            stream = s;
            epoch = n.epoch();
            nextBatch = n.batch();
            batches = s.batchesPerEpoch();
        }

        void closeStream() {
            if (stream != null) {
                stream.close();
                stream = null;
            }
        }
    }
}
