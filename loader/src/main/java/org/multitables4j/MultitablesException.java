package org.multitables4j;

/**
 * Root of the unchecked exception hierarchy of multitables4j. Every exception names the file,
 * the dataset path and, where known, the chunk and the row range involved.
 */
public class MultitablesException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what went wrong, with file, dataset and chunk where known */
    public MultitablesException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong, with file, dataset and chunk where known
     * @param cause the underlying failure
     */
    public MultitablesException(String message, Throwable cause) {
        super(message, cause);
    }
}
