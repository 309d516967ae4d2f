package org.multitables4j.reader;

import org.multitables4j.MultitablesException;

/**
 * No stage of a {@link StagePool} became free within the wait allowed (the pool's
 * {@link StagePool#setTimeout timeout}, or the one given to
 * {@link Hdf5Reader#request(Request, StagePool, long, java.util.concurrent.TimeUnit)} or
 * {@link RequestQueue#submit(Request, long, java.util.concurrent.TimeUnit)}): every stage was still
 * held by an earlier result. Release results ({@link Hdf5Future#get()},
 * {@link Hdf5Future#getDirect}, {@link StagedArray#close()}) before requesting more, or make the
 * pool larger.
 */
public class StageTimeoutException extends MultitablesException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what timed out, naming the pool and the wait
     */
    public StageTimeoutException(String message) {
        super(message);
    }
}
