package org.multitables4j.internal.hdf5;

import java.nio.ByteBuffer;

/**
 * Per-thread scratch space for reading and decoding chunks: one {@link Hdf5Filter} per filter id
 * used (made on first use by {@link Codecs}; deflate, with libdeflate or a reused
 * {@code Inflater}, when the decoder is made), a direct buffer for raw chunk bytes and heap
 * buffers for the intermediate stages. One instance per worker thread; not thread-safe.
 *
 * <p>Filters are undone here rather than through jhdf's pipeline: jhdf allocates new arrays for
 * every chunk and stage, gets shuffle + fletcher32 without compression wrong, and refuses chunks
 * whose filter mask says a filter was skipped. The last stage that moves data writes straight
 * into the destination; deflate (and szip) read the stored chunk from direct memory.
 */
public final class BlockDecoder implements AutoCloseable {
    /** Filters made so far, by id; a pipeline has a handful, so a linear scan finds them. */
    private int[] filterIds = new int[0];
    private Hdf5Filter[] filters = new Hdf5Filter[0];
    private final DecodeScratch scratch = new DecodeScratch();
    private ByteBuffer raw = ByteBuffer.allocateDirect(0);
    private byte[] a = new byte[0];
    private byte[] b = new byte[0];
    private ByteBuffer chunk = ByteBuffer.allocate(0);
    private long decodedBytes;
    private long chunksDecoded;

    /** Creates scratch space; buffers grow on first use. Deflate uses libdeflate if it is available now. */
    public BlockDecoder() {
        filter(Codecs.DEFLATE);
    }

    ByteBuffer rawBuffer(int size) {
        if (raw.capacity() < size) {
            raw = ByteBuffer.allocateDirect(Math.max(size, raw.capacity() + raw.capacity() / 2));
        }
        raw.clear().limit(size);
        return raw;
    }

    ByteBuffer chunkBuffer(int size) {
        if (chunk.capacity() < size) {
            chunk = ByteBuffer.allocate(size);
        }
        return chunk;
    }

    private byte[] bufA(int size) {
        if (a.length < size) {
            a = new byte[size];
        }
        return a;
    }

    private byte[] bufB(int size) {
        if (b.length < size) {
            b = new byte[size];
        }
        return b;
    }

    private Hdf5Filter filter(int id) {
        for (int i = 0; i < filterIds.length; i++) {
            if (filterIds[i] == id) {
                return filters[i];
            }
        }
        Hdf5Filter f = Codecs.create(id);
        int n = filterIds.length;
        filterIds = java.util.Arrays.copyOf(filterIds, n + 1);
        filters = java.util.Arrays.copyOf(filters, n + 1);
        filterIds[n] = id;
        filters[n] = f;
        return f;
    }

    /** @return decoded bytes produced by this decoder so far */
    public long decodedBytes() {
        return decodedBytes;
    }

    /** @return chunks decoded by this decoder so far */
    public long chunksDecoded() {
        return chunksDecoded;
    }

    /**
     * Undoes a pipeline of filters that {@link Codecs#supports}.
     *
     * @param in         raw chunk bytes, positions [0, size), in direct memory
     * @param size       stored chunk size
     * @param ids        filter ids in pipeline (encoding) order
     * @param cd         client data of each filter as stored in the file
     * @param mask       bit i set: filter i was skipped for this chunk
     * @param elemSize   element size, for shuffle
     * @param out        destination, written at [0, expected)
     * @param expected   decoded chunk size
     */
    void decode(ByteBuffer in, int size, int[] ids, int[][] cd, int mask, int elemSize, ByteBuffer out, int expected) {
        chunksDecoded++;
        decodedBytes += expected;
        // the last stage that moves data writes straight into 'out' (no copy of the decoded chunk)
        int last = -1;
        for (int i = 0; i < ids.length; i++) {
            if ((mask & (1 << i)) == 0 && !filter(ids[i]).verifiesOnly()) {
                last = i;
                break;
            }
        }
        // current data: cur[0, len) = 'in' (direct), a heap buffer (heap != null) or 'out'
        ByteBuffer cur = in;
        byte[] heap = null;
        int len = size;
        for (int i = ids.length - 1; i >= 0; i--) {
            if ((mask & (1 << i)) != 0) {
                continue;
            }
            Hdf5Filter f = filter(ids[i]);
            if (f.verifiesOnly()) {
                len = f.decode(cur, len, null, expected, elemSize, cd[i], scratch);
                continue;
            }
            if (heap == null && !f.readsDirect()) {
                heap = bufA(len);
                in.get(0, heap, 0, len);
                cur = ByteBuffer.wrap(heap);
            }
            if (i == last) {
                len = f.decode(cur, len, out, expected, elemSize, cd[i], scratch);
                cur = out;
                heap = null;
            } else {
                int cap = Math.max(len, expected);
                byte[] dst = heap == a ? bufB(cap) : bufA(cap);
                len = f.decode(cur, len, ByteBuffer.wrap(dst), expected, elemSize, cd[i], scratch);
                heap = dst;
                cur = ByteBuffer.wrap(dst);
            }
        }
        if (len != expected) {
            throw new org.multitables4j.CorruptDataException("decoded to " + len + " bytes, " + expected + " expected");
        }
        if (cur != out) {
            out.put(0, cur, 0, len);
        }
    }

    /**
     * Reverses a byte shuffle of {@code len} bytes into {@code dst}, see
     * {@link ShuffleFilter#unshuffle(byte[], int, ByteBuffer, int, int, int)}.
     */
    static void unshuffle(byte[] src, int srcOff, ByteBuffer dst, int dstOff, int len, int elemSize) {
        ShuffleFilter.unshuffle(src, srcOff, dst, dstOff, len, elemSize);
    }

    /** Releases the filters' native memory. */
    @Override
    public void close() {
        for (Hdf5Filter f : filters) {
            f.close();
        }
    }
}
