package org.multitables4j.spark;

import org.deeplearning4j.core.loader.DataSetLoader;
import org.nd4j.common.loader.Source;
import org.nd4j.linalg.dataset.DataSet;

/**
 * The {@link DataSetLoader} that dl4j-spark's {@code fitPaths} calls on the executors: it reads
 * the batch that a name from {@link ShardedHdf5Data#batchNames} designates from the executor's
 * own iterator over that shard. Consecutive batches of a shard come from one open iterator;
 * only {@link Source#getPath()} is used, the source's stream is never opened.
 */
public final class ShardBatchLoader implements DataSetLoader {
    private static final long serialVersionUID = 1L;

    /** the data whose batches are read */
    private final ShardedDataSet data;

    /** @param data the sharded data whose batches this loader reads */
    public ShardBatchLoader(ShardedDataSet data) {
        this.data = data;
    }

    /**
     * @param source a batch name, as {@code source.getPath()}
     * @return the batch, a detached copy
     */
    @Override
    public DataSet load(Source source) {
        return (DataSet) ShardCursors.next(data, BatchName.parse(source.getPath()));
    }
}
