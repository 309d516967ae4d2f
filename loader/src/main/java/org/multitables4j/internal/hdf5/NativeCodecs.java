package org.multitables4j.internal.hdf5;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * The hot paths of decoding in C, through a small JNI library built with the loader
 * (linux-x86_64; libdeflate linked in statically): whole-buffer zlib decompression by libdeflate
 * (2.3x the JDK's zlib on the benchmark's gzip chunks), a byte unshuffle that gcc vectorizes
 * (about 3x the Java loop), see DESIGN.md, and, when libaec's static libraries were present at
 * build time, szip decoding ({@link #szipAvailable()}). Where the library is not in the jar (built without gcc
 * or libdeflate's static library) or cannot be loaded, or with
 * {@code -Dmultitables4j.nativeDeflate=false}, {@link #available()} is false and
 * {@link BlockDecoder} uses {@code java.util.zip.Inflater} and its own unshuffle. An instance is a
 * libdeflate decompressor, one per decoder, not thread-safe; {@link #unshuffle} is static.
 */
final class NativeCodecs implements AutoCloseable {
    /** Where the build puts the library in the jar. */
    static final String RESOURCE = "/org/multitables4j/native/linux-x86_64/libmultitables4j-native.so";
    private static final String LOAD_ERROR;

    static {
        String err;
        try {
            err = load();
        } catch (LinkageError | RuntimeException | IOException e) {
            err = e.toString();
        }
        LOAD_ERROR = err;
    }

    /** Whether the loaded library has libaec's szip decoder. */
    private static final boolean SZIP = LOAD_ERROR == null && probeSzip();
    private static volatile boolean enabled = Boolean.parseBoolean(System.getProperty("multitables4j.nativeDeflate", "true"));
    private long handle;

    /** @return null when loaded, else why not */
    private static String load() throws IOException {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return "no native library for " + os + "/" + arch;
        }
        try (InputStream in = NativeCodecs.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                return "the loader was built without " + RESOURCE;
            }
            Path tmp = Files.createTempFile("multitables4j-native", ".so");
            try {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                System.load(tmp.toAbsolutePath().toString());
            } finally {
                Files.deleteIfExists(tmp); // a loaded library stays mapped
            }
        }
        return null;
    }

    /** @return whether decoders use libdeflate (loaded, and not switched off) */
    static boolean available() {
        return LOAD_ERROR == null && enabled;
    }

    /**
     * @return whether the native library is loaded with libaec's szip decoder (independent of
     *     {@link #setEnabled})
     */
    static boolean szipAvailable() {
        return SZIP;
    }

    /**
     * Decodes one szip stream with libaec's {@code SZ_BufftoBuffDecompress}.
     *
     * @param src    the stream at [srcOff, srcOff + srcLen): a direct buffer or a whole heap array
     * @param dst    destination written at [0, dstLen): direct or heap
     * @param dstLen the decoded size
     * @param mask   szip options mask, {@code bpp} bits per pixel, {@code ppb} pixels per block,
     *               {@code pps} pixels per scanline (HDF5's client data)
     * @return the decoded length, or a negative libaec error
     */
    static int szipDecode(ByteBuffer src, int srcOff, int srcLen, ByteBuffer dst, int dstLen, int mask, int bpp, int ppb,
                          int pps) {
        if (!SZIP) {
            throw new IllegalStateException("szip is not available");
        }
        if (srcOff < 0 || srcLen < 0 || srcOff + srcLen > src.capacity() || dstLen > dst.capacity()
                || (!src.isDirect() && (src.arrayOffset() != 0)) || (!dst.isDirect() && dst.arrayOffset() != 0)) {
            throw new IllegalArgumentException("bad buffers for szip");
        }
        return szip(src.isDirect() ? src : null, src.isDirect() ? null : src.array(), srcOff, srcLen,
                dst.isDirect() ? dst : null, dst.isDirect() ? null : dst.array(), dstLen, mask, bpp, ppb, pps);
    }

    /** @return why the native library is not used, or null when it is loaded */
    static String loadError() {
        return LOAD_ERROR;
    }

    /** Switches libdeflate on or off for decoders made from now on (tests compare both paths). */
    static void setEnabled(boolean on) {
        enabled = on;
    }

    private static boolean probeSzip() {
        try {
            return hasSzip();
        } catch (UnsatisfiedLinkError e) {
            return false;
        }
    }

    /** Allocates a decompressor; call only when {@link #available()}. */
    NativeCodecs() {
        handle = alloc();
        if (handle == 0) {
            throw new OutOfMemoryError("libdeflate_alloc_decompressor failed");
        }
    }

    /**
     * Decompresses one zlib stream.
     *
     * @param src      direct buffer holding the stream at [srcOff, srcOff + srcLen)
     * @param dst      destination, direct or heap; written at [0, expected)
     * @param expected the decoded size the chunk must have (at most)
     * @return the decoded length, or -1 for corrupt data, -3 when the stream holds more than
     *     {@code expected} bytes
     */
    int inflate(ByteBuffer src, int srcOff, int srcLen, ByteBuffer dst, int expected) {
        if (!src.isDirect() || srcOff < 0 || srcLen < 0 || srcOff + srcLen > src.capacity() || expected > dst.capacity()) {
            throw new IllegalArgumentException("bad buffers for inflate");
        }
        if (dst.isDirect()) {
            return zlibDirect(handle, src, srcOff, srcLen, dst, 0, expected);
        }
        return zlibToArray(handle, src, srcOff, srcLen, dst.array(), dst.arrayOffset(), expected);
    }

    /**
     * Unshuffles {@code n} elements of {@code elemSize} bytes from {@code src[srcOff...]} (byte j
     * of element i at {@code srcOff + j * n + i}) into {@code dst} at {@code dstOff}.
     */
    static void unshuffle(byte[] src, int srcOff, ByteBuffer dst, int dstOff, int n, int elemSize) {
        long bytes = (long) n * elemSize;
        if (srcOff < 0 || dstOff < 0 || srcOff + bytes > src.length || dstOff + bytes > dst.capacity()) {
            throw new IndexOutOfBoundsException("unshuffle of " + bytes + " bytes does not fit");
        }
        int r = dst.hasArray() ? unshuffle(src, srcOff, null, dst.array(), dst.arrayOffset() + dstOff, n, elemSize)
                : unshuffle(src, srcOff, dst, null, dstOff, n, elemSize);
        if (r != 0) {
            throw new IllegalStateException("native unshuffle failed (" + r + ")");
        }
    }

    /** Frees the decompressor. */
    @Override
    public void close() {
        if (handle != 0) {
            free(handle);
            handle = 0;
        }
    }

    private static native long alloc();

    private static native boolean hasSzip();

    private static native int szip(ByteBuffer src, byte[] srcArray, int srcOff, int srcLen, ByteBuffer dst, byte[] dstArray,
                                   int dstLen, int mask, int bpp, int ppb, int pps);

    private static native void free(long handle);

    private static native int zlibDirect(long handle, ByteBuffer src, int srcOff, int srcLen, ByteBuffer dst, int dstOff, int dstLen);

    private static native int unshuffle(byte[] src, int srcOff, ByteBuffer dst, byte[] dstArray, int dstOff, int n, int es);

    private static native int zlibToArray(long handle, ByteBuffer src, int srcOff, int srcLen, byte[] dst, int dstOff, int dstLen);
}
