package org.multitables4j;

import java.nio.file.Path;

/**
 * The part of the streaming iterators' options that says where the workers run: threads of
 * this JVM ({@link Backend#THREADS}, the default) or worker processes ({@link Backend#PROCESSES})
 * and their settings (shared-memory directory, JVM options, restarts, read timeout; all at once
 * with {@link #processOptions(ProcessOptions)}). The rest is in {@link StreamOptions}; setters
 * change the builder and return it.
 *
 * @param <B> the concrete builder type
 */
public abstract class BackendOptions<B extends BackendOptions<B>> extends RowOptions<B> {
    Backend backend = Backend.THREADS;
    ProcessOptions processes = ProcessOptions.defaults();

    BackendOptions() {
    }

    /**
     * @param backend {@link Backend#THREADS} (default) or {@link Backend#PROCESSES}: one child JVM
     *                per worker decoding into shared memory; the batches delivered are the same
     * @return this builder
     */
    public B backend(Backend backend) {
        if (backend == null) {
            throw new InvalidConfigurationException("backend must not be null");
        }
        this.backend = backend;
        return self();
    }

    /**
     * @param dir directory of the shared-memory file of {@link Backend#PROCESSES} (default
     *            {@code /dev/shm} when it is writable, else {@code java.io.tmpdir}); a memory-backed
     *            file system avoids disk writes
     * @return this builder
     */
    public B sharedMemoryDir(Path dir) {
        if (dir == null) {
            throw new InvalidConfigurationException("sharedMemoryDir must not be null");
        }
        this.processes = processes.withSharedMemoryDir(dir);
        return self();
    }

    /**
     * @param options extra options of the worker JVMs of {@link Backend#PROCESSES}, after the
     *                defaults ({@code -Xmx1g -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError}) so
     *                they win, e.g. {@code "-Xmx4g"} for very large chunks
     * @return this builder
     */
    public B workerJvmOptions(String... options) {
        for (String o : options) {
            if (o == null || o.isBlank()) {
                throw new InvalidConfigurationException("workerJvmOptions must not contain null or blank options");
            }
        }
        this.processes = processes.withJvmOptions(java.util.List.of(options));
        return self();
    }

    /**
     * @param attempts times a worker process may die in a row on the same read (each time it is
     *                 restarted and the read repeated) before the iterator fails naming the
     *                 cause; default 3
     * @return this builder
     */
    public B workerRestarts(int attempts) {
        if (attempts < 1) {
            throw new InvalidConfigurationException("workerRestarts must be at least 1, got " + attempts);
        }
        this.processes = processes.withRestarts(attempts);
        return self();
    }

    /**
     * @param timeout with {@code Backend.PROCESSES}: a worker process that does not answer a read
     *                within this time (alive but stopped or hung) is killed, restarted and the
     *                read repeated, counted like a death towards {@link #workerRestarts}; null
     *                (default) waits for as long as the child lives, and a hung child then blocks
     *                {@code next()} until {@code close()} from another thread
     * @return this builder
     */
    public B workerReadTimeout(java.time.Duration timeout) {
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new InvalidConfigurationException("workerReadTimeout must be positive, got " + timeout);
        }
        this.processes = processes.withReadTimeout(timeout);
        return self();
    }

    /**
     * @param options every setting of the worker processes at once (see {@link ProcessOptions});
     *                the same value the Reader takes
     * @return this builder
     */
    public B processOptions(ProcessOptions options) {
        if (options == null) {
            throw new InvalidConfigurationException("processOptions must not be null");
        }
        this.processes = options;
        return self();
    }
}
