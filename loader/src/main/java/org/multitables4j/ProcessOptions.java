package org.multitables4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Settings of the worker processes of {@link Backend#PROCESSES}, one value used by the streaming
 * iterators ({@code StreamOptions.processOptions}, or its {@code sharedMemoryDir},
 * {@code workerJvmOptions}, {@code workerRestarts} and {@code workerReadTimeout} setters) and by
 * the Reader ({@code Hdf5Reader.open(path, workers, cacheBytes, options)}).
 *
 * @param sharedMemoryDir where the shared-memory file (and control sockets) go; null:
 *                        {@code /dev/shm}, or {@code java.io.tmpdir} where that is missing
 * @param jvmOptions      extra options of the child JVMs, after the defaults
 *                        ({@code -Xmx1g -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError}), so they win
 * @param restarts        times a child may die in a row on one read before the read fails
 * @param readTimeout     a child not answering a read within this is killed and the read
 *                        repeated; null waits while the child lives
 */
public record ProcessOptions(Path sharedMemoryDir, List<String> jvmOptions, int restarts, Duration readTimeout) {
    /** Validates and copies. */
    public ProcessOptions {
        if (restarts < 1) {
            throw new InvalidConfigurationException("workerRestarts must be at least 1, got " + restarts);
        }
        if (readTimeout != null && (readTimeout.isNegative() || readTimeout.isZero())) {
            throw new InvalidConfigurationException("workerReadTimeout must be positive, got " + readTimeout);
        }
        if (jvmOptions == null) {
            jvmOptions = List.of();
        }
        for (String o : jvmOptions) {
            if (o == null || o.isBlank()) {
                throw new InvalidConfigurationException("workerJvmOptions must not contain null or blank options");
            }
        }
        jvmOptions = List.copyOf(jvmOptions);
    }

    /** @return the defaults: {@code /dev/shm}, no extra options, 3 restarts, no read timeout */
    public static ProcessOptions defaults() {
        return new ProcessOptions(null, List.of(), 3, null);
    }

    /**
     * @param dir the shared-memory directory
     * @return a copy with that directory
     */
    public ProcessOptions withSharedMemoryDir(Path dir) {
        if (dir == null) {
            throw new InvalidConfigurationException("sharedMemoryDir must not be null");
        }
        return new ProcessOptions(dir, jvmOptions, restarts, readTimeout);
    }

    /**
     * @param options extra JVM options of the children
     * @return a copy with those options
     */
    public ProcessOptions withJvmOptions(List<String> options) {
        return new ProcessOptions(sharedMemoryDir, options, restarts, readTimeout);
    }

    /**
     * @param attempts deaths in a row on one read before it fails
     * @return a copy with that count
     */
    public ProcessOptions withRestarts(int attempts) {
        return new ProcessOptions(sharedMemoryDir, jvmOptions, attempts, readTimeout);
    }

    /**
     * @param timeout the read timeout, or null for none
     * @return a copy with that timeout
     */
    public ProcessOptions withReadTimeout(Duration timeout) {
        return new ProcessOptions(sharedMemoryDir, jvmOptions, restarts, timeout);
    }

    /** @return the directory used: the one set, else {@code /dev/shm} when writable, else the temp dir */
    public Path effectiveSharedMemoryDir() {
        if (sharedMemoryDir != null) {
            return sharedMemoryDir;
        }
        Path shm = Path.of("/dev/shm");
        if (Files.isDirectory(shm) && Files.isWritable(shm)) {
            return shm;
        }
        return Path.of(System.getProperty("java.io.tmpdir"));
    }
}
