package org.multitables4j.internal.workers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;
import org.multitables4j.FileChangedException;
import org.multitables4j.MultitablesException;
import org.multitables4j.internal.hdf5.Hdf5File;

/**
 * What a path named when the parent opened it: device, inode, size and modification time. Worker
 * processes use it to read the very file the parent opened, even after the path was replaced by a
 * rename (an atomic refresh of a training file): a child looks for the parent's open descriptor
 * of that device and inode under {@code /proc/<parent pid>/fd} and opens it there
 * ({@link #locate}); the parent keeps the file open while the children live.
 *
 * @param dev           device number
 * @param ino           inode number
 * @param size          size in bytes
 * @param modifiedNanos last modification time, nanoseconds since the epoch
 */
public record FileIdentity(long dev, long ino, long size, long modifiedNanos) {
    private static final int OPEN_ATTEMPTS = 20;
    private static final Map<Hdf5File, FileIdentity> OPENED = Collections.synchronizedMap(new WeakHashMap<>());

    /**
     * @param path a file
     * @return its identity now, or null where the file system has no {@code unix} attribute view
     * @throws IOException when it cannot be read (it does not exist)
     */
    public static FileIdentity of(Path path) throws IOException {
        Map<String, Object> a;
        try {
            a = Files.readAttributes(path, "unix:dev,ino,size,lastModifiedTime");
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return null;
        }
        FileTime t = (FileTime) a.get("lastModifiedTime");
        return new FileIdentity(((Number) a.get("dev")).longValue(), ((Number) a.get("ino")).longValue(),
                ((Number) a.get("size")).longValue(), t.to(TimeUnit.NANOSECONDS));
    }

    /**
     * Opens an HDF5 file and records what was opened: the path's identity taken before and after
     * the open, repeated until both agree (a replacement during the open would otherwise go
     * unseen). Worker processes then read this file and no other.
     *
     * @param path the file
     * @return the open file
     */
    public static Hdf5File open(Path path) {
        for (int attempt = 1; ; attempt++) {
            FileIdentity before = quietly(path);
            Hdf5File f = Hdf5File.open(path);
            FileIdentity after = quietly(path);
            if (before == null || before.equals(after)) {
                if (before != null) {
                    OPENED.put(f, before);
                }
                return f;
            }
            f.close();
            if (attempt == OPEN_ATTEMPTS) {
                throw new FileChangedException(path + " changed during each of " + OPEN_ATTEMPTS
                        + " attempts to open it; it is being rewritten");
            }
        }
    }

    private static FileIdentity quietly(Path path) {
        try {
            return of(path);
        } catch (IOException e) {
            // Hdf5File.open says what is wrong with the path
            return null;
        }
    }

    /**
     * @param file a file opened by {@link #open}
     * @return the identity recorded when it was opened; for a file opened otherwise, its path's
     *         identity now (or null when there is none); null for a remote file
     */
    static FileIdentity opened(Hdf5File file) {
        if (file.isRemote()) {
            return null;
        }
        FileIdentity id = OPENED.get(file);
        if (id != null) {
            return id;
        }
        try {
            return of(file.path());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the attributes of " + file.path(), e);
        }
    }

    /** @return whether {@code other} is the same device and inode */
    boolean sameInode(FileIdentity other) {
        return other != null && dev == other.dev && ino == other.ino;
    }

    /**
     * Finds the file the parent opened: an entry of {@code /proc/<parentPid>/fd} leading to this
     * device and inode (opening such an entry opens the parent's file, even after its path was
     * replaced or deleted), else {@code path} if it still has this identity.
     *
     * @param path      the path the parent opened
     * @param parentPid the parent's process id
     * @return the path to open
     * @throws FileChangedException when the parent's descriptor is not found and {@code path}
     *                              now names another file or changed
     */
    Path locate(Path path, long parentPid) {
        Path fds = Path.of("/proc", Long.toString(parentPid), "fd");
        if (Files.isDirectory(fds)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(fds)) {
                for (Path fd : ds) {
                    FileIdentity id;
                    try {
                        id = of(fd);
                    } catch (IOException | SecurityException e) {
                        continue; // closed meanwhile, or not ours to see
                    }
                    if (sameInode(id)) {
                        return fd;
                    }
                }
            } catch (IOException | SecurityException e) {
                // fall back to the path
            }
        }
        FileIdentity now;
        try {
            now = of(path);
        } catch (NoSuchFileException e) {
            throw new FileChangedException(path + " was deleted since the iterator was built; build a new iterator");
        } catch (IOException e) {
            throw new MultitablesException("cannot read the attributes of " + path, e);
        }
        if (!equals(now)) {
            throw new FileChangedException(path + " changed since the iterator was built (" + describe() + ", now "
                    + (now == null ? "unknown" : now.describe()) + "); build a new iterator to read the new file");
        }
        return path;
    }

    private String describe() {
        return "inode " + dev + ":" + ino + ", " + size + " bytes, modified " + FileTime.from(modifiedNanos, TimeUnit.NANOSECONDS);
    }
}
