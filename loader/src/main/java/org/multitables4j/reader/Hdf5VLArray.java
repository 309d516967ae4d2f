package org.multitables4j.reader;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.multitables4j.IteratorClosedException;
import org.multitables4j.internal.hdf5.ElementConverter;
import org.multitables4j.internal.hdf5.ElementType;
import org.multitables4j.internal.hdf5.VlenSequences;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A dataset of variable-length sequences of numbers (a PyTables {@code VLArray}, an h5py
 * {@code vlen} dataset) read through an {@link Hdf5Reader}: rows come back as a
 * {@link RaggedArray} (one flat values array plus offsets, and a view per row). Made once per
 * path by {@link Hdf5Reader#vlarray}; closed with the reader. Thread-safe.
 *
 * <pre>{@code
 * Hdf5VLArray vl = reader.vlarray("/vl_int");
 * RaggedArray r = vl.read(10, 20);          // rows 10..19
 * INDArray third = r.row(2);                // row 12's elements
 * }</pre>
 */
public final class Hdf5VLArray {
    /** Held here so that the reader's weak registry keeps it as long as this object lives. */
    private final ReaderLifecycle.Wakeable waker = this::readerClosed;
    private final Hdf5Reader reader;
    private final VlenSequences seq;
    private final DataType out;

    Hdf5VLArray(Hdf5Reader reader, java.nio.file.Path file, String path) {
        this.reader = reader;
        this.seq = VlenSequences.open(file, path);
        ElementType t = seq.elementType();
        this.out = ElementConverter.supports(t, t.nativeDataType()) ? t.nativeDataType() : DataType.DOUBLE;
        reader.lifecycle().register(waker);
    }

    /** @return the dataset's path */
    public String path() {
        return seq.path();
    }

    /** @return rows (sequences) */
    public long rows() {
        return seq.rows();
    }

    /** @return the elements' stored type, numpy-style ({@code <i4}) */
    public String dtype() {
        return seq.elementType().toString();
    }

    private long check(long r, String what) {
        long n = rows();
        long k = r < 0 ? r + n : r;
        if (k < 0 || k >= n) {
            throw new IndexOutOfRangeException(what + ": row " + r + " is outside the " + n + " rows of '" + path() + "'");
        }
        return k;
    }

    /**
     * @param start first row (negative: counted from the end)
     * @param end   end row, exclusive (negative: counted from the end)
     * @return rows {@code [start, end)}
     * @throws IndexOutOfRangeException if the range leaves the dataset or ends before it starts
     */
    public RaggedArray read(long start, long end) {
        long n = rows();
        long s = start < 0 ? start + n : start;
        long e = end < 0 ? end + n : end;
        if (s < 0 || e > n || s > e) {
            throw new IndexOutOfRangeException("read(" + start + ", " + end + "): the rows leave the " + n + " rows of '"
                    + path() + "'");
        }
        long[] idx = new long[(int) (e - s)];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = s + i;
        }
        return gather(idx);
    }

    /**
     * @param rows rows in the order wanted, repeats allowed (negative: counted from the end)
     * @return those rows
     * @throws IndexOutOfRangeException if one is outside the dataset
     */
    public RaggedArray read(long[] rows) {
        long[] idx = new long[rows.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = check(rows[i], "read(...)");
        }
        return gather(idx);
    }

    /**
     * @param row a row (negative: counted from the end)
     * @return its elements, a vector (empty for an empty sequence)
     */
    public INDArray row(long row) {
        return read(new long[] {row}).row(0);
    }

    private RaggedArray gather(long[] rows) {
        String why = reader.lifecycle().closedWhy();
        if (why != null) {
            throw new IteratorClosedException(why);
        }
        List<ByteBuffer> parts = new ArrayList<>(rows.length);
        long[] offsets = new long[rows.length + 1];
        int es = seq.elementType().size();
        for (int i = 0; i < rows.length; i++) {
            ByteBuffer b = seq.read(rows[i]);
            parts.add(b);
            offsets[i + 1] = offsets[i] + b.remaining() / es;
        }
        long total = offsets[rows.length];
        if (total > Integer.MAX_VALUE / 8) {
            throw new org.multitables4j.InvalidConfigurationException("a read of " + total + " elements of '" + path()
                    + "' is too large");
        }
        if (total == 0) {
            return new RaggedArray(Nd4j.create(out, 0), offsets, rows.clone());
        }
        ByteBuffer dst = ByteBuffer.allocateDirect((int) total * out.width()).order(ByteOrder.nativeOrder());
        for (int i = 0; i < rows.length; i++) {
            int count = (int) (offsets[i + 1] - offsets[i]);
            if (count > 0) {
                ElementConverter.convert(parts.get(i), 0, seq.elementType(), dst, (int) offsets[i] * out.width(), out, count);
            }
        }
        INDArray values = Nd4j.create(Nd4j.createBuffer(dst, out, (int) total), new long[] {total});
        return new RaggedArray(values, offsets, rows.clone());
    }

    /** The reader closed: closes the dataset's metadata reader. */
    void readerClosed(String why) {
        seq.close();
    }
}
