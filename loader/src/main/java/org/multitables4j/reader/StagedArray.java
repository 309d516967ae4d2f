package org.multitables4j.reader;

import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A zero-copy view of a stage holding a request's rows; valid until {@link #close()}. The view is
 * revocable: closing releases the stage for the next request and revokes the INDArray handed
 * out by {@link #array()} (and every view derived from it), so code that kept it fails loudly
 * (ND4J throws an {@code IllegalStateException} on any use) instead of seeing the rows of the
 * request that fills the stage next. {@link #array()} after close throws a
 * {@link ViewReleasedException}. Copy ({@code dup()}) what must outlive the view.
 */
public final class StagedArray implements AutoCloseable {
    private final Stage stage;
    private final INDArray array;
    private final DataBuffer buffer;
    private final Object what;
    private volatile boolean closed;

    StagedArray(Stage stage, INDArray array, DataBuffer buffer, Object what) {
        this.stage = stage;
        this.array = array;
        this.buffer = buffer;
        this.what = what;
    }

    /**
     * @return the rows, shaped as the request's {@link Request#shape()}
     * @throws ViewReleasedException after {@link #close()}
     */
    public INDArray array() {
        if (closed) {
            throw new ViewReleasedException("the staged rows of " + what + " were released (StagedArray.close()); "
                    + "dup() what must outlive the view");
        }
        return array;
    }

    /** @return true once {@link #close()} was called */
    public boolean isClosed() {
        return closed;
    }

    /** Revokes the view and releases the stage for the next request. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                buffer.close();
            } finally {
                stage.release();
            }
        }
    }

    /** Revokes the view without releasing the stage (the caller releases it). */
    void revoke() {
        if (!closed) {
            closed = true;
            buffer.close();
        }
    }
}
