package org.multitables4j.spark;

import org.multitables4j.Hdf5DataSetIterator;
import org.multitables4j.InvalidConfigurationException;
import org.multitables4j.IteratorState;
import org.nd4j.linalg.dataset.api.DataSetPreProcessor;

/**
 * Sharded {@link Hdf5DataSetIterator} data for {@code SparkDl4jMultiLayer} or a single-input
 * {@code SparkComputationGraph}:
 *
 * <pre>{@code
 * ShardedDataSet data = ShardedDataSet.of(Hdf5Source.path("/data/fashion-mnist.h5"), 2,
 *         b -> b.features("/train/x").labels("/train/y").oneHot(10).featureShape(784)
 *               .batchSize(128).order(Order.SHUFFLED).seed(42))
 *     .withPreProcessor(new ImagePreProcessingScaler(0, 1));
 * }</pre>
 *
 * Each executor builds {@code options.apply(builder(file)).shard(i, shards).firstEpoch(e)
 * .workers(loaderWorkers).copyBatches(true)} for the shards it is given and hands the batches to
 * DL4J as detached copies (dl4j-spark prefetches them). Instances are immutable.
 */
public final class ShardedDataSet extends ShardedHdf5Data {
    private static final long serialVersionUID = 1L;

    /** configures each shard's builder */
    private final DataSetOptions options;
    /** applied on the loader threads, or null */
    private final DataSetPreProcessor preProcessor;

    private ShardedDataSet(Hdf5Source source, int shards, int loaderWorkers, DataSetOptions options,
            DataSetPreProcessor preProcessor) {
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
    public static ShardedDataSet of(Hdf5Source source, int shards, DataSetOptions options) {
        return new ShardedDataSet(source, shards, 1, options, null);
    }

    /**
     * @param threads loader worker threads per shard iterator (default 1: the executor's other
     *                cores train)
     * @return a copy with that many workers
     */
    public ShardedDataSet withLoaderWorkers(int threads) {
        return new ShardedDataSet(source(), shards(), threads, options, preProcessor);
    }

    /**
     * @param preProcessor applied to each batch on the loader's worker threads, e.g.
     *                     {@code ImagePreProcessingScaler} (serialised with the tasks)
     * @return a copy with that preprocessor
     */
    public ShardedDataSet withPreProcessor(DataSetPreProcessor preProcessor) {
        return new ShardedDataSet(source(), shards(), loaderWorkers(), options, preProcessor);
    }

    /**
     * Builds the iterator over one shard on this JVM, as the executors do (for evaluation or
     * checks outside Spark). The caller closes it.
     *
     * @param shard the shard
     * @param epoch the epoch
     * @return the iterator, delivering detached copies
     */
    public Hdf5DataSetIterator iterator(int shard, long epoch) {
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
    public Hdf5DataSetIterator iterator(int shard, long epoch, int firstBatch) {
        return build(shard, epoch, startAt(shard, epoch, firstBatch));
    }

    private Hdf5DataSetIterator build(int shard, long epoch, IteratorState resume) {
        Hdf5DataSetIterator.Builder b = options.apply(source().dataSetBuilder());
        Hdf5DataSetIterator it = shardBuilder(b, shard, epoch, resume).build();
        if (preProcessor != null) {
            it.setPreProcessor(preProcessor);
        }
        return it;
    }

    @Override
    ShardStream open(int shard, long epoch, IteratorState resume) {
        Hdf5DataSetIterator it = build(shard, epoch, resume);
        return ShardStream.of(it::hasNext, it::next, it.batchesPerEpoch(), it.batch(), it::state, it::close);
    }
}
