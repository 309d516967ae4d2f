package org.multitables4j.hdf5;

import io.jhdf.AbstractNode;
import io.jhdf.api.Dataset;
import io.jhdf.dataset.DatasetBase;
import io.jhdf.dataset.chunked.Chunk;
import io.jhdf.dataset.chunked.ChunkedDatasetBase;
import io.jhdf.filter.FilterManager;
import io.jhdf.filter.FilterPipeline;
import io.jhdf.object.datatype.CompoundDataType;
import io.jhdf.object.datatype.DataType;
import io.jhdf.object.datatype.EnumDataType;
import io.jhdf.object.datatype.FixedPoint;
import io.jhdf.object.datatype.FloatingPoint;
import io.jhdf.object.message.DataLayout;
import io.jhdf.object.message.FillValueMessage;
import io.jhdf.object.message.FilterPipelineMessage;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.multitables4j.CorruptDataException;
import org.multitables4j.UnsupportedHdf5Exception;

/**
 * One numeric HDF5 dataset seen as rows: the outermost dimension indexes rows, the remaining
 * dimensions form the row shape. Rows are read in <em>blocks</em>: for a chunked dataset a block
 * is one row of the chunk grid (all chunks that share the same first-dimension offset); for a
 * contiguous dataset a block is a run of rows of about 1 MiB; a compact dataset is one block.
 *
 * <p>A block is delivered as raw stored bytes (stored element type and byte order), row-major,
 * into a caller-supplied buffer: {@link #readBlock(int, BlockDecoder, ByteBuffer)}. Instances are
 * immutable and safe to share between threads; per-thread scratch lives in {@link BlockDecoder}.
 */
public final class Hdf5Array {
    static final int FILTER_DEFLATE = 1;
    static final int FILTER_SHUFFLE = 2;
    static final int FILTER_FLETCHER32 = 3;
    private static final long CONTIGUOUS_BLOCK_TARGET = 1 << 20;
    /**
     * Largest decoded block (one row of the chunk grid) a worker may allocate; files that claim
     * more fail when opened. System property {@code multitables4j.maxBlockBytes}, default 512 MiB.
     */
    static final long MAX_BLOCK_BYTES = Long.getLong("multitables4j.maxBlockBytes", 512L << 20);
    /**
     * Largest chunk grid whose chunk table is built (16 bytes per chunk, written or not). System
     * property {@code multitables4j.maxChunks}, default 2^24 (16 M chunks, 256 MiB of table).
     */
    static final long MAX_CHUNKS = Math.min(Integer.MAX_VALUE - 8, Long.getLong("multitables4j.maxChunks", 1L << 24));

    private final Hdf5File file;
    private final String path;
    private final long[] shape;
    private final ElementType type;
    private final long rowElements;
    private final int storedSize;
    private final int memberOffset;
    private final long[] logicalShape;
    private final int rowBytes;
    private final DataLayout layout;
    private final int blockRows;
    private final int blockCount;
    private final byte[] fillElement;

    // chunked
    private final int[] chunkDims;
    private final long[] gridCounts;
    private final int innerChunks;
    private final long[] chunkAddress;
    private final int[] chunkSize;
    private final int[] chunkMask;
    private final int[] filterIds;
    /** Client data of each filter, as stored in the filter pipeline message. */
    private final int[][] filterData;
    private final String[] filterNames;
    private final boolean ownPipeline;
    private final FilterPipeline jhdfPipeline;
    private final int chunkBytes;
    private final boolean innerSplit;

    // contiguous
    private final long dataAddress;
    // compact
    private final ByteBuffer compactData;

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
        this.storedSize = ds.getDataType().getSize();
        long[] memberShape = new long[0];
        if (ds.getDataType() instanceof CompoundDataType ct) {
            List<String> names = ct.getMembers().stream().map(CompoundDataType.CompoundDataMember::getName).toList();
            if (member == null) {
                throw unsupported("a compound (table) type with the columns " + names + "; select columns (features(path, column))");
            }
            if (shape.length != 1) {
                throw unsupported("a compound type in " + shape.length + " dimensions (tables of one dimension are read)");
            }
            Leaf leaf = resolveColumn(ct, member, ds.getPath());
            this.type = elementType(leaf.type());
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
                throw new org.multitables4j.InvalidConfigurationException("'" + ds.getPath() + "' in " + file.path()
                        + " is not a table; it has no column '" + member + "'");
            }
            this.type = elementType(ds.getDataType());
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
        this.layout = ds.getDataLayout();
        this.fillElement = fillElement(ds);
        DatasetBase base = (DatasetBase) ds;
        switch (layout) {
            case CHUNKED: {
                ChunkedDatasetBase cds = (ChunkedDatasetBase) ds;
                this.chunkDims = cds.getChunkDimensions().clone();
                if (chunkDims.length != shape.length) {
                    throw new CorruptDataException("Dataset '" + path + "' in " + file.path() + ": chunk rank "
                            + chunkDims.length + " differs from dataset rank " + shape.length);
                }
                long cb = storedSize;
                for (int c : chunkDims) {
                    if (c <= 0) {
                        throw new CorruptDataException("Dataset '" + path + "' in " + file.path()
                                + ": chunk dimension " + c + " is not positive");
                    }
                    cb = Math.multiplyExact(cb, c);
                }
                if (cb > Integer.MAX_VALUE - 64) {
                    throw unsupported("chunks of " + cb + " bytes (at most 2 GiB)");
                }
                this.chunkBytes = (int) cb;
                this.gridCounts = new long[shape.length];
                long inner = 1;
                boolean split = false;
                for (int d = 0; d < shape.length; d++) {
                    gridCounts[d] = (shape[d] + chunkDims[d] - 1) / chunkDims[d];
                    if (d > 0) {
                        inner = Math.multiplyExact(inner, gridCounts[d]);
                        split |= chunkDims[d] != shape[d];
                    }
                }
                this.innerSplit = split;
                this.innerChunks = Math.toIntExact(inner);
                this.blockRows = chunkDims[0];
                long bb = (long) blockRows * rowBytes;
                if (bb > MAX_BLOCK_BYTES || cb > MAX_BLOCK_BYTES) {
                    throw unsupported("chunks of " + cb + " bytes in rows of the chunk grid of " + bb + " bytes, above the "
                            + "limit of " + MAX_BLOCK_BYTES + " bytes (system property multitables4j.maxBlockBytes)");
                }
                if (gridCounts[0] > Integer.MAX_VALUE - 8) {
                    throw unsupported(gridCounts[0] + " rows of chunks (at most 2^31)");
                }
                this.blockCount = Math.toIntExact(gridCounts[0]);
                long nChunks = Math.multiplyExact(gridCounts[0], inner);
                if (nChunks > MAX_CHUNKS) {
                    throw unsupported("a grid of " + nChunks + " chunks, above the limit of " + MAX_CHUNKS
                            + " (system property multitables4j.maxChunks; the chunk table takes 16 bytes per chunk)");
                }
                this.chunkAddress = new long[(int) nChunks];
                this.chunkSize = new int[(int) nChunks];
                this.chunkMask = new int[(int) nChunks];
                Arrays.fill(chunkAddress, -1L);
                for (Chunk c : chunkLookup(cds).values()) {
                    long[] off = c.getChunkOffset();
                    long lin = 0;
                    for (int d = 0; d < shape.length; d++) {
                        long g = off[d] / chunkDims[d];
                        if (off[d] % chunkDims[d] != 0 || g < 0 || g >= gridCounts[d]) {
                            throw new CorruptDataException("Dataset '" + path + "' in " + file.path()
                                    + ": chunk at offset " + Arrays.toString(off) + " lies outside the chunk grid");
                        }
                        lin = lin * gridCounts[d] + g;
                    }
                    chunkAddress[(int) lin] = c.getAddress();
                    chunkSize[(int) lin] = c.getSize();
                    BitSet64 mask = BitSet64.of(c.getFilterMask());
                    chunkMask[(int) lin] = mask.bits;
                }
                FilterPipelineMessage fpm = ((AbstractNode) ds).getHeader().hasMessageOfType(FilterPipelineMessage.class)
                        ? ((AbstractNode) ds).getHeader().getMessageOfType(FilterPipelineMessage.class) : null;
                List<FilterPipelineMessage.FilterInfo> infos = fpm == null ? List.of() : fpm.getFilters();
                this.filterIds = new int[infos.size()];
                this.filterData = new int[infos.size()][];
                this.filterNames = new String[infos.size()];
                boolean own = true;
                for (int i = 0; i < infos.size(); i++) {
                    FilterPipelineMessage.FilterInfo fi = infos.get(i);
                    filterIds[i] = fi.getId();
                    filterNames[i] = fi.getName() == null ? "" : fi.getName();
                    own &= fi.getId() == FILTER_DEFLATE || fi.getId() == FILTER_SHUFFLE || fi.getId() == FILTER_FLETCHER32
                            || Codecs.supports(fi.getId());
                    int[] cd = fi.getData() == null ? new int[0] : fi.getData().clone();
                    filterData[i] = cd;
                    if (fi.getId() == Codecs.BLOSC && cd.length > 6 && (cd[6] < 0 || cd[6] > 5)) {
                        throw unsupported("blosc (filter 32001) with the unknown codec " + cd[6]);
                    }
                    if (fi.getId() == Codecs.BITSHUFFLE) {
                        int comp = cd.length > 4 ? cd[4] : 0;
                        if (comp != 0 && comp != 2 && comp != 3) {
                            throw unsupported("bitshuffle (filter 32008) with the unknown compression " + comp);
                        }
                    }
                }
                this.ownPipeline = own;
                if (!own) {
                    try {
                        this.jhdfPipeline = FilterManager.getPipeline(fpm);
                    } catch (RuntimeException e) {
                        throw unsupported("the filter pipeline " + describeFilters() + " (" + e.getMessage() + ")");
                    }
                } else {
                    this.jhdfPipeline = null;
                }
                this.dataAddress = -1;
                this.compactData = null;
                break;
            }
            case CONTIGUOUS: {
                this.chunkDims = null;
                this.gridCounts = null;
                this.innerChunks = 0;
                this.innerSplit = false;
                this.chunkAddress = null;
                this.chunkSize = null;
                this.chunkMask = null;
                this.filterIds = new int[0];
                this.filterData = new int[0][];
                this.filterNames = new String[0];
                this.ownPipeline = true;
                this.jhdfPipeline = null;
                this.chunkBytes = 0;
                this.dataAddress = ((io.jhdf.api.dataset.ContiguousDataset) ds).getDataAddress();
                int br = (int) Math.max(1, Math.min(CONTIGUOUS_BLOCK_TARGET / Math.max(1, rowBytes), Integer.MAX_VALUE / Math.max(1, rowBytes)));
                this.blockRows = (int) Math.min(br, Math.max(1, shape[0]));
                this.blockCount = Math.toIntExact((shape[0] + blockRows - 1) / blockRows);
                this.compactData = null;
                if (dataAddress >= 0 && shape[0] > 0 && dataAddress + shape[0] * rowBytes > file.size()) {
                    throw new CorruptDataException("Dataset '" + path + "' in " + file.path() + ": contiguous data ["
                            + dataAddress + ", " + (dataAddress + shape[0] * rowBytes) + ") lies past the end of the file ("
                            + file.size() + " bytes)");
                }
                break;
            }
            case COMPACT: {
                this.chunkDims = null;
                this.gridCounts = null;
                this.innerChunks = 0;
                this.innerSplit = false;
                this.chunkAddress = null;
                this.chunkSize = null;
                this.chunkMask = null;
                this.filterIds = new int[0];
                this.filterData = new int[0][];
                this.filterNames = new String[0];
                this.ownPipeline = true;
                this.jhdfPipeline = null;
                this.chunkBytes = 0;
                this.dataAddress = -1;
                this.blockRows = (int) Math.max(1, shape[0]);
                this.blockCount = shape[0] == 0 ? 0 : 1;
                ByteBuffer data = base.getDataBuffer();
                ByteBuffer copy = ByteBuffer.allocate(data.remaining());
                copy.put(data.duplicate()).flip();
                this.compactData = copy.asReadOnlyBuffer();
                if (compactData.remaining() < shape[0] * rowBytes) {
                    throw new CorruptDataException("Dataset '" + path + "' in " + file.path() + ": compact data holds "
                            + compactData.remaining() + " bytes, " + shape[0] * rowBytes + " expected");
                }
                break;
            }
            default:
                throw unsupported("the layout " + layout);
        }
    }

    /** The leaf member a column path selects: its element type, byte offset in the row and array shape. */
    private record Leaf(DataType type, int offset, long[] dims) {
    }

    /**
     * Resolves a column path through nested compound members. Path segments are separated by
     * {@code '/'}, as in PyTables column pathnames ({@code "meta/sub/vec"}); a member whose own
     * name contains {@code '/'} is matched by its full name first.
     */
    private Leaf resolveColumn(CompoundDataType table, String column, String tablePath) {
        CompoundDataType ct = table;
        String rest = column;
        String done = "";
        int offset = 0;
        while (true) {
            CompoundDataType.CompoundDataMember m = null;
            for (CompoundDataType.CompoundDataMember x : ct.getMembers()) {
                String n = x.getName();
                if (rest.equals(n)) {
                    m = x;
                    break;
                }
                if (rest.startsWith(n + "/") && (m == null || n.length() > m.getName().length())) {
                    m = x;
                }
            }
            List<String> names = ct.getMembers().stream().map(CompoundDataType.CompoundDataMember::getName).toList();
            if (m == null) {
                int slash = rest.indexOf('/');
                String wanted = slash < 0 ? rest : rest.substring(0, slash);
                if (done.isEmpty()) {
                    throw new org.multitables4j.InvalidConfigurationException("No column '" + wanted + "' in the table '"
                            + tablePath + "' of " + file.path() + " (column path '" + column + "'); columns: " + names);
                }
                throw new org.multitables4j.InvalidConfigurationException("No field '" + wanted + "' in the nested column '"
                        + done + "' of the table '" + tablePath + "' of " + file.path() + " (column path '" + column
                        + "'); its fields: " + names);
            }
            String here = done.isEmpty() ? m.getName() : done + "/" + m.getName();
            offset = Math.addExact(offset, m.getOffset());
            List<Long> dims = new java.util.ArrayList<>();
            for (int d : m.getDimensionSize() == null ? new int[0] : m.getDimensionSize()) {
                if (d > 1) {
                    dims.add((long) d);
                }
            }
            DataType mt = m.getDataType();
            while (mt instanceof io.jhdf.object.datatype.ArrayDataType at) {
                for (long d : arrayDims(at, here)) {
                    dims.add(d);
                }
                mt = at.getBaseType();
            }
            boolean leaf = rest.equals(m.getName());
            if (mt instanceof CompoundDataType sub) {
                List<String> fields = sub.getMembers().stream().map(CompoundDataType.CompoundDataMember::getName).toList();
                if (!dims.isEmpty()) {
                    throw unsupported("the column '" + here + "', an array " + dims + " of compounds with the fields " + fields
                            + " (the values of one field are not stored next to each other)");
                }
                if (leaf) {
                    throw new org.multitables4j.InvalidConfigurationException("The column '" + here + "' of the table '"
                            + tablePath + "' of " + file.path() + " is a nested compound with the fields " + fields
                            + "; select one of them with a column path such as '" + here + "/"
                            + (fields.isEmpty() ? "field" : fields.get(0)) + "'");
                }
                ct = sub;
                rest = rest.substring(m.getName().length() + 1);
                done = here;
                continue;
            }
            if (!leaf) {
                throw new org.multitables4j.InvalidConfigurationException("The column '" + here + "' of the table '"
                        + tablePath + "' of " + file.path() + " is not a nested compound; it has no field '"
                        + rest.substring(m.getName().length() + 1) + "' (column path '" + column + "')");
            }
            return new Leaf(mt, offset, dims.stream().mapToLong(Long::longValue).toArray());
        }
    }

    /**
     * The dimensions of an array member. An HDF5 array datatype of version 2 stores all its
     * dimensions followed by as many permutation indices (always the identity); jhdf reads them
     * interleaved, so of rank {@code n} only the dimensions at even indices come out right. They
     * are repaired here from the array's byte size: exactly for ranks 2 and 3; arrays of rank 4
     * or more, whose missing dimensions the size cannot separate, are delivered flattened (one
     * dimension of all their elements, in the same row-major order).
     */
    private long[] arrayDims(io.jhdf.object.datatype.ArrayDataType at, String column) {
        int[] d = at.getArrayTypeDimensions();
        long baseSize = at.getBaseType().getSize();
        long product = 1;
        for (int x : d) {
            product *= Math.max(0, x);
        }
        if (baseSize > 0 && product * baseSize == at.getSize()) {
            return Arrays.stream(d).mapToLong(x -> x).toArray();
        }
        int rank = d.length;
        long total = baseSize > 0 && at.getSize() % baseSize == 0 ? at.getSize() / baseSize : -1;
        if (at.getVersion() == 2 && total > 0) {
            long[] out = new long[rank];
            long known = 1;
            boolean permutation = true;
            for (int i = 0; i < rank; i++) {
                if (2 * i < rank) {
                    out[2 * i] = d[i];
                    known *= d[i];
                } else {
                    permutation &= d[i] == 2 * i - rank;
                }
            }
            if (permutation && known > 0 && total % known == 0) {
                if (rank <= 3) {
                    out[1] = total / known;
                    return out;
                }
                return new long[] {total};
            }
        }
        throw new CorruptDataException("Dataset '" + path + "' in " + file.path() + ": the array member '" + column
                + "' has the dimensions " + Arrays.toString(d) + ", which do not match its " + at.getSize() + " bytes of "
                + baseSize + "-byte elements");
    }

    @SuppressWarnings("unchecked")
    private Map<?, Chunk> chunkLookup(ChunkedDatasetBase cds) {
        try {
            Method m = ChunkedDatasetBase.class.getDeclaredMethod("getChunkLookup");
            m.setAccessible(true);
            return (Map<?, Chunk>) m.invoke(cds);
        } catch (ReflectiveOperationException e) {
            Throwable c = e.getCause() != null ? e.getCause() : e;
            throw new CorruptDataException("Dataset '" + path + "' in " + file.path() + ": cannot read the chunk index: " + c, c);
        }
    }

    private UnsupportedHdf5Exception unsupported(String what) {
        return new UnsupportedHdf5Exception("Dataset '" + path + "' in " + file.path() + " uses " + what
                + ", which multitables4j cannot read");
    }

    private ElementType elementType(DataType dt) {
        if (dt instanceof FloatingPoint) {
            FloatingPoint fp = (FloatingPoint) dt;
            if (fp.getSize() != 4 && fp.getSize() != 8) {
                throw unsupported("a " + fp.getSize() * 8 + "-bit floating point type");
            }
            return new ElementType(ElementType.Kind.FLOAT, fp.getSize(), fp.getByteOrder());
        }
        if (dt instanceof FixedPoint) {
            FixedPoint fx = (FixedPoint) dt;
            int s = fx.getSize();
            if (s != 1 && s != 2 && s != 4 && s != 8) {
                throw unsupported("a " + s * 8 + "-bit integer type");
            }
            if (fx.getBitOffset() != 0 || fx.getBitPrecision() != s * 8) {
                throw unsupported("an integer type with bit offset " + fx.getBitOffset() + " and precision " + fx.getBitPrecision());
            }
            return new ElementType(fx.isSigned() ? ElementType.Kind.INT : ElementType.Kind.UINT, s, fx.getByteOrder());
        }
        if (dt instanceof EnumDataType) {
            EnumDataType en = (EnumDataType) dt;
            DataType bt = en.getBaseType();
            Map<Integer, String> m = en.getEnumMapping();
            if (bt.getSize() == 1 && m.size() == 2 && "FALSE".equals(m.get(0)) && "TRUE".equals(m.get(1))) {
                return new ElementType(ElementType.Kind.BOOL, 1, ByteOrder.LITTLE_ENDIAN);
            }
            throw unsupported("an enum type " + m);
        }
        throw unsupported("the HDF5 type class " + dt.getDataClass() + " (" + dt.getClass().getSimpleName()
                + "); numeric, boolean types are supported");
    }

    private byte[] fillElement(Dataset ds) {
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
        return layout;
    }

    /** @return the chunk shape, or null when the dataset is not chunked */
    public int[] chunkShape() {
        return chunkDims == null ? null : chunkDims.clone();
    }

    /** @return the number of rows per block (the chunk's first dimension for chunked datasets) */
    public int blockRows() {
        return blockRows;
    }

    /** @return the number of blocks */
    public int blockCount() {
        return blockCount;
    }

    /**
     * @param block a block index
     * @return how many valid rows that block holds (fewer than {@link #blockRows()} for the last)
     */
    public int rowsInBlock(int block) {
        long start = (long) block * blockRows;
        return (int) Math.min(blockRows, shape[0] - start);
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
        return Math.multiplyExact(blockRows, rowBytes);
    }

    /** @return the raw bytes of the fill value of one element (zeros when none is defined) */
    public byte[] fillValue() {
        return fillElement.clone();
    }

    /** @return the filters in pipeline order, e.g. {@code [shuffle(2), deflate(1)]} */
    public String describeFilters() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < filterIds.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(filterNames[i].isEmpty() ? "filter" : filterNames[i]).append('(').append(filterIds[i]).append(')');
        }
        return sb.append(']').toString();
    }

    /** @return true when every filter is decoded by this library's own fast path */
    public boolean ownDecodePath() {
        return ownPipeline;
    }

    /** @return true when chunk data is stored compressed (any filter present) */
    public boolean filtered() {
        return filterIds.length > 0;
    }

    /** @return the chunks of the chunk grid (0 when not chunked) */
    public int chunkCount() {
        return chunkAddress == null ? 0 : chunkAddress.length;
    }

    /** @return the file address of chunk {@code c} in grid order, or -1 when never written */
    long chunkAddress(int c) {
        return chunkAddress[c];
    }

    /** @return the stored (filtered) size of chunk {@code c} in bytes */
    public int chunkStoredSize(int c) {
        return chunkSize[c];
    }

    /** @return the decoded size of one chunk in bytes */
    public int chunkBytes() {
        return chunkBytes;
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
        if (chunkAddress[c] < 0) {
            throw new IllegalArgumentException(chunkName(c) + " was never written");
        }
        ByteBuffer d = dst.duplicate().clear().limit(chunkSize[c]);
        file.readFully(chunkAddress[c], d, chunkName(c));
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
        decodeRaw(c, stored.duplicate().clear().limit(chunkSize[c]), dec, out);
    }

    /** @return the filter mask of chunk {@code c}: bit i set when filter i was skipped for it */
    int chunkFilterMask(int c) {
        return chunkMask[c];
    }

    /** @return the address of contiguous data, or -1 */
    long contiguousAddress() {
        return dataAddress;
    }

    /**
     * @return true when rows can be read with {@link #readRows} (contiguous data that has been
     *     written), which needs no decoding and no staging
     */
    public boolean rowReadable() {
        return layout == DataLayout.CONTIGUOUS && dataAddress >= 0;
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
        if (!rowReadable()) {
            throw new IllegalStateException("'" + path + "' is not contiguous data");
        }
        if (firstRow < 0 || n < 0 || firstRow + n > shape[0]) {
            throw new IndexOutOfBoundsException("rows [" + firstRow + ", " + (firstRow + n) + ") of " + shape[0] + " in " + path);
        }
        int bytes = Math.multiplyExact(n, rowBytes);
        int lim = dst.limit();
        dst.limit(dst.position() + bytes);
        try {
            file.readFully(dataAddress + firstRow * rowBytes, dst,
                    "Dataset '" + path + "' rows [" + firstRow + ", " + (firstRow + n) + ")");
        } finally {
            dst.limit(lim);
        }
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
        if (block < 0 || block >= blockCount) {
            throw new IndexOutOfBoundsException("block " + block + " of " + blockCount + " in " + path);
        }
        switch (layout) {
            case CONTIGUOUS: {
                int n = rowsInBlock(block) * rowBytes;
                if (dataAddress < 0) {
                    fill(out, 0, n);
                    return;
                }
                ByteBuffer dst = out.duplicate().clear().limit(n);
                file.readFully(dataAddress + (long) block * blockRows * rowBytes, dst,
                        "Dataset '" + path + "' rows [" + (long) block * blockRows + ", " + ((long) block * blockRows + rowsInBlock(block)) + ")");
                return;
            }
            case COMPACT: {
                int n = rowsInBlock(block) * rowBytes;
                out.put(0, compactData, 0, n);
                return;
            }
            default:
                readChunkedBlock(block, dec, out);
        }
    }

    private void readChunkedBlock(int block, BlockDecoder dec, ByteBuffer out) {
        if (!innerSplit) {
            int c = block;
            if (chunkAddress[c] < 0) {
                fill(out, 0, rowsInBlock(block) * rowBytes);
            } else {
                decodeChunk(c, dec, out);
            }
            return;
        }
        // chunks split the inner dimensions: decode each and scatter it into the row-major block
        ByteBuffer tmp = dec.chunkBuffer(chunkBytes);
        for (int j = 0; j < innerChunks; j++) {
            int c = block * innerChunks + j;
            long[] gridPos = gridPosition(c);
            if (chunkAddress[c] < 0) {
                scatterFill(gridPos, block, out);
            } else {
                decodeChunk(c, dec, tmp);
                scatter(tmp, gridPos, block, out);
            }
        }
    }

    private long[] gridPosition(int c) {
        long[] g = new long[shape.length];
        long rem = c;
        for (int d = shape.length - 1; d >= 0; d--) {
            g[d] = rem % gridCounts[d];
            rem /= gridCounts[d];
        }
        return g;
    }

    /** Copies the valid part of one decoded chunk into the row-major block buffer. */
    private void scatter(ByteBuffer chunk, long[] gridPos, int block, ByteBuffer out) {
        int rank = shape.length;
        int es = storedSize;
        int validRows = rowsInBlock(block);
        long[] start = new long[rank];
        int[] extent = new int[rank];
        for (int d = 0; d < rank; d++) {
            start[d] = gridPos[d] * chunkDims[d];
            extent[d] = (int) Math.min(chunkDims[d], shape[d] - start[d]);
        }
        extent[0] = validRows;
        int runBytes = extent[rank - 1] * es;
        int[] idx = new int[rank - 1];
        while (true) {
            // source offset in chunk, destination offset in block (block-local row index = idx[0])
            long src = 0;
            long dst = 0;
            for (int d = 0; d < rank - 1; d++) {
                src = src * chunkDims[d] + idx[d];
                long globalIdx = d == 0 ? idx[0] : start[d] + idx[d];
                dst = dst * (d == 0 ? blockRows : shape[d]) + globalIdx;
            }
            src = src * chunkDims[rank - 1];
            dst = dst * shape[rank - 1] + start[rank - 1];
            if (rank == 1) {
                src = 0;
                dst = start[0] - (long) block * blockRows;
            }
            out.put((int) (dst * es), chunk, (int) (src * es), runBytes);
            if (rank == 1) {
                return;
            }
            int d = rank - 2;
            while (d >= 0) {
                if (++idx[d] < extent[d]) {
                    break;
                }
                idx[d] = 0;
                d--;
            }
            if (d < 0) {
                return;
            }
        }
    }

    private void scatterFill(long[] gridPos, int block, ByteBuffer out) {
        // a missing inner chunk: write the fill value into its region
        ByteBuffer f = ByteBuffer.allocate(chunkBytes);
        for (int i = 0; i + fillElement.length <= chunkBytes; i += fillElement.length) {
            f.put(i, fillElement);
        }
        scatter(f, gridPos, block, out);
    }

    private void fill(ByteBuffer out, int from, int to) {
        boolean zero = true;
        for (byte b : fillElement) {
            zero &= b == 0;
        }
        if (zero) {
            for (int i = from; i < to; i++) {
                out.put(i, (byte) 0);
            }
        } else {
            for (int i = from; i + fillElement.length <= to; i += fillElement.length) {
                out.put(i, fillElement);
            }
        }
    }

    private String chunkName(int c) {
        long[] g = gridPosition(c);
        long[] off = new long[g.length];
        for (int d = 0; d < g.length; d++) {
            off[d] = g[d] * chunkDims[d];
        }
        return "Dataset '" + path + "' chunk at offset " + Arrays.toString(off) + " (rows [" + off[0] + ", "
                + Math.min(shape[0], off[0] + chunkDims[0]) + "), file address " + chunkAddress[c] + ", " + chunkSize[c]
                + " bytes) in " + file.path();
    }

    /** Decodes chunk {@code c} into {@code out[0, chunkBytes)}. */
    private void decodeChunk(int c, BlockDecoder dec, ByteBuffer out) {
        int size = chunkSize[c];
        if (size < 0 || size > Math.max(1 << 20, 4L * chunkBytes + (1 << 16))) {
            throw new CorruptDataException(chunkName(c) + ": stored size " + size + " is implausible for a chunk of "
                    + chunkBytes + " bytes");
        }
        ByteBuffer raw = dec.rawBuffer(size);
        file.readFully(chunkAddress[c], raw, chunkName(c));
        raw.flip();
        decodeRaw(c, raw, dec, out);
    }

    /** Decodes the stored bytes of chunk {@code c} ({@code raw} at [0, size), direct) into {@code out}. */
    private void decodeRaw(int c, ByteBuffer raw, BlockDecoder dec, ByteBuffer out) {
        int size = chunkSize[c];
        try {
            if (ownPipeline) {
                dec.decode(raw, size, filterIds, filterData, chunkMask[c], storedSize, out, chunkBytes);
            } else {
                byte[] enc = new byte[size];
                raw.get(0, enc);
                byte[] decoded;
                if (chunkMask[c] != 0) {
                    throw new UnsupportedHdf5Exception(chunkName(c) + ": skipped filters (mask " + chunkMask[c]
                            + ") with the pipeline " + describeFilters() + " are not supported");
                }
                decoded = jhdfPipeline.decode(enc);
                if (decoded.length < chunkBytes) {
                    throw new CorruptDataException(chunkName(c) + ": decoded to " + decoded.length + " bytes, "
                            + chunkBytes + " expected");
                }
                out.put(0, decoded, 0, chunkBytes);
            }
        } catch (CorruptDataException | UnsupportedHdf5Exception e) {
            if (e.getMessage().contains(path)) {
                throw e;
            }
            throw new CorruptDataException(chunkName(c) + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new CorruptDataException(chunkName(c) + ": cannot decode with " + describeFilters() + ": " + e, e);
        }
    }

    /** A tiny helper to turn jhdf's filter mask BitSet into an int. */
    private record BitSet64(int bits) {
        static BitSet64 of(java.util.BitSet bs) {
            int b = 0;
            if (bs != null) {
                for (int i = bs.nextSetBit(0); i >= 0 && i < 32; i = bs.nextSetBit(i + 1)) {
                    b |= 1 << i;
                }
            }
            return new BitSet64(b);
        }
    }

    @Override
    public String toString() {
        return path + " " + type + " " + Arrays.toString(shape) + " " + layout
                + (chunkDims != null ? " chunks " + Arrays.toString(chunkDims) + " " + describeFilters() : "");
    }
}
