package org.multitables4j.reader;

import org.multitables4j.InvalidConfigurationException;

/**
 * An index, range, step or mask of a request does not fit the dataset: a row or an inner index
 * past the end (or before the start, after counting negative indices from the end), an empty
 * range, a step below 1, a mask of the wrong length, a dimension the dataset does not have. The
 * message names the dataset, the dimension and its size. numpy and PyTables raise
 * {@code IndexError} for the same requests.
 */
public class IndexOutOfRangeException extends InvalidConfigurationException {
    private static final long serialVersionUID = 1L;

    /** @param message what does not fit, naming the dataset and the dimension */
    public IndexOutOfRangeException(String message) {
        super(message);
    }
}
