package org.multitables4j.internal.hdf5;

import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.nio.file.Path;

/**
 * The metadata of a PyTables index of one table column, as PyTables writes it next to the
 * table: the group {@code <parent>/_i_<table>/<column>} with the attributes {@code is_csi},
 * {@code DIRTY} and {@code slicesize}, the index datasets {@code indices} ({@code [nslices,
 * slicesize]} row numbers) and {@code indicesLR} (the last, partial slice; attribute
 * {@code nelements}). The position {@code p} of the sorted order is the row
 * {@code indices[p / slicesize, p % slicesize]}, or {@code indicesLR[p % slicesize]} past the
 * full slices.
 *
 * @param indicesPath   path of the full slices' row numbers
 * @param lastRowPath   path of the last slice's row numbers
 * @param slices        full slices
 * @param sliceSize     positions per slice
 * @param lastRowCount  positions in the last slice
 * @param csi           true when PyTables marked the index completely sorted
 * @param dirty         true when PyTables marked the index out of date
 */
public record PyTablesIndex(String indicesPath, String lastRowPath, long slices, long sliceSize, long lastRowCount,
                            boolean csi, boolean dirty) {

    /** @return positions in the index (the rows it covers) */
    public long elements() {
        return slices * sliceSize + lastRowCount;
    }

    /**
     * Finds the index of a column.
     *
     * @param file   the HDF5 file
     * @param table  the table's path
     * @param column the column's path in the table
     * @return the index, or null when the column has none (or it cannot be read)
     */
    public static PyTablesIndex find(Path file, String table, String column) {
        int slash = table.lastIndexOf('/');
        String group = table.substring(0, slash + 1) + "_i_" + table.substring(slash + 1) + "/" + column;
        try (HdfFile hdf = new HdfFile(file)) {
            Node g = hdf.getByPath(group);
            if (!(g instanceof Group grp)) {
                return null;
            }
            Node ind = grp.getChild("indices");
            Node lr = grp.getChild("indicesLR");
            if (!(ind instanceof Dataset indices) || !(lr instanceof Dataset last)) {
                return null;
            }
            long[] dims = indices.getDimensionsAsLong();
            long slice = number(grp.getAttribute("slicesize"), dims.length == 2 ? dims[1] : 0);
            return new PyTablesIndex(indices.getPath(), last.getPath(), dims.length == 2 ? dims[0] : 0, slice,
                    number(last.getAttribute("nelements"), 0), number(grp.getAttribute("is_csi"), 0) != 0,
                    number(grp.getAttribute("DIRTY"), 0) != 0);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static long number(Attribute a, long otherwise) {
        if (a == null) {
            return otherwise;
        }
        Object v = a.getData();
        if (v instanceof Number n) {
            return n.longValue();
        }
        if (v instanceof Boolean b) {
            return b ? 1 : 0;
        }
        if (v != null && v.getClass().isArray() && java.lang.reflect.Array.getLength(v) == 1) {
            Object e = java.lang.reflect.Array.get(v, 0);
            return e instanceof Number n ? n.longValue() : e instanceof Boolean b ? (b ? 1 : 0) : otherwise;
        }
        return otherwise;
    }
}
