package org.multitables4j.reader;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.multitables4j.InvalidConfigurationException;
import org.multitables4j.internal.hdf5.ElementConverter;
import org.multitables4j.internal.hdf5.ElementType;
import org.multitables4j.internal.hdf5.PyTablesIndex;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * PyTables' {@code Table.read_sorted}: records in ascending order of a scalar numeric column,
 * positions {@code [start, stop)} (step {@code step}) of that order. Where the file holds a
 * completely sorted index (CSI) of the column that is up to date, the order is read from the
 * index (its row numbers for just the positions wanted), as PyTables does; otherwise the column
 * alone is read chunk by chunk and sorted (stably, as numpy's argsort: NaN last, -0.0 equal to
 * 0.0, integer columns as integers), and {@link #checkCSI(boolean)}
 * makes a missing CSI an error as PyTables' {@code checkCSI=True} does. Immutable.
 */
public final class SortedQuery {
    private final Hdf5Table table;
    private final TableField column;
    private final boolean checkCsi;
    private final Long start;
    private final Long stop;
    private final long step;
    private final List<TableField> fields;

    SortedQuery(Hdf5Table table, TableField column) {
        this(table, column, false, null, null, 1, table.fields());
    }

    private SortedQuery(Hdf5Table table, TableField column, boolean checkCsi, Long start, Long stop, long step,
                        List<TableField> fields) {
        this.table = table;
        this.column = column;
        this.checkCsi = checkCsi;
        this.start = start;
        this.stop = stop;
        this.step = step;
        this.fields = fields;
    }

    /**
     * @param check true: fail unless the column has an up-to-date completely sorted index
     * @return a new query
     */
    public SortedQuery checkCSI(boolean check) {
        return new SortedQuery(table, column, check, start, stop, step, fields);
    }

    /**
     * Positions {@code [start, stop)} of the sorted order, clipped as Python slices are.
     *
     * @param start first position
     * @param stop  end position, exclusive
     * @return a new query
     */
    public SortedQuery range(long start, long stop) {
        return range(start, stop, 1);
    }

    /**
     * Positions {@code start, start + step, ...} below {@code stop} of the sorted order.
     *
     * @param start first position
     * @param stop  end position, exclusive
     * @param step  at least 1
     * @return a new query
     * @throws IndexOutOfRangeException for a step below 1
     */
    public SortedQuery range(long start, long stop, long step) {
        Hdf5Table.slice(start, stop, step, table.rows(), "readSorted(" + column.name() + ").range");
        return new SortedQuery(table, column, checkCsi, start, stop, step, fields);
    }

    /**
     * @param names fields {@link #read()} delivers (PyTables' {@code field}); all when not set
     * @return a new query
     */
    public SortedQuery fields(String... names) {
        return new SortedQuery(table, column, checkCsi, start, stop, step, table.select(names));
    }

    /** @return the column's index when it is complete, sorted and up to date, else null */
    PyTablesIndex csi() {
        PyTablesIndex ix = PyTablesIndex.find(table.file(), table.path(), column.name());
        return ix != null && ix.csi() && !ix.dirty() && ix.elements() == table.rows() ? ix : null;
    }

    /** @return true when the order is read from a completely sorted index */
    public boolean usesIndex() {
        return csi() != null;
    }

    /**
     * @return the rows at the wanted positions of the order
     * @throws InvalidConfigurationException with {@code checkCSI(true)} when the column has no
     *     up-to-date completely sorted index
     */
    public long[] coordinates() {
        long[] r = Hdf5Table.slice(start, stop, step, table.rows(), "readSorted(" + column.name() + ")");
        PyTablesIndex ix = csi();
        if (ix == null && checkCsi) {
            throw new InvalidConfigurationException("readSorted: the column '" + column.name() + "' of the table '"
                    + table.path() + "' in " + table.file() + " has no up-to-date completely sorted index (CSI)");
        }
        int n = (int) Math.max(0, (r[1] - r[0] + r[2] - 1) / r[2]);
        long[] positions = new long[n];
        for (int i = 0; i < n; i++) {
            positions[i] = r[0] + i * r[2];
        }
        return ix != null ? fromIndex(ix, positions) : bySorting(positions);
    }

    /**
     * @return the records at the wanted positions of the order (the fields of {@link #fields})
     */
    public RecordBatch read() {
        return Hdf5Table.join(table.gather().gather(coordinates(), fields), "readSorted(" + column.name() + ")");
    }

    private long[] fromIndex(PyTablesIndex ix, long[] positions) {
        long[] out = new long[positions.length];
        Hdf5Reader reader = table.reader();
        int i = 0;
        while (i < positions.length) {
            long slice = positions[i] / ix.sliceSize();
            int j = i;
            while (j < positions.length && positions[j] / ix.sliceSize() == slice) {
                j++;
            }
            long lo = positions[i] % ix.sliceSize();
            long hi = positions[j - 1] % ix.sliceSize() + 1;
            INDArray rows;
            if (slice < ix.slices()) {
                Hdf5Dataset ds = reader.dataset(ix.indicesPath());
                Request q = ds.row(slice).select(1, lo, hi);
                rows = reader.request(q, ds.createStage(1, DataType.DOUBLE)).get(); // part of one index row
            } else {
                Hdf5Dataset ds = reader.dataset(ix.lastRowPath());
                rows = reader.request(ds.rows(lo, hi), ds.createStage((int) (hi - lo), DataType.DOUBLE)).get();
            }
            double[] v = rows.data().asDouble();
            for (int k = i; k < j; k++) {
                out[k] = (long) v[(int) (positions[k] % ix.sliceSize() - lo)];
            }
            i = j;
        }
        return out;
    }

    private long[] bySorting(long[] positions) {
        long n = table.rows();
        if (n > Integer.MAX_VALUE - 8) {
            throw new InvalidConfigurationException("readSorted: the table '" + table.path() + "' has " + n
                    + " rows, too many to sort without an index");
        }
        int br = table.carrier().array().blockRows();
        int recordBytes = table.carrier().array().rowBytes();
        int[] blocks = new int[(int) ((n + br - 1) / br)];
        for (int i = 0; i < blocks.length; i++) {
            blocks[i] = i;
        }
        ElementType type = column.type();
        boolean integral = type.kind() == ElementType.Kind.INT || type.kind() == ElementType.Kind.UINT
                || type.kind() == ElementType.Kind.BOOL;
        boolean unsigned64 = type.kind() == ElementType.Kind.UINT && type.size() == 8;
        List<Object> parts = Hdf5Table.join(table.gather().perBlock(blocks, (blk, buf, first) -> {
            int m = (int) Math.min(br, n - first);
            if (integral) {
                // integers are sorted as integers: int64 keys beyond 2^53 keep their order
                java.nio.ByteBuffer ordered = buf.duplicate().order(type.byteOrder());
                long[] v = new long[m];
                for (int k = 0; k < m; k++) {
                    v[k] = ElementConverter.readInteger(ordered, k * recordBytes + column.offset(), type);
                }
                return (Object) v;
            }
            java.nio.ByteBuffer scratch = TableField.scratch();
            double[] v = new double[m];
            for (int k = 0; k < m; k++) {
                v[k] = column.value(buf, k * recordBytes, scratch);
            }
            return (Object) v;
        }), "readSorted(" + column.name() + ")");
        long[] longs = integral ? new long[(int) n] : null;
        double[] doubles = integral ? null : new double[(int) n];
        int at = 0;
        for (Object p : new ArrayList<>(parts)) {
            int len = integral ? ((long[]) p).length : ((double[]) p).length;
            System.arraycopy(p, 0, integral ? longs : doubles, at, len);
            at += len;
        }
        Integer[] order = new Integer[(int) n];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        // stable, as numpy's argsort(kind="stable"): -0.0 equals 0.0, NaN last
        Arrays.sort(order, integral ? (unsigned64 ? (a, b) -> Long.compareUnsigned(longs[a], longs[b])
                : (a, b) -> Long.compare(longs[a], longs[b])) : (a, b) -> numpyOrder(doubles[a], doubles[b]));
        long[] out = new long[positions.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = order[(int) positions[i]];
        }
        return out;
    }

    /** numpy's sort order of doubles: by value, -0.0 equal to 0.0, NaN after every number. */
    static int numpyOrder(double x, double y) {
        if (x < y) {
            return -1;
        }
        if (x > y) {
            return 1;
        }
        return Boolean.compare(Double.isNaN(x), Double.isNaN(y));
    }

    @Override
    public String toString() {
        return table.path() + ".readSorted(" + column.name() + ")";
    }
}
