package org.multitables4j.internal.workers;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Reserves the pages of a range of a shared-memory file before it is written through a mapping,
 * so that a full tmpfs fails the reservation with ENOSPC (an exception where the memory is
 * allocated) instead of killing whichever process first touches the page with SIGBUS.
 * {@code posix_fallocate} through the loader's JNI library where it is built and loaded; else
 * the range is written with zeros, which allocates the same pages.
 */
final class ShmReserve {
    private static final boolean NATIVE = loadNative();
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(1 << 16);

    private ShmReserve() {
    }

    private static boolean loadNative() {
        if (!Boolean.parseBoolean(System.getProperty("multitables4j.nativeFallocate", "true"))) {
            return false;
        }
        try {
            // its class initialisation loads the library (into this class loader) when it is there
            Class.forName("org.multitables4j.internal.hdf5.NativeCodecs", true, ShmReserve.class.getClassLoader());
            fallocate("/", 0, 0); // binds the method, or throws UnsatisfiedLinkError
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** @return whether reservations use posix_fallocate */
    static boolean isNative() {
        return NATIVE;
    }

    private static native int fallocate(String path, long offset, long len);

    /**
     * Reserves {@code [offset, offset + len)} of the file.
     *
     * @param path    the file
     * @param channel an open read-write channel of it (for the fallback)
     * @param offset  first byte
     * @param len     bytes
     * @throws IOException when the pages cannot be allocated (the message says why: ENOSPC is
     *                     "No space left on device")
     */
    static void reserve(Path path, FileChannel channel, long offset, long len) throws IOException {
        if (len <= 0) {
            return;
        }
        if (NATIVE) {
            int err = fallocate(path.toString(), offset, len);
            if (err == 0) {
                return;
            }
            if (err != 95 /* EOPNOTSUPP: a file system without fallocate */) {
                throw new IOException(describe(err) + " (errno " + err + ")");
            }
        }
        writeZeros(channel, offset, len);
    }

    /** The fallback: writing a page allocates it, and a full file system fails the write with ENOSPC. */
    static void writeZeros(FileChannel channel, long offset, long len) throws IOException {
        long at = offset;
        long end = offset + len;
        while (at < end) {
            ByteBuffer z = ZEROS.duplicate();
            z.limit((int) Math.min(z.capacity(), end - at));
            at += channel.write(z, at);
        }
    }

    private static String describe(int err) {
        return switch (err) {
            case 28 -> "No space left on device";
            case 27 -> "File too large";
            case 12 -> "Cannot allocate memory";
            case 5 -> "Input/output error";
            default -> "posix_fallocate failed";
        };
    }
}
