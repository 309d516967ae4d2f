package org.multitables4j.spark;

import org.deeplearning4j.core.loader.MultiDataSetLoader;
import org.nd4j.common.loader.Source;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * The {@link MultiDataSetLoader} that {@code SparkComputationGraph.fitPaths} calls on the
 * executors: reads the batch a name from {@link ShardedHdf5Data#batchNames} designates from the
 * executor's own iterator over that shard, as {@link ShardBatchLoader} does for DataSets.
 */
public final class ShardMultiBatchLoader implements MultiDataSetLoader {
    private static final long serialVersionUID = 1L;

    /** the data whose batches are read */
    private final ShardedMultiDataSet data;

    /** @param data the sharded data whose batches this loader reads */
    public ShardMultiBatchLoader(ShardedMultiDataSet data) {
        this.data = data;
    }

    /**
     * @param source a batch name, as {@code source.getPath()}
     * @return the batch, a detached copy
     */
    @Override
    public MultiDataSet load(Source source) {
        return (MultiDataSet) ShardCursors.next(data, BatchName.parse(source.getPath()));
    }
}
