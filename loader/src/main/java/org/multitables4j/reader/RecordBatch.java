package org.multitables4j.reader;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.multitables4j.InvalidConfigurationException;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Records of a table read together, column by column: each numeric field as an INDArray of shape
 * {@code [rows, field shape...]} in its stored type where ND4J has it (else DOUBLE), each
 * fixed-length byte-string field as a {@code String[]} (NUL padding removed, as numpy's
 * {@code S} type). Nested fields are named by path ({@code "meta/a"}). Detached from any stage.
 */
public final class RecordBatch {
    private final int rows;
    private final Map<String, Object> columns;
    private final long[] coordinates;

    RecordBatch(int rows, LinkedHashMap<String, Object> columns, long[] coordinates) {
        this.rows = rows;
        this.columns = Collections.unmodifiableMap(columns);
        this.coordinates = coordinates;
    }

    /** @return records in the batch */
    public int rows() {
        return rows;
    }

    /** @return the fields held, in the table's order */
    public List<String> fields() {
        return List.copyOf(columns.keySet());
    }

    /** @return the table rows the records came from, in batch order */
    public long[] coordinates() {
        return coordinates.clone();
    }

    /**
     * @param name a field's path
     * @return its values: an {@code INDArray} for a numeric field, a {@code String[]} for a string field
     * @throws InvalidConfigurationException if the batch has no such field (the message lists them)
     */
    public Object column(String name) {
        Object c = columns.get(name);
        if (c == null) {
            throw new InvalidConfigurationException("the batch has no field '" + name + "'; fields: " + columns.keySet());
        }
        return c;
    }

    /**
     * @param name a numeric field's path
     * @return its values, shaped {@code [rows, field shape...]}
     * @throws InvalidConfigurationException if there is no such numeric field
     */
    public INDArray array(String name) {
        if (column(name) instanceof INDArray a) {
            return a;
        }
        throw new InvalidConfigurationException("the field '" + name + "' is a string field; use strings(name)");
    }

    /**
     * @param name a string field's path
     * @return its values, one per record
     * @throws InvalidConfigurationException if there is no such string field
     */
    public String[] strings(String name) {
        if (column(name) instanceof String[] s) {
            return s.clone();
        }
        throw new InvalidConfigurationException("the field '" + name + "' is numeric; use array(name)");
    }

    @Override
    public String toString() {
        return "RecordBatch[" + rows + " rows, fields " + columns.keySet() + "]";
    }
}
