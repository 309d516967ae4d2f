package org.multitables4j.datasets;

/** A conversion or write failed; the message names the file and, where known, the line or row. */
public class DatasetsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what went wrong */
    public DatasetsException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong
     * @param cause   the underlying failure
     */
    public DatasetsException(String message, Throwable cause) {
        super(message, cause);
    }
}
