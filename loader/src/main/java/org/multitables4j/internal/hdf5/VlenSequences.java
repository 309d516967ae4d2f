package org.multitables4j.internal.hdf5;

import io.jhdf.AbstractNode;
import io.jhdf.GlobalHeap;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Node;
import io.jhdf.api.dataset.ChunkedDataset;
import io.jhdf.object.datatype.DataType;
import io.jhdf.object.datatype.FixedPoint;
import io.jhdf.object.datatype.FloatingPoint;
import io.jhdf.object.datatype.VariableLength;
import io.jhdf.object.message.FilterPipelineMessage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.multitables4j.CorruptDataException;
import org.multitables4j.InvalidConfigurationException;
import org.multitables4j.UnsupportedHdf5Exception;

/**
 * A one-dimensional dataset of variable-length sequences of numbers (a PyTables
 * {@code VLArray}, an h5py {@code vlen} dataset): per row a descriptor (the sequence's length and
 * the global-heap object holding its elements), read here chunk by chunk (deflate, shuffle and
 * fletcher32 filters), and the elements read from the file's global heap. jhdf parses the
 * metadata and the heap collections. Thread-safe (reads are serialised).
 */
public final class VlenSequences implements AutoCloseable {
    private final Path file;
    private final String path;
    private final HdfFile hdf;
    private final Dataset ds;
    private final ElementType type;
    private final long rows;
    private final int descriptorBytes;
    private final int chunkRows;
    private final List<FilterPipelineMessage.FilterInfo> filters;
    private final Map<Long, GlobalHeap> heaps = new HashMap<>();
    private final Map<Long, ByteBuffer> chunks = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, ByteBuffer> e) {
            return size() > 8;
        }
    };
    private ByteBuffer whole;

    /**
     * Opens a dataset of variable-length sequences.
     *
     * @param file the HDF5 file
     * @param path the dataset's path
     * @return the dataset
     * @throws InvalidConfigurationException if there is no such dataset, or it does not hold
     *     variable-length sequences of one dimension
     * @throws UnsupportedHdf5Exception for an element type other than integers and floats, or an
     *     unsupported filter
     */
    public static VlenSequences open(Path file, String path) {
        HdfFile hdf = new HdfFile(file);
        try {
            return new VlenSequences(file, path, hdf);
        } catch (RuntimeException e) {
            hdf.close();
            throw e;
        }
    }

    private VlenSequences(Path file, String path, HdfFile hdf) {
        this.file = file;
        this.path = path;
        this.hdf = hdf;
        Node n;
        try {
            n = hdf.getByPath(path);
        } catch (RuntimeException e) {
            throw new InvalidConfigurationException("No dataset '" + path + "' in " + file, e);
        }
        if (!(n instanceof Dataset d) || !(d.getDataType() instanceof VariableLength vl) || vl.isVariableLengthString()) {
            throw new InvalidConfigurationException("'" + path + "' in " + file
                    + " is not a dataset of variable-length sequences (a VLArray)");
        }
        this.ds = d;
        long[] dims = d.getDimensionsAsLong();
        if (dims.length != 1) {
            throw new UnsupportedHdf5Exception("'" + path + "' in " + file + ": variable-length sequences in "
                    + dims.length + " dimensions (one is read)");
        }
        this.rows = dims[0];
        this.type = elementType(vl.getParent());
        this.descriptorBytes = vl.getSize();
        if (d instanceof ChunkedDataset cd) {
            this.chunkRows = cd.getChunkDimensions()[0];
            AbstractNode node = (AbstractNode) d;
            this.filters = node.getHeader().hasMessageOfType(FilterPipelineMessage.class)
                    ? node.getHeader().getMessageOfType(FilterPipelineMessage.class).getFilters() : List.of();
            for (FilterPipelineMessage.FilterInfo f : filters) {
                if (f.getId() < 1 || f.getId() > 3) {
                    throw new UnsupportedHdf5Exception("'" + path + "' in " + file + ": the filter " + f.getName() + " (id "
                            + f.getId() + "); deflate, shuffle and fletcher32 are read");
                }
            }
        } else {
            this.chunkRows = 0;
            this.filters = List.of();
        }
    }

    private ElementType elementType(DataType t) {
        if (t instanceof FloatingPoint fp && (fp.getSize() == 4 || fp.getSize() == 8)) {
            return new ElementType(ElementType.Kind.FLOAT, fp.getSize(), fp.getByteOrder());
        }
        if (t instanceof FixedPoint fx && (fx.getSize() == 1 || fx.getSize() == 2 || fx.getSize() == 4 || fx.getSize() == 8)) {
            return new ElementType(fx.isSigned() ? ElementType.Kind.INT : ElementType.Kind.UINT, fx.getSize(), fx.getByteOrder());
        }
        throw new UnsupportedHdf5Exception("'" + path + "' in " + file + ": sequences of " + t.getClass().getSimpleName()
                + " (integers and floats are read)");
    }

    /** @return the dataset's path */
    public String path() {
        return path;
    }

    /** @return rows (sequences) */
    public long rows() {
        return rows;
    }

    /** @return the elements' stored type */
    public ElementType elementType() {
        return type;
    }

    /**
     * The elements of one row.
     *
     * @param row the row, {@code 0 <= row < rows()}
     * @return the row's elements in their stored type and byte order (position 0), empty for an
     *     empty sequence
     */
    public synchronized ByteBuffer read(long row) {
        ByteBuffer d = descriptors(row);
        int at = (int) (chunkRows > 0 ? row % chunkRows : row) * descriptorBytes;
        d.order(ByteOrder.LITTLE_ENDIAN);
        long length = Integer.toUnsignedLong(d.getInt(at));
        if (length == 0) {
            return ByteBuffer.allocate(0).order(type.byteOrder());
        }
        int offsetBytes = descriptorBytes - 8;
        long address = offsetBytes == 8 ? d.getLong(at + 4) : Integer.toUnsignedLong(d.getInt(at + 4));
        int index = d.getInt(at + 4 + offsetBytes);
        GlobalHeap heap = heaps.computeIfAbsent(address, a -> new GlobalHeap(hdf.getHdfBackingStorage(), a));
        ByteBuffer data;
        try {
            data = heap.getObjectData(index);
        } catch (RuntimeException e) {
            throw new CorruptDataException("'" + path + "' in " + file + ": row " + row + " points to the missing heap object "
                    + index + " at " + address, e);
        }
        long bytes = length * type.size();
        if (data.remaining() < bytes) {
            throw new CorruptDataException("'" + path + "' in " + file + ": row " + row + " holds " + data.remaining()
                    + " bytes for " + length + " elements of " + type);
        }
        ByteBuffer out = data.slice();
        out.limit((int) bytes);
        return out.order(type.byteOrder());
    }

    private ByteBuffer descriptors(long row) {
        if (chunkRows == 0) {
            if (whole == null) {
                whole = ((io.jhdf.dataset.DatasetBase) ds).getDataBuffer();
            }
            return whole;
        }
        long first = row - row % chunkRows;
        ByteBuffer c = chunks.get(first);
        if (c == null) {
            c = decode(((ChunkedDataset) ds).getRawChunkBuffer(new int[] {(int) first}), first, skipped(first));
            chunks.put(first, c);
        }
        return c;
    }

    /** The chunk's filter mask: bit i set when filter i was not applied to it. */
    private java.util.BitSet skipped(long first) {
        try {
            java.lang.reflect.Method m = io.jhdf.dataset.chunked.ChunkedDatasetBase.class.getDeclaredMethod("getChunkLookup");
            m.setAccessible(true);
            Map<?, ?> lookup = (Map<?, ?>) m.invoke(ds);
            for (Object o : lookup.values()) {
                io.jhdf.dataset.chunked.Chunk c = (io.jhdf.dataset.chunked.Chunk) o;
                if (c.getChunkOffset()[0] == first) {
                    return c.getFilterMask();
                }
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new CorruptDataException("'" + path + "' in " + file + ": cannot read the chunk index: " + e, e);
        }
        return new java.util.BitSet();
    }

    private ByteBuffer decode(ByteBuffer raw, long first, java.util.BitSet skipped) {
        byte[] b = new byte[raw.remaining()];
        raw.duplicate().get(b);
        for (int i = filters.size() - 1; i >= 0; i--) {
            if (skipped.get(i)) {
                continue;
            }
            FilterPipelineMessage.FilterInfo f = filters.get(i);
            switch (f.getId()) {
                case 1 -> b = inflate(b, first);
                case 2 -> b = unshuffle(b, f.getData() != null && f.getData().length > 0 ? f.getData()[0] : descriptorBytes);
                default -> b = java.util.Arrays.copyOf(b, Math.max(0, b.length - 4)); // fletcher32: drop the checksum
            }
        }
        return ByteBuffer.wrap(b);
    }

    private byte[] inflate(byte[] in, long first) {
        Inflater inf = new Inflater();
        try {
            inf.setInput(in);
            byte[] out = new byte[Math.max(64, chunkRows * descriptorBytes)];
            int n = 0;
            while (!inf.finished()) {
                if (n == out.length) {
                    out = java.util.Arrays.copyOf(out, out.length * 2);
                }
                int k = inf.inflate(out, n, out.length - n);
                if (k == 0 && (inf.needsInput() || inf.needsDictionary())) {
                    break;
                }
                n += k;
            }
            return java.util.Arrays.copyOf(out, n);
        } catch (DataFormatException e) {
            throw new CorruptDataException("'" + path + "' in " + file + ": the chunk at row " + first + " does not inflate: "
                    + e.getMessage(), e);
        } finally {
            inf.end();
        }
    }

    private static byte[] unshuffle(byte[] in, int size) {
        if (size <= 1) {
            return in;
        }
        int n = in.length / size;
        byte[] out = in.clone();
        for (int j = 0; j < size; j++) {
            for (int i = 0; i < n; i++) {
                out[i * size + j] = in[j * n + i];
            }
        }
        return out;
    }

    /** Closes the file's metadata reader. */
    @Override
    public synchronized void close() {
        hdf.close();
    }
}
