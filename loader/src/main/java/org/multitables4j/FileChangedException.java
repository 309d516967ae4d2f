package org.multitables4j;

/**
 * The HDF5 file an iterator or reader was built on is no longer the file at its path (it was
 * replaced, deleted or rewritten) and worker processes that start or open a dataset now cannot
 * reach the original. The message names the file; build a new iterator to read the new one.
 */
public class FileChangedException extends MultitablesException {
    private static final long serialVersionUID = 1L;

    /** @param message names the file and what changed */
    public FileChangedException(String message) {
        super(message);
    }

    /**
     * @param message names the file and what changed
     * @param cause   the underlying failure
     */
    public FileChangedException(String message, Throwable cause) {
        super(message, cause);
    }
}
