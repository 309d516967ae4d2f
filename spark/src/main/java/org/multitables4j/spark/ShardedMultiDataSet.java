package org.multitables4j.spark;

import org.multitables4j.Hdf5MultiDataSetIterator;
import org.multitables4j.InvalidConfigurationException;
import org.multitables4j.IteratorState;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;

/**
 * Sharded {@link Hdf5MultiDataSetIterator} data for a {@code SparkComputationGraph} with any
 * number of inputs and outputs:
 *
 * <pre>{@code
 * ShardedMultiDataSet data = ShardedMultiDataSet.of(Hdf5Source.path("/data/two-inputs.h5"), 2,
 *         b -> b.input("/a", 16).input("/b", 8).outputOneHot("/y", 3)
 *               .batchSize(64).order(Order.SHUFFLED).seed(7));
 * }</pre>
 *
 * Each executor builds {@code options.apply(builder(file)).shard(i, shards).firstEpoch(e)
 * .workers(loaderWorkers).copyBatches(true)} for the shards it is given and hands the batches to
 * DL4J as detached copies (dl4j-spark prefetches them). Instances are immutable.
 */
public final class ShardedMultiDataSet extends ShardedHdf5Data {
    private static final long serialVersionUID = 1L;

    /** configures each shard's builder */
    private final MultiDataSetOptions options;
    /** applied on the loader threads, or null */
    private final MultiDataSetPreProcessor preProcessor;

    private ShardedMultiDataSet(Hdf5Source source, int shards, int loaderWorkers, MultiDataSetOptions options,
            MultiDataSetPreProcessor preProcessor) {
        super(source, shards, loaderWorkers);
        if (options == null) {
            throw new InvalidConfigurationException("the iterator options must not be null (" + source + ")");
        }
        this.options = options;
        this.preProcessor = preProcessor;
    }

    /**
     * @param source  where the executors find the file
     * @param shards  the number of shards (one per concurrent training task)
     * @param options the iterator's datasets and options
     * @return the data, read with one loader worker per shard
     */
    public static ShardedMultiDataSet of(Hdf5Source source, int shards, MultiDataSetOptions options) {
        return new ShardedMultiDataSet(source, shards, 1, options, null);
    }

    /**
     * @param threads loader worker threads per shard iterator (default 1: the executor's other
     *                cores train)
     * @return a copy with that many workers
     */
    public ShardedMultiDataSet withLoaderWorkers(int threads) {
        return new ShardedMultiDataSet(source(), shards(), threads, options, preProcessor);
    }

    /**
     * @param preProcessor applied to each batch on the loader's worker threads, e.g.
     *                     {@code ImagePreProcessingScaler} (serialised with the tasks)
     * @return a copy with that preprocessor
     */
    public ShardedMultiDataSet withPreProcessor(MultiDataSetPreProcessor preProcessor) {
        return new ShardedMultiDataSet(source(), shards(), loaderWorkers(), options, preProcessor);
    }

    /**
     * Builds the iterator over one shard on this JVM, as the executors do (for evaluation or
     * checks outside Spark). The caller closes it.
     *
     * @param shard the shard
     * @param epoch the epoch
     * @return the iterator, delivering detached copies
     */
    public Hdf5MultiDataSetIterator iterator(int shard, long epoch) {
        return build(shard, epoch, null);
    }

    /**
     * As {@link #iterator(int, long)}, starting at batch {@code firstBatch} of the shard's epoch
     * (found in O(1) with {@code resumeFrom}).
     *
     * @param shard      the shard
     * @param epoch      the epoch
     * @param firstBatch the first batch delivered
     * @return the iterator, delivering detached copies
     */
    public Hdf5MultiDataSetIterator iterator(int shard, long epoch, int firstBatch) {
        return build(shard, epoch, startAt(shard, epoch, firstBatch));
    }

    private Hdf5MultiDataSetIterator build(int shard, long epoch, IteratorState resume) {
        Hdf5MultiDataSetIterator.Builder b = options.apply(source().multiDataSetBuilder());
        Hdf5MultiDataSetIterator it = shardBuilder(b, shard, epoch, resume).build();
        if (preProcessor != null) {
            it.setPreProcessor(preProcessor);
        }
        return it;
    }

    @Override
    ShardStream open(int shard, long epoch, IteratorState resume) {
        Hdf5MultiDataSetIterator it = build(shard, epoch, resume);
        return ShardStream.of(it::hasNext, it::next, it.batchesPerEpoch(), it.batch(), it::state, it::close);
    }
}
