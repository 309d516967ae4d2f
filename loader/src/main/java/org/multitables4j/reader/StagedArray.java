package org.multitables4j.reader;

import org.nd4j.linalg.api.ndarray.INDArray;

/** A zero-copy view of a stage holding a request's rows; valid until {@link #close()}. */
public final class StagedArray implements AutoCloseable {
    private final Stage stage;
    private final INDArray array;
    private boolean closed;

    StagedArray(Stage stage, INDArray array) {
        this.stage = stage;
        this.array = array;
    }

    /** @return the rows, shaped {@code [rows, row shape...]}; do not use after {@link #close()} */
    public INDArray array() {
        if (closed) {
            throw new IllegalStateException("the staged array was released");
        }
        return array;
    }

    /** Releases the stage for the next request. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            stage.release();
        }
    }
}
