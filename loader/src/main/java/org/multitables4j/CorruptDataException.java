package org.multitables4j;

/**
 * Stored data could not be read or decoded: an I/O error, a chunk that does not decompress, a
 * checksum mismatch, a chunk pointing past the end of the file, a class id out of range.
 * The message names the file, the dataset and the chunk or row range.
 */
public class CorruptDataException extends MultitablesException {
    private static final long serialVersionUID = 1L;

    /** @param message names the file, the dataset and the chunk or rows */
    public CorruptDataException(String message) {
        super(message);
    }

    /**
     * @param message names the file, the dataset and the chunk or rows
     * @param cause the underlying failure
     */
    public CorruptDataException(String message, Throwable cause) {
        super(message, cause);
    }
}
