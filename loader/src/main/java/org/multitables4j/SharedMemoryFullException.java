package org.multitables4j;

import java.nio.file.Path;

/**
 * The shared-memory directory of worker processes ({@code /dev/shm} by default; Docker gives
 * containers 64 MB there) has too little free space for the slots, block cache and scratch
 * buffers the worker processes share. The message names the directory, the bytes needed and the
 * bytes free; choose a larger directory with {@code sharedMemoryDir(...)} (or
 * {@code Hdf5Reader.ProcessOptions}), grow it ({@code docker run --shm-size=1g}), or ask for less
 * ({@code cacheBytes}, {@code prefetch}, {@code batchSize}). Raised when the space is reserved, at
 * {@code build()} or when the memory grows, never as a crash of a worker process.
 */
public class SharedMemoryFullException extends MultitablesException {
    private static final long serialVersionUID = 1L;

    private final transient Path directory;
    private final long bytesNeeded;

    /**
     * @param message     names the directory, the bytes needed and the option to change
     * @param directory   the shared-memory directory
     * @param bytesNeeded the bytes that could not be reserved
     * @param cause       the underlying failure, or null
     */
    public SharedMemoryFullException(String message, Path directory, long bytesNeeded, Throwable cause) {
        super(message, cause);
        this.directory = directory;
        this.bytesNeeded = bytesNeeded;
    }

    /**
     * @param message names the directory, the bytes needed and the option to change
     */
    public SharedMemoryFullException(String message) {
        this(message, null, -1, null);
    }

    /**
     * @param message names the directory, the bytes needed and the option to change
     * @param cause   the underlying failure
     */
    public SharedMemoryFullException(String message, Throwable cause) {
        this(message, null, -1, cause);
    }

    /** @return the shared-memory directory, or null when not known (rebuilt from a worker process) */
    public Path directory() {
        return directory;
    }

    /** @return the bytes that could not be reserved, or -1 when not known */
    public long bytesNeeded() {
        return bytesNeeded;
    }
}
