package org.multitables4j.internal.hdf5;

import java.nio.ByteBuffer;

/**
 * The decoding side of one HDF5 filter (one entry of a dataset's filter pipeline): stored bytes
 * in, decoded bytes out. {@link BlockDecoder} runs a chunk's filters in reverse pipeline order;
 * the last stage that moves data writes straight into the destination (block or slot memory),
 * the earlier ones into the decoder's heap buffers. Instances are made per decoder (one per
 * worker thread) by the registry ({@code Codecs}) and may keep native state; not thread-safe.
 */
interface Hdf5Filter extends AutoCloseable {
    /** HDF5's deflate (zlib) filter. */
    int DEFLATE = 1;
    /** HDF5's byte shuffle filter. */
    int SHUFFLE = 2;
    /** HDF5's Fletcher-32 checksum filter. */
    int FLETCHER32 = 3;
    /** HDF5's szip filter. */
    int SZIP = 4;
    /** PyTables' LZO filter. */
    int LZO = 305;
    /** PyTables' bzip2 filter. */
    int BZIP2 = 307;
    /** h5py's LZF filter. */
    int LZF = 32000;
    /** The blosc filter. */
    int BLOSC = 32001;
    /** The HDF5 LZ4 filter. */
    int LZ4 = 32004;
    /** The bitshuffle filter. */
    int BITSHUFFLE = 32008;
    /** The zstd filter. */
    int ZSTD = 32015;

    /** @return the HDF5 filter id */
    int id();

    /**
     * Checks a dataset's client data for this filter when the dataset is opened.
     *
     * @param cd the client data as stored in the filter pipeline message
     * @return null when the options can be decoded, else what cannot (for the error message)
     */
    default String unsupported(int[] cd) {
        return null;
    }

    /**
     * @return true when {@link #decode} reads a direct {@code src} (the stored chunk as read from
     *     the file) itself; otherwise the decoder copies it to the heap first, so {@code src} is
     *     always backed by an array
     */
    default boolean readsDirect() {
        return false;
    }

    /**
     * @return true when the filter only checks its input and trims it (fletcher32): it is called
     *     with {@code dst == null} and returns the remaining length; the data stays where it is
     */
    default boolean verifiesOnly() {
        return false;
    }

    /**
     * Decodes one chunk's stage.
     *
     * @param src      input at [0, len): heap-backed, or direct when {@link #readsDirect()}
     * @param len      input length
     * @param dst      destination written at [0, returned length): a heap buffer of at least
     *                 {@code max(len, expected)} bytes, or the caller's destination (heap or direct) of at
     *                 least {@code expected} bytes; null when {@link #verifiesOnly()}
     * @param expected the decoded size of the chunk (an upper bound for every stage)
     * @param elemSize bytes of one element of the dataset
     * @param cd       this filter's client data as stored in the file (possibly empty)
     * @param scratch  the decoder's reusable heap buffers
     * @return the decoded length
     * @throws org.multitables4j.CorruptDataException when the input cannot be decoded
     */
    int decode(ByteBuffer src, int len, ByteBuffer dst, int expected, int elemSize, int[] cd, DecodeScratch scratch);

    /** Releases native state; the default holds none. */
    @Override
    default void close() {
    }
}
