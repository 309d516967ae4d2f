package org.multitables4j.internal.workers;

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
import java.util.ArrayList;
import java.util.List;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.multitables4j.InvalidConfigurationException;
import org.multitables4j.SharedMemoryFullException;
import org.multitables4j.internal.ring.BufferAllocator;

/**
 * Memory shared with worker processes: one file (mode 0600, a unique name) in a shared-memory
 * directory such as {@code /dev/shm}, mapped by the parent in segments and by each child on
 * demand. Slots, decoded blocks and scratch buffers are slices of it; a child writes into the
 * slice the parent names by (segment, offset), and the parent's INDArrays see the rows without a
 * copy.
 *
 * <p>Every buffer's pages are reserved when it is allocated ({@link ShmReserve}): a directory
 * that is too small (Docker's 64 MB {@code /dev/shm}) fails the allocation with
 * {@link SharedMemoryFullException}, at build or when the memory grows, instead of killing a
 * process with SIGBUS at its first write. Segments themselves are mapped sparse.
 *
 * <p>The file is deleted and unmapped by {@link #close()}, by a shutdown hook if the JVM exits first, and,
 * when a crashed JVM left one behind, by the next arena created in the same directory (names
 * carry the owner's process id; files of processes no longer alive are removed, and so are the
 * control sockets of {@link ChildPool} such a process left there).
 */
public final class SharedArena implements BufferAllocator, AutoCloseable {
    /** Start of the names of arena and control-socket files, followed by the owner's pid and '-'. */
    static final String PREFIX = "multitables4j-";
    /** End of arena file names. */
    static final String SUFFIX = ".shm";
    /** End of the names of the control sockets bound next to arenas (see {@code ControlSocket}). */
    static final String SOCKET_SUFFIX = ".sock";
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
    private final List<MappedByteBuffer> mapped = new ArrayList<>();
    private long fileBytes;
    private long reservedBytes;
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
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, PREFIX + "*{" + SUFFIX + "," + SOCKET_SUFFIX + "}")) {
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

    /** @return false: a ring's slots are taken from the file when it is made, where a full directory is reported */
    @Override
    public boolean allocateOnFirstUse() {
        return false;
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
            reserve(start, size);
            seg = map(start, size);
        } else {
            if (current == null || currentUsed + size > segmentBytes) {
                currentStart = fileBytes;
                current = map(currentStart, segmentBytes);
                currentUsed = 0;
            }
            reserve(currentStart + currentUsed, size);
            seg = current;
            start = currentStart;
            at = currentUsed;
            currentUsed += size;
            ByteBuffer b = seg.slice(at, bytes).order(ByteOrder.nativeOrder());
            refs.put(b, new Ref(start, seg.capacity(), at));
            return b;
        }
        ByteBuffer b = seg.slice(0, bytes).order(ByteOrder.nativeOrder());
        refs.put(b, new Ref(start, seg.capacity(), 0));
        return b;
    }

    /**
     * Allocates the pages of {@code [offset, offset + bytes)} now, so that no process is killed
     * with SIGBUS when it writes there through a mapping (a tmpfs only allocates pages when they
     * are first touched, and a full one cannot).
     */
    private void reserve(long offset, long bytes) {
        long free = usableBytes();
        if (free >= 0 && free < bytes) {
            throw full(bytes, free, null);
        }
        try {
            ShmReserve.reserve(path, channel, offset, bytes);
        } catch (IOException e) {
            throw full(bytes, usableBytes(), e);
        }
        reservedBytes += bytes;
    }

    private SharedMemoryFullException full(long bytes, long free, IOException cause) {
        Path dir = path.toAbsolutePath().getParent();
        return new SharedMemoryFullException("the shared-memory directory " + dir + " cannot hold " + bytes
                + " more bytes for the worker processes (" + (free < 0 ? "free space unknown" : free + " bytes free")
                + ", " + reservedBytes + " bytes already reserved by this iterator" + (cause == null ? "" : ": " + cause.getMessage())
                + "); set sharedMemoryDir to a larger directory (Docker: --shm-size), or lower cacheBytes, prefetch or batchSize",
                dir, bytes, cause);
    }

    /** @return the bytes still free in the arena's file system, or -1 when unknown */
    public long usableBytes() {
        try {
            return Files.getFileStore(path.toAbsolutePath().getParent()).getUsableSpace();
        } catch (IOException | SecurityException e) {
            return -1;
        }
    }

    /** @return the bytes of this arena whose pages are allocated */
    public synchronized long reservedBytes() {
        return reservedBytes;
    }

    /**
     * Sizes a block cache to what the file system can hold: at most a third of its free space,
     * shared by {@code caches} caches (the rest stays for slots, scratch and other processes).
     *
     * @param wanted the cache budget asked for, bytes
     * @param caches how many caches share the memory
     * @return {@code wanted}, or less where the free space is smaller
     */
    public long fitCacheBytes(long wanted, int caches) {
        long free = usableBytes();
        if (free < 0) {
            return wanted;
        }
        return Math.max(0, Math.min(wanted, free / 3 / Math.max(1, caches)));
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
            // a read-write mapping past the end grows the file, sparse: pages are reserved per buffer
            MappedByteBuffer m = channel.map(FileChannel.MapMode.READ_WRITE, start, size);
            fileBytes = start + size;
            mapped.add(m);
            return m;
        } catch (IOException e) {
            throw full(size, usableBytes(), e);
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
     * Deletes the file and unmaps it, so that its memory is returned at once rather than at the
     * next garbage collection. Buffers from this arena, and the arrays and slot views over them,
     * are invalid afterwards: reading or writing them may crash the JVM. Call it only when no
     * thread uses them any more (the iterators and the Reader close their workers first).
     */
    @Override
    public void close() {
        List<MappedByteBuffer> maps;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            freeBySize.clear();
            refs.clear();
            current = null;
            maps = new ArrayList<>(mapped);
            mapped.clear();
        }
        deleteFile();
        try {
            channel.close();
        } catch (IOException ignored) {
            // the file is already unlinked
        }
        OPEN.remove(this);
        for (MappedByteBuffer m : maps) {
            Unmapper.unmap(m);
        }
    }
}
