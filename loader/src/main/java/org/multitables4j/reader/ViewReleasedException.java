package org.multitables4j.reader;

import org.multitables4j.MultitablesException;

/**
 * A {@link StagedArray} was used after {@link StagedArray#close()}: its stage may already hold
 * another request's rows. (The INDArray it handed out is revoked at the same time: ND4J refuses
 * any use of it with an {@code IllegalStateException}.)
 */
public class ViewReleasedException extends MultitablesException {
    private static final long serialVersionUID = 1L;

    /** @param message what was used after release, naming the request */
    public ViewReleasedException(String message) {
        super(message);
    }
}
