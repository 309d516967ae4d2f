package org.multitables4j.workers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.multitables4j.InvalidConfigurationException;
import org.multitables4j.ring.BufferAllocator;

/**
 * Memory shared with worker processes: one file (mode 0600, a unique name) in a shared-memory
 * directory such as {@code /dev/shm}, mapped by the parent in segments and by each child on
 * demand. Slots, decoded blocks and scratch buffers are slices of it; a child writes into the
 * slice the parent names by (segment, offset), and the parent's INDArrays see the rows without a
 * copy.
 *
 * <p>The file is deleted by {@link #close()}, by a shutdown hook if the JVM exits first, and,
 * when a crashed JVM left one behind, by the next arena created in the same directory (names
 * carry the owner's process id; files of processes no longer alive are removed, and so are the
 * control sockets of {@link ChildPool} such a process left there).
 */
public final class SharedArena implements BufferAllocator, AutoCloseable {
    /** Start of the names of arena and control-socket files, followed by the owner's pid and '-'. */
    static final String PREFIX = "multitables4j-";
    /** End of arena file names. */
    static final String SUFFIX = ".shm";
    private static final Set<SharedArena> OPEN = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (SharedArena a : OPEN) {
                a.deleteFile();
            }
        }, "multitables4j-shm-cleanup"));
    }

    /** Where a buffer lies in the file: its segment and the offset inside it. */
    record Ref(long segmentStart, int segmentBytes, int offset) {
    }

    private final Path path;
    private final FileChannel channel;
    private final int segmentBytes;
    private final Map<Integer, ArrayDeque<ByteBuffer>> freeBySize = new HashMap<>();
    private final IdentityHashMap<ByteBuffer, Ref> refs = new IdentityHashMap<>();
    private long fileBytes;
    private MappedByteBuffer current;
    private long currentStart;
    private int currentUsed;
    private volatile boolean closed;

    private SharedArena(Path path, FileChannel channel, int segmentBytes) {
        this.path = path;
        this.channel = channel;
        this.segmentBytes = segmentBytes;
    }

    /**
     * Creates an empty arena file in {@code dir}, after deleting files that dead processes left
     * there.
     *
     * @param dir          the directory ({@code /dev/shm} or another memory-backed one)
     * @param segmentBytes bytes mapped at a time (a larger buffer gets a segment of its own)
     * @return the arena
     */
    public static SharedArena create(Path dir, int segmentBytes) {
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
            throw new InvalidConfigurationException("shared-memory directory " + dir + " is not a writable directory");
        }
        removeStale(dir);
        long pid = ProcessHandle.current().pid();
        for (int attempt = 0; ; attempt++) {
            Path p = dir.resolve(PREFIX + pid + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong()) + SUFFIX);
            try {
                Files.createFile(p, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                if (attempt < 8) {
                    continue;
                }
                throw new UncheckedIOException(e);
            } catch (UnsupportedOperationException e) {
                try {
                    Files.createFile(p);
                } catch (IOException io) {
                    throw new UncheckedIOException("cannot create " + p, io);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create " + p, e);
            }
            try {
                FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE);
                SharedArena a = new SharedArena(p, ch, segmentBytes);
                OPEN.add(a);
                return a;
            } catch (IOException e) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // nothing more to do
                }
                throw new UncheckedIOException("cannot open " + p, e);
            }
        }
    }

    /**
     * Deletes arena files and control-socket files ({@code multitables4j-<pid>-*.shm} and
     * {@code .sock}) in {@code dir} whose owning process is no longer alive.
     *
     * @param dir the directory
     * @return the number of files deleted
     */
    public static int removeStale(Path dir) {
        int n = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, PREFIX + "*{" + SUFFIX + "," + ControlSocket.SUFFIX + "}")) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                int dash = name.indexOf('-', PREFIX.length());
                if (dash < 0) {
                    continue;
                }
                long pid;
                try {
                    pid = Long.parseLong(name.substring(PREFIX.length(), dash));
                } catch (NumberFormatException e) {
                    continue;
                }
                if (ProcessHandle.of(pid).isEmpty()) {
                    try {
                        if (Files.deleteIfExists(p)) {
                            n++;
                        }
                    } catch (IOException ignored) {
                        // another process may own or remove it
                    }
                }
            }
        } catch (IOException ignored) {
            // an unreadable directory holds nothing to clean
        }
        return n;
    }

    /** @return the arena file */
    public Path path() {
        return path;
    }

    @Override
    public synchronized ByteBuffer allocate(int bytes) {
        if (closed) {
            throw new IllegalStateException("the shared memory " + path + " is closed");
        }
        ArrayDeque<ByteBuffer> q = freeBySize.get(bytes);
        if (q != null && !q.isEmpty()) {
            return q.poll().clear().order(ByteOrder.nativeOrder());
        }
        int size = (int) Math.min(Integer.MAX_VALUE, (bytes + 63L) & ~63L);
        MappedByteBuffer seg;
        long start;
        int at;
        if (size > segmentBytes) {
            start = fileBytes;
            seg = map(start, size);
            at = 0;
        } else {
            if (current == null || currentUsed + size > segmentBytes) {
                currentStart = fileBytes;
                current = map(currentStart, segmentBytes);
                currentUsed = 0;
            }
            seg = current;
            start = currentStart;
            at = currentUsed;
            currentUsed += size;
        }
        ByteBuffer b = seg.slice(at, bytes).order(ByteOrder.nativeOrder());
        refs.put(b, new Ref(start, seg.capacity(), at));
        return b;
    }

    @Override
    public synchronized void free(ByteBuffer buffer) {
        if (refs.containsKey(buffer)) {
            freeBySize.computeIfAbsent(buffer.capacity(), k -> new ArrayDeque<>()).push(buffer);
        }
    }

    /**
     * @param buffer a buffer returned by {@link #allocate} (the same object)
     * @return where it lies in the file
     */
    synchronized Ref ref(ByteBuffer buffer) {
        Ref r = refs.get(buffer);
        if (r == null) {
            throw new IllegalArgumentException("the buffer does not come from the shared memory " + path);
        }
        return r;
    }

    private MappedByteBuffer map(long start, int size) {
        try {
            long end = start + size;
            channel.write(ByteBuffer.wrap(new byte[1]), end - 1);
            fileBytes = end;
            return channel.map(FileChannel.MapMode.READ_WRITE, start, size);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot grow the shared memory " + path + " to " + (start + size) + " bytes", e);
        }
    }

    private void deleteFile() {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // the stale-file sweep of a later run removes it
        }
    }

    /**
     * Deletes the file. Mapped memory stays valid until the buffers are garbage-collected, so
     * arrays still referenced by the caller remain readable.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            freeBySize.clear();
        }
        deleteFile();
        try {
            channel.close();
        } catch (IOException ignored) {
            // the file is already unlinked
        }
        OPEN.remove(this);
    }
}
