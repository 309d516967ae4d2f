package org.multitables4j.reader;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PyTables' {@code Table.where} / {@code get_where_list} / {@code read_where}: the records of a
 * range that match a condition ({@link TableCondition} describes the syntax: comparisons,
 * {@code &}, {@code |}, {@code ~}, arithmetic on scalar numeric columns, numbers and named
 * variables bound from Java). The condition is evaluated chunk by chunk on the reader's workers,
 * reading only the records of the range; the matching rows come back in table order. Immutable:
 * {@link #bind}, {@link #range} and {@link #fields} return new queries.
 *
 * <pre>{@code
 * long[] rows = table.where("(x > lim) & (k != 0)").bind("lim", 0.25).range(300, 700).coordinates();
 * RecordBatch b = table.where("x > 0.5").fields("x", "name").read();
 * }</pre>
 */
public final class TableQuery {
    private final Hdf5Table table;
    private final String condition;
    private final Map<String, Number> vars;
    private final Long start;
    private final Long stop;
    private final long step;
    private final List<TableField> fields;

    TableQuery(Hdf5Table table, String condition) {
        this(table, condition, new LinkedHashMap<>(), null, null, 1, table.fields());
    }

    private TableQuery(Hdf5Table table, String condition, Map<String, Number> vars, Long start, Long stop, long step,
                       List<TableField> fields) {
        this.table = table;
        this.condition = condition;
        this.vars = vars;
        this.start = start;
        this.stop = stop;
        this.step = step;
        this.fields = fields;
    }

    /**
     * Binds a variable of the condition to a double (PyTables' {@code condvars} with a Python
     * float); a variable hides a column of the same name. Names not yet bound when the query is
     * made must be columns.
     *
     * @param name  the variable
     * @param value its value
     * @return a new query
     */
    public TableQuery bind(String name, double value) {
        return bind(Map.of(name, value));
    }

    /**
     * Binds a variable of the condition to an integer, typed int64 as numpy types a Python int
     * (so {@code x * n} stays float32 for a float32 column {@code x}, as in PyTables).
     *
     * @param name  the variable
     * @param value its value
     * @return a new query
     */
    public TableQuery bind(String name, long value) {
        return bind(Map.of(name, value));
    }

    /**
     * Binds several variables at once: {@code Long}, {@code Integer}, {@code Short} and
     * {@code Byte} values as int64, any other number as a double.
     *
     * @param values the variables and their values
     * @return a new query
     */
    public TableQuery bind(Map<String, ? extends Number> values) {
        Map<String, Number> v = new LinkedHashMap<>(vars);
        v.putAll(values);
        return new TableQuery(table, condition, v, start, stop, step, fields);
    }

    /**
     * Searches records {@code [start, stop)} only, clipped to the table as Python slices are
     * (negative values count from the end).
     *
     * @param start first record searched
     * @param stop  end record, exclusive
     * @return a new query
     */
    public TableQuery range(long start, long stop) {
        return range(start, stop, 1);
    }

    /**
     * Searches records {@code start, start + step, ...} below {@code stop} only (PyTables'
     * {@code start}, {@code stop}, {@code step}).
     *
     * @param start first record searched
     * @param stop  end record, exclusive
     * @param step  distance between searched records, at least 1
     * @return a new query
     * @throws IndexOutOfRangeException for a step below 1
     */
    public TableQuery range(long start, long stop, long step) {
        Hdf5Table.slice(start, stop, step, table.rows(), "where(" + condition + ").range");
        return new TableQuery(table, condition, vars, start, stop, step, fields);
    }

    /**
     * @param names fields {@link #read()} delivers (PyTables' {@code field}); all when not set
     * @return a new query
     */
    public TableQuery fields(String... names) {
        return new TableQuery(table, condition, vars, start, stop, step, table.select(names));
    }

    /**
     * PyTables' {@code get_where_list}: the matching rows, ascending.
     *
     * @return the rows
     * @throws org.multitables4j.InvalidConfigurationException for a syntax error or an unbound name
     */
    public long[] coordinates() {
        TableCondition c = TableCondition.compile(condition, vars, table);
        long[] r = Hdf5Table.slice(start, stop, step, table.rows(), "where(" + condition + ")");
        long s = r[0];
        long e = r[1];
        if (s >= e) {
            return new long[0];
        }
        int br = table.carrier().array().blockRows();
        int recordBytes = table.carrier().array().rowBytes();
        int b0 = (int) (s / br);
        int b1 = (int) ((e - 1) / br);
        int[] blocks = new int[b1 - b0 + 1];
        for (int i = 0; i < blocks.length; i++) {
            blocks[i] = b0 + i;
        }
        List<long[]> parts = Hdf5Table.join(table.gather().perBlock(blocks, (blk, buf, first) -> {
            TableCondition.Matcher m = c.matcher(buf);
            long lo = Math.max(first, s);
            long off = (lo - s) % step;
            if (off != 0) {
                lo += step - off;
            }
            long hi = Math.min(first + br, e);
            long[] hits = new long[(int) Math.max(0, (hi - lo + step - 1) / step)];
            int n = 0;
            for (long row = lo; row < hi; row += step) {
                if (m.test((int) (row - first) * recordBytes)) {
                    hits[n++] = row;
                }
            }
            return Arrays.copyOf(hits, n);
        }), "where(" + condition + ") on " + table.path());
        return parts.stream().flatMapToLong(Arrays::stream).toArray();
    }

    /**
     * PyTables' {@code read_where}: the matching records, in table order.
     *
     * @return the records (the fields of {@link #fields}, all by default)
     */
    public RecordBatch read() {
        long[] rows = coordinates();
        return Hdf5Table.join(table.gather().gather(rows, fields), "where(" + condition + ") on " + table.path());
    }

    @Override
    public String toString() {
        return table.path() + ".where(" + condition + (vars.isEmpty() ? "" : ", " + vars) + ")";
    }
}
