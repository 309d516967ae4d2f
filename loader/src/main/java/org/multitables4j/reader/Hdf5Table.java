package org.multitables4j.reader;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.multitables4j.InvalidConfigurationException;
import org.multitables4j.MultitablesException;
import org.multitables4j.UnsupportedHdf5Exception;
import org.multitables4j.internal.hdf5.CompoundFields;
import org.multitables4j.internal.hdf5.Hdf5Array;

/**
 * A table (a PyTables {@code Table}, a numpy structured array: a compound dataset of one
 * dimension) read as whole records through an {@link Hdf5Reader}: every leaf field, numbers and
 * fixed-length byte strings, nested fields by path ({@code "meta/a"}), into a
 * {@link RecordBatch}. Queries run chunk by chunk on the reader's workers, through the table's
 * chunk cache, and never load the table: {@link #where} (PyTables' condition syntax),
 * {@link #readSorted} (through PyTables' completely sorted index where the file has one),
 * {@link #readCoordinates}. Thread-safe; made once per path by {@link Hdf5Reader#table}.
 *
 * <pre>{@code
 * Hdf5Table t = reader.table("/table");
 * RecordBatch b = t.read(t.rows(30, 35));                        // every field
 * String[] names = t.read(t.rows(0, 10).field("name")).strings("name");
 * long[] hits = t.where("(x > lim) & (k != 0)").bind("lim", 0.25).range(300, 700).coordinates();
 * RecordBatch top = t.readSorted("x").range(0, 100).read();     // through the CSI index of x
 * }</pre>
 *
 * <p>Fields that the reader cannot deliver (arrays of strings, types the reader refuses) are
 * left out of {@link #fields()} and listed by {@link #refusedFields()}; asking for one by name
 * fails with an {@link UnsupportedHdf5Exception} giving the reason.
 */
public final class Hdf5Table {
    private final Hdf5Reader reader;
    private final Path file;
    private final String path;
    private final List<TableField> fields = new ArrayList<>();
    private final Map<String, String> refused = new LinkedHashMap<>();
    private final Hdf5Dataset carrier;
    private final RecordGather gather = new RecordGather(this);

    Hdf5Table(Hdf5Reader reader, Path file, String path) {
        this.reader = reader;
        this.file = file;
        this.path = path;
        CompoundFields cf = CompoundFields.read(file, path);
        Hdf5Dataset first = null;
        for (CompoundFields.Field f : cf.fields()) {
            if (f.string()) {
                if (f.stringArray()) {
                    refused.put(f.path(), "an array of strings");
                } else {
                    fields.add(TableField.string(f.path(), f.offset(), f.size(), f.nullPadded(), f.charset()));
                }
                continue;
            }
            try {
                Hdf5Dataset col = reader.column(path, f.path());
                Hdf5Array a = col.array();
                fields.add(TableField.numeric(f.path(), a.memberOffset(), a.elementType(), a.rowShape()));
                if (first == null) {
                    first = col;
                }
            } catch (MultitablesException e) {
                refused.put(f.path(), e.getMessage());
            }
        }
        if (first == null) {
            throw new UnsupportedHdf5Exception("The table '" + path + "' in " + file
                    + " has no numeric field to read its records through; fields: " + cf.fields().stream().map(CompoundFields.Field::path).toList());
        }
        if (first.array().rowBytes() != cf.recordBytes()) {
            throw new UnsupportedHdf5Exception("The table '" + path + "' in " + file + ": records of " + cf.recordBytes()
                    + " bytes stored with a stride of " + first.array().rowBytes());
        }
        this.carrier = first;
    }

    Hdf5Reader reader() {
        return reader;
    }

    /** The column whose chunk cache holds the table's decoded records. */
    Hdf5Dataset carrier() {
        return carrier;
    }

    RecordGather gather() {
        return gather;
    }

    /** @return the table's path */
    public String path() {
        return path;
    }

    /** @return the file */
    public Path file() {
        return file;
    }

    /** @return records in the table */
    public long rows() {
        return carrier.rows();
    }

    /** @return the leaf fields delivered, in storage order */
    public List<TableField> fields() {
        return List.copyOf(fields);
    }

    /** @return leaf fields the reader cannot deliver, each with the reason */
    public Map<String, String> refusedFields() {
        return Map.copyOf(refused);
    }

    List<String> fieldNames() {
        return fields.stream().map(TableField::name).toList();
    }

    TableField fieldOrNull(String name) {
        for (TableField f : fields) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        return null;
    }

    /** The leaves named: each name a leaf's path or a nested compound's path (all its leaves). */
    List<TableField> select(String... names) {
        List<TableField> out = new ArrayList<>();
        for (String n : names) {
            if (refused.containsKey(n)) {
                throw new UnsupportedHdf5Exception("The field '" + n + "' of the table '" + path + "' in " + file
                        + " is not read: " + refused.get(n));
            }
            int before = out.size();
            for (TableField f : fields) {
                if (f.name().equals(n) || f.name().startsWith(n + "/")) {
                    out.add(f);
                }
            }
            if (out.size() == before) {
                throw new InvalidConfigurationException("No field '" + n + "' in the table '" + path + "' in " + file
                        + "; fields: " + fieldNames());
            }
        }
        return List.copyOf(out);
    }

    // ---- requests ---------------------------------------------------------------------------

    private long checkRow(long r, String what) {
        long n = rows();
        long k = r < 0 ? r + n : r;
        if (k < 0 || k >= n) {
            throw new IndexOutOfRangeException(what + ": row " + r + " is outside the " + n + " rows of the table '" + path
                    + "' in " + file);
        }
        return k;
    }

    /** @return every record */
    public TableRequest all() {
        return rows(0, rows());
    }

    /**
     * @param row a record (negative: counted from the end)
     * @return that record
     * @throws IndexOutOfRangeException if it is outside the table
     */
    public TableRequest row(long row) {
        return new TableRequest(this, new long[] {checkRow(row, "row(" + row + ")")}, fields);
    }

    /**
     * @param start first record (negative: counted from the end)
     * @param end   end record, exclusive (negative: counted from the end)
     * @return records {@code [start, end)}
     * @throws IndexOutOfRangeException if the range leaves the table or ends before it starts
     */
    public TableRequest rows(long start, long end) {
        return rows(start, end, 1);
    }

    /**
     * @param start first record (negative: counted from the end)
     * @param end   end record, exclusive (negative: counted from the end)
     * @param step  distance between records, at least 1
     * @return records {@code start, start + step, ...} below {@code end}
     * @throws IndexOutOfRangeException for a step below 1 or a range that leaves the table
     */
    public TableRequest rows(long start, long end, long step) {
        long n = rows();
        long s = start < 0 ? start + n : start;
        long e = end < 0 ? end + n : end;
        if (step < 1 || s < 0 || e > n || s > e) {
            throw new IndexOutOfRangeException("rows(" + start + ", " + end + ", " + step + ") of the table '" + path + "' ("
                    + n + " rows) in " + file + (step < 1 ? ": the step must be at least 1" : ""));
        }
        long count = (e - s + step - 1) / step;
        if (count > Integer.MAX_VALUE - 8) {
            throw new InvalidConfigurationException("a request of " + count + " records of '" + path + "' is too large");
        }
        long[] idx = new long[(int) count];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = s + i * step;
        }
        return new TableRequest(this, idx, fields);
    }

    /**
     * @param rows records in the order wanted, repeats allowed (negative: counted from the end)
     * @return those records
     * @throws IndexOutOfRangeException if one is outside the table
     */
    public TableRequest rows(long[] rows) {
        long[] idx = new long[rows.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = checkRow(rows[i], "rows(...)");
        }
        return new TableRequest(this, idx, fields);
    }

    /**
     * PyTables' {@code read_coordinates}: the records at the given rows, in that order.
     *
     * @param rows the rows
     * @return the request ({@link TableRequest#field} keeps one field)
     */
    public TableRequest readCoordinates(long[] rows) {
        return rows(rows);
    }

    /**
     * @param mask one flag per record
     * @return the records whose flag is set, in order
     * @throws IndexOutOfRangeException if the mask's length is not the number of records
     */
    public TableRequest mask(boolean[] mask) {
        if (mask.length != rows()) {
            throw new IndexOutOfRangeException("a mask of " + mask.length + " flags for the table '" + path + "' with "
                    + rows() + " rows");
        }
        int n = 0;
        long[] idx = new long[mask.length];
        for (int i = 0; i < mask.length; i++) {
            if (mask[i]) {
                idx[n++] = i;
            }
        }
        return new TableRequest(this, java.util.Arrays.copyOf(idx, n), fields);
    }

    /**
     * Reads the records on the reader's workers, block by block through the table's chunk cache.
     *
     * @param request the records and fields
     * @return the batch, once read
     * @throws org.multitables4j.IteratorClosedException when the reader is closed
     */
    public CompletableFuture<RecordBatch> request(TableRequest request) {
        if (request.table() != this) {
            throw new InvalidConfigurationException("the request " + request + " is for another table than '" + path + "'");
        }
        return gather.gather(request.coordinates(), request.selectedFields());
    }

    /**
     * @param request the records and fields
     * @return the batch
     * @throws org.multitables4j.IteratorClosedException when the reader closes before it is read
     */
    public RecordBatch read(TableRequest request) {
        return join(request(request), request.toString());
    }

    /**
     * PyTables' {@code where}: the records matching a condition (see {@link TableQuery}).
     *
     * @param condition the condition, e.g. {@code "(x > lim) & (k != 0)"}
     * @return the query, to bind variables, narrow the range and run
     */
    public TableQuery where(String condition) {
        return new TableQuery(this, condition);
    }

    /**
     * PyTables' {@code read_sorted}: records in the order of a column (see {@link SortedQuery}).
     *
     * @param column a scalar numeric column
     * @return the query, to narrow the range and run
     * @throws InvalidConfigurationException if the column is not a scalar numeric column
     */
    public SortedQuery readSorted(String column) {
        TableField f = fieldOrNull(column);
        if (f == null || !f.scalar()) {
            throw new InvalidConfigurationException("readSorted: '" + column + "' is not a scalar numeric column of the table '"
                    + path + "' in " + file + "; columns: " + fieldNames());
        }
        return new SortedQuery(this, f);
    }

    static <T> T join(CompletableFuture<T> f, String what) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MultitablesException("Interrupted while reading " + what, e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof java.util.concurrent.CompletionException && c.getCause() != null) {
                c = c.getCause();
            }
            if (c instanceof MultitablesException me) {
                throw me;
            }
            throw new MultitablesException("Reading " + what + " failed: " + c, c);
        }
    }

    /** Python's {@code slice(start, stop, step).indices(n)} for a positive step; null means absent. */
    static long[] slice(Long start, Long stop, long step, long n, String what) {
        if (step < 1) {
            throw new IndexOutOfRangeException(what + ": the step must be at least 1, got " + step);
        }
        long s = start == null ? 0 : start < 0 ? Math.max(0, start + n) : Math.min(start, n);
        long e = stop == null ? n : stop < 0 ? Math.max(0, stop + n) : Math.min(stop, n);
        return new long[] {s, Math.max(s, e), step};
    }

    @Override
    public String toString() {
        return "Hdf5Table[" + path + ", " + rows() + " rows, " + fields + "]";
    }
}
