package org.multitables4j.spark;

import java.io.Serializable;
import java.util.List;

/**
 * How the data divides into shards, read once from the file by the executors
 * ({@link ShardedHdf5Data#layout}): the same for every epoch.
 *
 * @param batchSize        rows per batch
 * @param batchesPerShard  batches per epoch of each shard (all equal with {@code ShardMode.PAD} or {@code DROP})
 * @param rows             rows of the dataset
 */
public record ShardLayout(int batchSize, List<Integer> batchesPerShard, long rows) implements Serializable {
    /**
     * @param batchSize       rows per batch
     * @param batchesPerShard batches per epoch of each shard
     * @param rows            rows of the dataset
     */
    public ShardLayout {
        batchesPerShard = List.copyOf(batchesPerShard);
    }

    /** @return the number of shards */
    public int shards() {
        return batchesPerShard.size();
    }

    /** @return the largest number of batches of a shard */
    public int maxBatches() {
        return batchesPerShard.stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    /** @return batches per epoch over all shards */
    public long totalBatches() {
        return batchesPerShard.stream().mapToLong(Integer::longValue).sum();
    }
}
