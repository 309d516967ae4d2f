package org.multitables4j.internal.hdf5;

import io.jhdf.AbstractNode;
import io.jhdf.api.Dataset;
import io.jhdf.dataset.DatasetBase;
import io.jhdf.object.datatype.CompoundDataType;
import io.jhdf.object.message.DataLayout;
import io.jhdf.object.message.FillValueMessage;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.multitables4j.CorruptDataException;
import org.multitables4j.InvalidConfigurationException;
import org.multitables4j.UnsupportedHdf5Exception;

/**
 * One numeric HDF5 dataset seen as rows: the outermost dimension indexes rows, the remaining
 * dimensions form the row shape. Rows are read in <em>blocks</em>: for a chunked dataset a block
 * is one row of the chunk grid (all chunks that share the same first-dimension offset); for a
 * contiguous dataset a block is a run of rows of about 1 MiB; a compact dataset is one block.
 * How blocks are read is the business of the dataset's {@link StorageLayout}.
 *
 * <p>A block is delivered as raw stored bytes (stored element type and byte order), row-major,
 * into a caller-supplied buffer: {@link #readBlock(int, BlockDecoder, ByteBuffer)}. Instances are
 * immutable and safe to share between threads; per-thread scratch lives in {@link BlockDecoder}.
 */
public final class Hdf5Array {
    static final int FILTER_DEFLATE = Codecs.DEFLATE;
    static final int FILTER_SHUFFLE = Codecs.SHUFFLE;
    static final int FILTER_FLETCHER32 = Codecs.FLETCHER32;

    private final Hdf5File file;
    private final String path;
    private final long[] shape;
    private final ElementType type;
    private final long rowElements;
    private final int memberOffset;
    private final long[] logicalShape;
    private final int rowBytes;
    private final byte[] fillElement;
    private final StorageLayout storage;

    Hdf5Array(Hdf5File file, Dataset ds) {
        this(file, ds, null);
    }

    /**
     * @param member a column (member) of a compound dataset, or null for a numeric dataset
     */
    Hdf5Array(Hdf5File file, Dataset ds, String member) {
        this.file = file;
        this.path = member == null ? ds.getPath() : ds.getPath() + "#" + member;
        if (ds.isVariableLength()) {
            throw unsupported("a variable-length type");
        }
        if (ds.isScalar() || ds.getDimensionsAsLong().length == 0) {
            throw unsupported("a scalar; datasets with at least one dimension (rows) are needed");
        }
        this.shape = ds.getDimensionsAsLong().clone();
        int storedSize = ds.getDataType().getSize();
        long[] memberShape = new long[0];
        if (ds.getDataType() instanceof CompoundDataType ct) {
            List<String> names = ct.getMembers().stream().map(CompoundDataType.CompoundDataMember::getName).toList();
            if (member == null) {
                throw unsupported("a compound (table) type with the columns " + names + "; select columns (features(path, column))");
            }
            if (shape.length != 1) {
                throw unsupported("a compound type in " + shape.length + " dimensions (tables of one dimension are read)");
            }
            ColumnResolver.Leaf leaf = new ColumnResolver(String.valueOf(file.path()), path).resolve(ct, member, ds.getPath());
            this.type = ElementTypes.of(leaf.type(), this::unsupported);
            this.memberOffset = leaf.offset();
            memberShape = leaf.dims();
            long leafBytes = type.size();
            for (long d : memberShape) {
                leafBytes = Math.multiplyExact(leafBytes, d);
            }
            if (memberOffset < 0 || memberOffset + leafBytes > storedSize) {
                throw new CorruptDataException("Dataset '" + path + "' in " + file.path() + ": the column's bytes ["
                        + memberOffset + ", " + (memberOffset + leafBytes) + ") lie outside the row of " + storedSize + " bytes");
            }
        } else {
            if (member != null) {
                throw new InvalidConfigurationException("'" + ds.getPath() + "' in " + file.path()
                        + " is not a table; it has no column '" + member + "'");
            }
            this.type = ElementTypes.of(ds.getDataType(), this::unsupported);
            this.memberOffset = 0;
        }
        this.logicalShape = new long[shape.length + memberShape.length];
        System.arraycopy(shape, 0, logicalShape, 0, shape.length);
        System.arraycopy(memberShape, 0, logicalShape, shape.length, memberShape.length);
        long re = 1;
        for (int d = 1; d < logicalShape.length; d++) {
            re = Math.multiplyExact(re, logicalShape[d]);
        }
        this.rowElements = re;
        long stride = storedSize;
        for (int d = 1; d < shape.length; d++) {
            stride = Math.multiplyExact(stride, shape[d]);
        }
        if (stride > Integer.MAX_VALUE / 2) {
            throw unsupported("rows of " + stride + " bytes (at most 1 GiB per row)");
        }
        this.rowBytes = (int) stride;
        this.fillElement = fillElement(ds, storedSize);
        DatasetGeometry g = new DatasetGeometry(file, path, shape, storedSize, rowBytes, fillElement);
        DataLayout layout = ds.getDataLayout();
        switch (layout) {
            case CHUNKED:
                this.storage = new ChunkedLayout(g, ds);
                break;
            case CONTIGUOUS:
                this.storage = new ContiguousLayout(g, ((io.jhdf.api.dataset.ContiguousDataset) ds).getDataAddress());
                break;
            case COMPACT:
                this.storage = new CompactLayout(g, ((DatasetBase) ds).getDataBuffer());
                break;
            default:
                throw unsupported("the layout " + layout);
        }
    }

    /**
     * A dataset as another process described it ({@link ArrayImage}): every derived figure is
     * computed as by the other constructor.
     *
     * @param file         the file (opened without jhdf)
     * @param path         the dataset's path, with {@code #column} for a column
     * @param shape        the stored shape
     * @param type         the element type
     * @param memberOffset the column's offset in a record, 0 for a numeric dataset
     * @param logicalShape the shape of the values (the stored shape and a column's dimensions)
     * @param geometry     the geometry the layout was made with
     * @param storage      the layout
     */
    Hdf5Array(Hdf5File file, String path, long[] shape, ElementType type, int memberOffset, long[] logicalShape,
              DatasetGeometry geometry, StorageLayout storage) {
        this.file = file;
        this.path = path;
        this.shape = shape;
        this.type = type;
        this.memberOffset = memberOffset;
        this.logicalShape = logicalShape;
        long re = 1;
        for (int d = 1; d < logicalShape.length; d++) {
            re = Math.multiplyExact(re, logicalShape[d]);
        }
        this.rowElements = re;
        this.rowBytes = geometry.rowBytes();
        this.fillElement = geometry.fillElement();
        this.storage = storage;
    }

    /** @return how the rows are stored */
    StorageLayout storage() {
        return storage;
    }

    private UnsupportedHdf5Exception unsupported(String what) {
        return new UnsupportedHdf5Exception("Dataset '" + path + "' in " + file.path() + " uses " + what
                + ", which multitables4j cannot read");
    }

    private static byte[] fillElement(Dataset ds, int storedSize) {
        byte[] f = new byte[storedSize];
        try {
            AbstractNode n = (AbstractNode) ds;
            if (n.getHeader().hasMessageOfType(FillValueMessage.class)) {
                FillValueMessage fv = n.getHeader().getMessageOfType(FillValueMessage.class);
                if (fv.isFillValueDefined()) {
                    ByteBuffer b = fv.getFillValue().duplicate();
                    if (b.remaining() >= f.length) {
                        b.get(f);
                    }
                }
            }
        } catch (RuntimeException e) {
            // no usable fill value message: zeros, as the HDF5 library's default
        }
        return f;
    }

    /** @return the file this dataset belongs to */
    public Hdf5File file() {
        return file;
    }

    /** @return the dataset's path inside the file */
    public String path() {
        return path;
    }

    /** @return the full shape; element 0 is the number of rows */
    public long[] shape() {
        return logicalShape.clone();
    }

    /** @return the number of rows (outermost dimension) */
    public long rows() {
        return shape[0];
    }

    /** @return the shape of one row (all dimensions but the first; empty for 1-D datasets) */
    public long[] rowShape() {
        return Arrays.copyOfRange(logicalShape, 1, logicalShape.length);
    }

    /** @return the number of elements in one row */
    public long rowElements() {
        return rowElements;
    }

    /** @return the stored bytes of one row */
    public int rowBytes() {
        return rowBytes;
    }

    /** @return the stored element type */
    public ElementType elementType() {
        return type;
    }

    /** @return the storage layout */
    public DataLayout layout() {
        return storage.layout();
    }

    /** @return the chunk shape, or null when the dataset is not chunked */
    public int[] chunkShape() {
        return storage.chunkShape();
    }

    /** @return the number of rows per block (the chunk's first dimension for chunked datasets) */
    public int blockRows() {
        return storage.blockRows();
    }

    /** @return the number of blocks */
    public int blockCount() {
        return storage.blockCount();
    }

    /**
     * @param block a block index
     * @return how many valid rows that block holds (fewer than {@link #blockRows()} for the last)
     */
    public int rowsInBlock(int block) {
        long start = (long) block * blockRows();
        return (int) Math.min(blockRows(), shape[0] - start);
    }

    /**
     * @return byte offset of this column's values within a stored row (0 unless this is a column
     *     of a compound table)
     */
    public int memberOffset() {
        return memberOffset;
    }

    /**
     * @return true when a stored row is exactly {@code rowElements()} consecutive elements, so
     *     runs of rows convert in one call; false for columns of compound tables
     */
    public boolean denseRows() {
        return memberOffset == 0 && rowElements * type.size() == rowBytes;
    }

    /** @return bytes needed to hold one decoded block */
    public int blockBytes() {
        return Math.multiplyExact(blockRows(), rowBytes);
    }

    /** @return the raw bytes of the fill value of one element (zeros when none is defined) */
    public byte[] fillValue() {
        return fillElement.clone();
    }

    /** @return the filters in pipeline order, e.g. {@code [shuffle(2), deflate(1)]} */
    public String describeFilters() {
        return storage.describeFilters();
    }

    /** @return true when every filter is decoded by this library's own fast path */
    public boolean ownDecodePath() {
        return storage.ownDecodePath();
    }

    /** @return true when chunk data is stored compressed (any filter present) */
    public boolean filtered() {
        return storage.filtered();
    }

    /** @return the chunks of the chunk grid (0 when not chunked) */
    public int chunkCount() {
        return storage.chunkCount();
    }

    /** @return the file address of chunk {@code c} in grid order, or -1 when never written */
    long chunkAddress(int c) {
        return chunkTable().address(c);
    }

    /** @return the stored (filtered) size of chunk {@code c} in bytes */
    public int chunkStoredSize(int c) {
        return chunkTable().storedSize(c);
    }

    /** @return the decoded size of one chunk in bytes */
    public int chunkBytes() {
        return storage.chunkBytes();
    }

    /** @return the filter mask of chunk {@code c}: bit i set when filter i was skipped for it */
    int chunkFilterMask(int c) {
        return chunkTable().filterMask(c);
    }

    private ChunkTable chunkTable() {
        ChunkTable t = storage.chunks();
        if (t == null) {
            throw new IllegalStateException("'" + path + "' is not chunked");
        }
        return t;
    }

    /**
     * Reads the stored (still filtered) bytes of chunk {@code c} into {@code dst} at [0,
     * {@link #chunkStoredSize}), e.g. to measure decoding apart from reading (the benchmarks'
     * decode limit).
     *
     * @param c   a written chunk, in grid order
     * @param dst a direct buffer of at least {@code chunkStoredSize(c)} bytes
     */
    public void readStoredChunk(int c, ByteBuffer dst) {
        ChunkTable t = chunkTable();
        if (t.address(c) < 0) {
            throw new IllegalArgumentException(t.chunkName(c) + " was never written");
        }
        ByteBuffer d = dst.duplicate().clear().limit(t.storedSize(c));
        file.readFully(t.address(c), d, t.chunkName(c));
    }

    /**
     * Decodes chunk {@code c} from stored bytes already in memory, as the workers decode it.
     *
     * @param c      the chunk, in grid order
     * @param stored a direct buffer holding its stored bytes at [0, chunkStoredSize(c))
     * @param dec    the calling thread's decoder
     * @param out    destination of at least {@link #chunkBytes()} bytes
     */
    public void decodeStoredChunk(int c, ByteBuffer stored, BlockDecoder dec, ByteBuffer out) {
        if (!stored.isDirect()) {
            throw new IllegalArgumentException("stored chunk bytes must be in a direct buffer");
        }
        int size = chunkTable().storedSize(c);
        ((ChunkedLayout) storage).decodeStored(c, stored.duplicate().clear().limit(size), dec, out);
    }

    /** @return the address of contiguous data, or -1 */
    long contiguousAddress() {
        return storage.contiguousAddress();
    }

    /**
     * @return true when rows can be read with {@link #readRows} (contiguous data that has been
     *     written), which needs no decoding and no staging
     */
    public boolean rowReadable() {
        return storage.rowReadable();
    }

    /**
     * Reads consecutive rows of a contiguous dataset as raw stored bytes with one positional read.
     *
     * @param firstRow the first row
     * @param n        the number of rows
     * @param dst      destination; written from its position, which advances by {@code n * rowBytes()}
     * @throws IllegalStateException unless {@link #rowReadable()}
     */
    public void readRows(long firstRow, int n, ByteBuffer dst) {
        storage.readRows(firstRow, n, dst);
    }

    /**
     * Reads one block as raw stored bytes, row-major, into {@code out} starting at its position 0.
     * {@code out} must have at least {@link #blockBytes()} bytes; only the first
     * {@code rowsInBlock(block) * rowBytes()} are meaningful.
     *
     * @param block the block index
     * @param dec   the calling thread's scratch space
     * @param out   destination buffer (any byte order; written with absolute puts)
     * @throws CorruptDataException if the stored bytes cannot be read or decoded
     */
    public void readBlock(int block, BlockDecoder dec, ByteBuffer out) {
        if (block < 0 || block >= blockCount()) {
            throw new IndexOutOfBoundsException("block " + block + " of " + blockCount() + " in " + path);
        }
        storage.readBlock(block, dec, out);
    }

    @Override
    public String toString() {
        int[] cs = chunkShape();
        return path + " " + type + " " + Arrays.toString(shape) + " " + layout()
                + (cs != null ? " chunks " + Arrays.toString(cs) + " " + describeFilters() : "");
    }
}
