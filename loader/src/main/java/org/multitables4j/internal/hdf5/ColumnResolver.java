package org.multitables4j.internal.hdf5;

import io.jhdf.object.datatype.ArrayDataType;
import io.jhdf.object.datatype.CompoundDataType;
import io.jhdf.object.datatype.DataType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.multitables4j.CorruptDataException;
import org.multitables4j.InvalidConfigurationException;
import org.multitables4j.UnsupportedHdf5Exception;

/**
 * Finds the leaf member a column path selects in a compound (table) type: its element type,
 * byte offset in the record and array shape. Path segments are separated by {@code '/'}, as in
 * PyTables column pathnames ({@code "meta/sub/vec"}); a member whose own name contains
 * {@code '/'} is matched by its full name first.
 */
final class ColumnResolver {

    /**
     * The leaf member of a column path.
     *
     * @param type   its element type (array types unwrapped)
     * @param offset byte offset in the record
     * @param dims   its array shape (dimensions of 1 dropped), empty for scalar members
     */
    record Leaf(DataType type, int offset, long[] dims) {
    }

    private final String fileName;
    private final String datasetName;

    /**
     * @param fileName    the file, for messages
     * @param datasetName the column's full name ({@code table#column}), for messages
     */
    ColumnResolver(String fileName, String datasetName) {
        this.fileName = fileName;
        this.datasetName = datasetName;
    }

    /**
     * @param table     the table's compound type
     * @param column    the column path
     * @param tablePath the table's path, for messages
     * @return the leaf
     */
    Leaf resolve(CompoundDataType table, String column, String tablePath) {
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
                    throw new InvalidConfigurationException("No column '" + wanted + "' in the table '"
                            + tablePath + "' of " + fileName + " (column path '" + column + "'); columns: " + names);
                }
                throw new InvalidConfigurationException("No field '" + wanted + "' in the nested column '"
                        + done + "' of the table '" + tablePath + "' of " + fileName + " (column path '" + column
                        + "'); its fields: " + names);
            }
            String here = done.isEmpty() ? m.getName() : done + "/" + m.getName();
            offset = Math.addExact(offset, m.getOffset());
            List<Long> dims = new ArrayList<>();
            for (int d : m.getDimensionSize() == null ? new int[0] : m.getDimensionSize()) {
                if (d > 1) {
                    dims.add((long) d);
                }
            }
            DataType mt = m.getDataType();
            while (mt instanceof ArrayDataType at) {
                for (long d : arrayDims(at, here)) {
                    dims.add(d);
                }
                mt = at.getBaseType();
            }
            boolean leaf = rest.equals(m.getName());
            if (mt instanceof CompoundDataType sub) {
                List<String> fields = sub.getMembers().stream().map(CompoundDataType.CompoundDataMember::getName).toList();
                if (!dims.isEmpty()) {
                    throw new UnsupportedHdf5Exception("Dataset '" + datasetName + "' in " + fileName + " uses the column '"
                            + here + "', an array " + dims + " of compounds with the fields " + fields
                            + " (the values of one field are not stored next to each other), which multitables4j cannot read");
                }
                if (leaf) {
                    throw new InvalidConfigurationException("The column '" + here + "' of the table '"
                            + tablePath + "' of " + fileName + " is a nested compound with the fields " + fields
                            + "; select one of them with a column path such as '" + here + "/"
                            + (fields.isEmpty() ? "field" : fields.get(0)) + "'");
                }
                ct = sub;
                rest = rest.substring(m.getName().length() + 1);
                done = here;
                continue;
            }
            if (!leaf) {
                throw new InvalidConfigurationException("The column '" + here + "' of the table '"
                        + tablePath + "' of " + fileName + " is not a nested compound; it has no field '"
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
    private long[] arrayDims(ArrayDataType at, String column) {
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
        throw new CorruptDataException("Dataset '" + datasetName + "' in " + fileName + ": the array member '" + column
                + "' has the dimensions " + Arrays.toString(d) + ", which do not match its " + at.getSize() + " bytes of "
                + baseSize + "-byte elements");
    }
}
