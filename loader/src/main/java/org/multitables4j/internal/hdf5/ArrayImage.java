package org.multitables4j.internal.hdf5;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A dataset's description as the parent parsed it — shape, element type, fill value, layout,
 * chunk table (address, stored size and filter mask of every chunk) and filter pipeline — as
 * bytes that a worker process turns back into an {@link Hdf5Array} over a file it opened with
 * {@link Hdf5File#openData}, i.e. without jhdf. A child then never parses the file's metadata:
 * it reads chunks with positional reads and decodes them with this library's own filters, which
 * saves it jhdf's class loading and a cold, interpreted metadata parse at its start.
 *
 * <p>Only local datasets whose filters are all this library's own ({@link Hdf5Array#ownDecodePath})
 * and whose chunk table has at most {@link #MAX_CHUNKS} entries have an image ({@link #of}
 * returns null otherwise: the child parses the file itself as before). The image describes the
 * file the parent opened; the child must open that very file (its descriptor, see the worker
 * processes' file identity), never whatever the path names now.
 */
public final class ArrayImage {
    /**
     * Largest chunk table sent as an image (16 bytes per chunk: 4 MiB); a larger one is parsed by
     * the child itself rather than written to every child's stdin.
     */
    public static final int MAX_CHUNKS = 1 << 18;
    private static final int VERSION = 1;
    private static final int CHUNKED = 0;
    private static final int CONTIGUOUS = 1;
    private static final int COMPACT = 2;

    private ArrayImage() {
    }

    /**
     * @param a a dataset the parent opened
     * @return its image, or null when a child must parse the file itself (a remote file, a filter
     *     decoded by jhdf's pipeline, a chunk table above {@link #MAX_CHUNKS})
     */
    public static byte[] of(Hdf5Array a) {
        StorageLayout s = a.storage();
        if (a.file().isRemote() || !a.ownDecodePath() || a.chunkCount() > MAX_CHUNKS
                || !(s instanceof ChunkedLayout || s instanceof ContiguousLayout || s instanceof CompactLayout)) {
            return null;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 + 16 * a.chunkCount());
        try (DataOutputStream o = new DataOutputStream(bytes)) {
            o.writeInt(VERSION);
            o.writeLong(a.file().baseAddress());
            o.writeUTF(a.path());
            DatasetGeometry g = s.g;
            writeLongs(o, g.shape());
            writeLongs(o, a.shape());
            ElementType t = a.elementType();
            o.writeByte(t.kind().ordinal());
            o.writeInt(t.size());
            o.writeBoolean(t.byteOrder() == ByteOrder.BIG_ENDIAN);
            o.writeInt(a.memberOffset());
            o.writeInt(g.storedSize());
            o.writeInt(g.rowBytes());
            writeBytes(o, g.fillElement());
            if (s instanceof ChunkedLayout c) {
                o.writeByte(CHUNKED);
                int[] dims = c.chunkShape();
                o.writeInt(dims.length);
                for (int d : dims) {
                    o.writeInt(d);
                }
                ChunkFilters f = c.filters();
                int[] ids = f.ids();
                o.writeInt(ids.length);
                for (int i = 0; i < ids.length; i++) {
                    o.writeInt(ids[i]);
                    o.writeUTF(f.name(i));
                    int[] cd = f.data(i);
                    o.writeInt(cd.length);
                    for (int v : cd) {
                        o.writeInt(v);
                    }
                }
                ChunkTable t2 = c.chunks();
                o.writeInt(t2.count());
                for (int i = 0; i < t2.count(); i++) {
                    o.writeLong(t2.address(i));
                    o.writeInt(t2.storedSize(i));
                    o.writeInt(t2.filterMask(i));
                }
            } else if (s instanceof ContiguousLayout) {
                o.writeByte(CONTIGUOUS);
                o.writeLong(s.contiguousAddress());
            } else {
                o.writeByte(COMPACT);
                ByteBuffer b = ((CompactLayout) s).stored();
                byte[] d = new byte[b.remaining()];
                b.get(d);
                writeBytes(o, d);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return bytes.toByteArray();
    }

    /**
     * @param image from {@link #of}
     * @return the HDF5 base address the parent read, for {@link Hdf5File#openData}
     */
    public static long baseAddress(byte[] image) {
        return ByteBuffer.wrap(image).getLong(4);
    }

    /**
     * Rebuilds the dataset over {@code file}.
     *
     * @param image from {@link #of}
     * @param file  the very file the parent opened, opened with {@link Hdf5File#openData}
     * @return the dataset, reading and decoding as the parent's would
     * @throws IllegalArgumentException when the image is malformed or of another version
     */
    public static Hdf5Array read(byte[] image, Hdf5File file) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(image))) {
            int version = in.readInt();
            if (version != VERSION) {
                throw new IllegalArgumentException("a dataset image of version " + version + ", " + VERSION + " expected");
            }
            long base = in.readLong();
            if (base != file.baseAddress()) {
                throw new IllegalArgumentException("the image's base address " + base + " differs from the file's "
                        + file.baseAddress());
            }
            String path = in.readUTF();
            long[] shape = readLongs(in);
            long[] logical = readLongs(in);
            ElementType.Kind kind = ElementType.Kind.values()[in.readUnsignedByte()];
            int size = in.readInt();
            ElementType type = new ElementType(kind, size, in.readBoolean() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
            int memberOffset = in.readInt();
            int storedSize = in.readInt();
            int rowBytes = in.readInt();
            byte[] fill = readBytes(in);
            DatasetGeometry g = new DatasetGeometry(file, path, shape, storedSize, rowBytes, fill);
            int layout = in.readUnsignedByte();
            StorageLayout storage;
            if (layout == CHUNKED) {
                int[] dims = new int[in.readInt()];
                for (int d = 0; d < dims.length; d++) {
                    dims[d] = in.readInt();
                }
                int nf = in.readInt();
                int[] ids = new int[nf];
                String[] names = new String[nf];
                int[][] data = new int[nf][];
                for (int i = 0; i < nf; i++) {
                    ids[i] = in.readInt();
                    names[i] = in.readUTF();
                    data[i] = new int[in.readInt()];
                    for (int k = 0; k < data[i].length; k++) {
                        data[i][k] = in.readInt();
                    }
                }
                int n = in.readInt();
                long[] address = new long[n];
                int[] sizes = new int[n];
                int[] mask = new int[n];
                for (int i = 0; i < n; i++) {
                    address[i] = in.readLong();
                    sizes[i] = in.readInt();
                    mask[i] = in.readInt();
                }
                storage = new ChunkedLayout(g, dims, new ChunkTable(g, dims, address, sizes, mask),
                        new ChunkFilters(g, ids, data, names));
            } else if (layout == CONTIGUOUS) {
                storage = new ContiguousLayout(g, in.readLong());
            } else if (layout == COMPACT) {
                storage = new CompactLayout(g, ByteBuffer.wrap(readBytes(in)));
            } else {
                throw new IllegalArgumentException("unknown layout " + layout + " in a dataset image");
            }
            if (in.available() != 0) {
                throw new IllegalArgumentException(in.available() + " bytes left after a dataset image");
            }
            return new Hdf5Array(file, path, shape, type, memberOffset, logical, g, storage);
        } catch (IOException | IndexOutOfBoundsException | NegativeArraySizeException e) {
            throw new IllegalArgumentException("a malformed dataset image: " + e, e);
        }
    }

    private static void writeLongs(DataOutputStream o, long[] v) throws IOException {
        o.writeInt(v.length);
        for (long x : v) {
            o.writeLong(x);
        }
    }

    private static long[] readLongs(DataInputStream in) throws IOException {
        long[] v = new long[in.readInt()];
        for (int i = 0; i < v.length; i++) {
            v[i] = in.readLong();
        }
        return v;
    }

    private static void writeBytes(DataOutputStream o, byte[] b) throws IOException {
        o.writeInt(b.length);
        o.write(b);
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return b;
    }
}
