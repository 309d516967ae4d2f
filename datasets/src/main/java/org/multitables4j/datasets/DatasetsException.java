package org.multitables4j.datasets;

/**
 * A conversion, write or inspection failed. The message is one line that names the file and,
 * where known, the dataset, line or row range.
 */
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
