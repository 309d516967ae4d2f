package org.multitables4j;

/**
 * A remote file (HDFS, S3, any Hadoop {@code FileSystem}) could not be read: a DataNode or the
 * object store did not answer, the connection broke, the file vanished. Unlike
 * {@link CorruptDataException} the stored bytes may be fine; reading again later may succeed. The
 * message names the URI and the byte range.
 */
public class RemoteReadException extends MultitablesException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message names the URI and the byte range
     * @param cause   the storage's failure
     */
    public RemoteReadException(String message, Throwable cause) {
        super(message, cause);
    }
}
