package org.multitables4j.reader;

import java.util.Arrays;
import java.util.List;

/**
 * Which records of a table to read, and which fields: made by {@link Hdf5Table}
 * ({@code rows}, {@code row}, {@code mask}, {@code readCoordinates}); {@link #field} or
 * {@link #fields} keep part of the record, like the {@code field} argument of PyTables' and
 * multitables' table reads. Immutable.
 */
public final class TableRequest {
    private final Hdf5Table table;
    private final long[] rows;
    private final List<TableField> fields;

    TableRequest(Hdf5Table table, long[] rows, List<TableField> fields) {
        this.table = table;
        this.rows = rows;
        this.fields = fields;
    }

    /**
     * @param name a field's path ({@code "x"}, {@code "meta/a"}); a nested compound's path keeps
     *             all its leaves
     * @return the same records with only that field
     * @throws org.multitables4j.InvalidConfigurationException if the table has no such field
     */
    public TableRequest field(String name) {
        return new TableRequest(table, rows, table.select(name));
    }

    /**
     * @param names fields' paths, in the order wanted
     * @return the same records with only those fields
     * @throws org.multitables4j.InvalidConfigurationException if the table lacks one of them
     */
    public TableRequest fields(String... names) {
        return new TableRequest(table, rows, table.select(names));
    }

    /** @return the table */
    public Hdf5Table table() {
        return table;
    }

    /** @return records requested */
    public int size() {
        return rows.length;
    }

    long[] coordinates() {
        return rows;
    }

    List<TableField> selectedFields() {
        return fields;
    }

    @Override
    public String toString() {
        return table.path() + "[" + (rows.length <= 8 ? Arrays.toString(rows) : rows.length + " records") + "]"
                + (fields.size() == table.fields().size() ? "" : fields.stream().map(TableField::name).toList());
    }
}
