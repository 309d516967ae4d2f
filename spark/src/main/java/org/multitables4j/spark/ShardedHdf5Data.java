package org.multitables4j.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.multitables4j.InvalidConfigurationException;
import org.multitables4j.IteratorState;
import org.multitables4j.StreamOptions;

/**
 * An HDF5 file read as {@code shards} shards by Spark tasks: shard {@code i} is what the
 * loader's {@code shard(i, shards)} delivers, so the shards are disjoint, cover the dataset and
 * follow the epoch's order, which depends on the seed and the epoch only (not on the number of
 * shards). Only this small description and batch names travel through Spark; each executor
 * opens the file and streams its shard's batches with its own loader workers.
 *
 * <p>Batches are named by {@link #batchNames}, one RDD partition per shard, and turned into data
 * on the executor by {@link ShardBatchLoader} or {@link ShardMultiBatchLoader},
 * which dl4j-spark's {@code fitPaths} calls. {@link ShardedTraining} does both per epoch.
 */
public abstract sealed class ShardedHdf5Data implements Serializable permits ShardedDataSet, ShardedMultiDataSet {
    private static final long serialVersionUID = 1L;

    /** where executors find the file */
    private final Hdf5Source source;
    /** the number of shards */
    private final int shards;
    /** loader threads per shard iterator */
    private final int loaderWorkers;
    /** identifies the data in the executors' cursors */
    private final String id = UUID.randomUUID().toString();

    ShardedHdf5Data(Hdf5Source source, int shards, int loaderWorkers) {
        if (source == null) {
            throw new InvalidConfigurationException("the HDF5 source must not be null");
        }
        if (shards < 1) {
            throw new InvalidConfigurationException("shards must be at least 1, got " + shards + " (" + source + ")");
        }
        if (loaderWorkers < 1) {
            throw new InvalidConfigurationException("loaderWorkers must be at least 1, got " + loaderWorkers
                    + " (" + source + ")");
        }
        this.source = source;
        this.shards = shards;
        this.loaderWorkers = loaderWorkers;
    }

    /** @return where the executors find the file */
    public Hdf5Source source() {
        return source;
    }

    /** @return the number of shards: one per concurrent training task (Spark task slot) */
    public int shards() {
        return shards;
    }

    /** @return loader worker threads of each shard's iterator on its executor */
    public int loaderWorkers() {
        return loaderWorkers;
    }

    /** @return identifies this data (and its options) in the executors' open-iterator cache */
    String id() {
        return id;
    }

    /**
     * Opens a shard on this JVM.
     *
     * @param shard  the shard
     * @param epoch  the epoch
     * @param resume where to continue, or null for the epoch's start
     * @return the open shard
     */
    abstract ShardStream open(int shard, long epoch, IteratorState resume);

    /**
     * Sets what the executors set on every shard's builder, after the user's options: the shard,
     * the epoch, the worker count, detached copies and the resume point.
     *
     * @param configured the builder the user's options returned
     * @param shard      the shard
     * @param epoch      the epoch
     * @param resume     where to continue, or null for the epoch's start
     * @param <B>        the builder type
     * @return the builder, ready to build
     */
    final <B extends StreamOptions<B>> B shardBuilder(B configured, int shard, long epoch, IteratorState resume) {
        if (configured == null) {
            throw new InvalidConfigurationException("the iterator options returned no builder (" + source + ")");
        }
        configured.shard(shard, shards).firstEpoch(epoch).workers(loaderWorkers).copyBatches(true);
        if (resume != null) {
            configured.resumeFrom(resume);
        }
        return configured;
    }

    /**
     * The position of batch {@code firstBatch} of a shard's epoch, for {@code resumeFrom}.
     *
     * @param shard      the shard
     * @param epoch      the epoch
     * @param firstBatch the first batch to deliver
     * @return the state, or null for the epoch's start
     */
    final IteratorState startAt(int shard, long epoch, int firstBatch) {
        if (firstBatch == 0) {
            return null;
        }
        IteratorState start;
        try (ShardStream s = open(shard, epoch, null)) {
            start = s.state();
        }
        return new IteratorState(epoch, firstBatch, start.seed(), start.rows(), start.optionsHash());
    }

    /**
     * Reads the layout on the executors (one small task per shard: the driver need not see the
     * file). Build options that the file rejects fail here, with the loader's exception.
     *
     * @param sc the Spark context
     * @return batch size and batches per shard
     */
    public ShardLayout layout(JavaSparkContext sc) {
        List<Integer> ids = IntStream.range(0, shards).boxed().toList();
        List<long[]> parts = sc.parallelize(ids, shards).map(i -> {
            try (ShardStream s = open(i, 0, null)) {
                return new long[] {s.batchesPerEpoch(), s.batchSize(), s.state().rows()};
            }
        }).collect();
        List<Integer> batches = new ArrayList<>();
        for (long[] p : parts) {
            batches.add((int) p[0]);
        }
        return new ShardLayout((int) parts.get(0)[1], batches, parts.get(0)[2]);
    }

    /**
     * Names batches {@code [fromBatch, toBatch)} of every shard in an epoch (clipped to each
     * shard's batch count), as an RDD with one partition per shard holding that shard's batches
     * in order. Pass it to {@code fitPaths} with this data's loader and a training master that
     * does not repartition.
     *
     * @param sc        the Spark context
     * @param layout    from {@link #layout}
     * @param epoch     the epoch
     * @param fromBatch first batch of each shard
     * @param toBatch   end of the range (exclusive)
     * @return the batch names, partition {@code i} = shard {@code i}
     */
    public JavaRDD<String> batchNames(JavaSparkContext sc, ShardLayout layout, long epoch, int fromBatch, int toBatch) {
        if (layout.shards() != shards) {
            throw new InvalidConfigurationException("the layout has " + layout.shards() + " shards, the data "
                    + shards + " (" + source + ")");
        }
        if (epoch < 0 || fromBatch < 0 || toBatch < fromBatch) {
            throw new InvalidConfigurationException("invalid batch range: epoch " + epoch + ", batches ["
                    + fromBatch + ", " + toBatch + ") of " + source);
        }
        List<List<String>> perShard = new ArrayList<>();
        for (int s = 0; s < shards; s++) {
            List<String> names = new ArrayList<>();
            int end = Math.min(toBatch, layout.batchesPerShard().get(s));
            for (int b = fromBatch; b < end; b++) {
                names.add(new BatchName(s, shards, epoch, b).format(source));
            }
            perShard.add(names);
        }
        // one element per slice, so element i lands in partition i; flatMap keeps the partitioning
        return sc.parallelize(perShard, shards).flatMap(List::iterator);
    }

    /**
     * @param sc     the Spark context
     * @param layout from {@link #layout}
     * @param epoch  the epoch
     * @return every batch of the epoch, one partition per shard
     */
    public JavaRDD<String> batchNames(JavaSparkContext sc, ShardLayout layout, long epoch) {
        return batchNames(sc, layout, epoch, 0, layout.maxBatches());
    }
}
