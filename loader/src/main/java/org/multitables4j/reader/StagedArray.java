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
    /** An array over a data buffer of its own, revoked by closing that buffer. */
    record View(INDArray array, DataBuffer buffer) {
    }

    private final Stage stage;
    private final Request request;
    /** Made by the first {@link #array()}: a result that is only closed never builds an ND4J array. */
    private View view;
    private volatile boolean closed;

    StagedArray(Stage stage, Request request) {
        this.stage = stage;
        this.request = request;
    }

    /**
     * @return the rows, shaped as the request's {@link Request#shape()}
     * @throws ViewReleasedException after {@link #close()}
     */
    public synchronized INDArray array() {
        if (closed) {
            throw new ViewReleasedException("the staged rows of " + request + " were released (StagedArray.close()); "
                    + "dup() what must outlive the view");
        }
        View v = view;
        if (v == null) {
            v = stage.view(request);
            view = v;
        }
        return v.array();
    }

    /** @return true once {@link #close()} was called */
    public boolean isClosed() {
        return closed;
    }

    /** Revokes the view and releases the stage for the next request. Idempotent. */
    @Override
    public void close() {
        if (revokeView()) {
            stage.release();
        }
    }

    /** @return true when this call closed the view (and the caller releases the stage) */
    private synchronized boolean revokeView() {
        if (closed) {
            return false;
        }
        closed = true;
        View v = view;
        view = null;
        if (v != null) {
            v.buffer().close();
        }
        return true;
    }
}
