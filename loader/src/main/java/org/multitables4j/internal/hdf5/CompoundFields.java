package org.multitables4j.internal.hdf5;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Node;
import io.jhdf.exceptions.HdfException;
import io.jhdf.object.datatype.ArrayDataType;
import io.jhdf.object.datatype.CompoundDataType;
import io.jhdf.object.datatype.DataType;
import io.jhdf.object.datatype.StringData;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.multitables4j.CorruptDataException;
import org.multitables4j.InvalidConfigurationException;

/**
 * The leaf fields of a compound dataset (a PyTables table, a numpy structured array), in storage
 * order, nested members named by their {@code '/'}-separated path ({@code "meta/a"}): where each
 * lies in the record and whether it is a fixed-length byte string. Numeric leaves are described
 * in full by {@link Hdf5File#column}; this class adds the fixed-length strings, which a column
 * does not read.
 */
public final class CompoundFields {
    /**
     * One leaf of the record.
     *
     * @param path         the field's path ({@code "name"}, {@code "meta/a"})
     * @param offset       its byte offset in the record
     * @param size         its bytes in the record
     * @param string       true for a fixed-length string (of {@code size} bytes)
     * @param nullPadded   for strings: true when padded with NULs (numpy's {@code S} type, PyTables'
     *                     {@code StringCol}), false when padded with spaces
     * @param charset      for strings: their character set (ASCII or UTF-8)
     * @param stringArray  true when the leaf is an array of strings (not read)
     */
    public record Field(String path, int offset, int size, boolean string, boolean nullPadded, Charset charset,
                        boolean stringArray) {
    }

    private final List<Field> fields;
    private final int recordBytes;

    private CompoundFields(List<Field> fields, int recordBytes) {
        this.fields = List.copyOf(fields);
        this.recordBytes = recordBytes;
    }

    /**
     * Reads the fields of a compound dataset.
     *
     * @param file        the HDF5 file
     * @param datasetPath the compound dataset's path
     * @return its fields
     * @throws InvalidConfigurationException if there is no such dataset or it is not compound
     * @throws CorruptDataException if its metadata cannot be read
     */
    public static CompoundFields read(Path file, String datasetPath) {
        try (HdfFile hdf = new HdfFile(file)) {
            Node node;
            try {
                node = hdf.getByPath(datasetPath);
            } catch (HdfException e) {
                throw new InvalidConfigurationException("No table '" + datasetPath + "' in " + file, e);
            }
            if (!(node instanceof Dataset ds) || !(ds.getDataType() instanceof CompoundDataType ct)) {
                throw new InvalidConfigurationException("'" + datasetPath + "' in " + file
                        + " is not a table (a compound dataset); read it with Hdf5Reader.dataset");
            }
            List<Field> out = new ArrayList<>();
            walk(ct, "", 0, out);
            return new CompoundFields(out, ct.getSize());
        } catch (InvalidConfigurationException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CorruptDataException("Cannot read the fields of '" + datasetPath + "' in " + file + ": " + e, e);
        }
    }

    private static void walk(CompoundDataType ct, String prefix, int base, List<Field> out) {
        for (CompoundDataType.CompoundDataMember m : ct.getMembers()) {
            String path = prefix.isEmpty() ? m.getName() : prefix + "/" + m.getName();
            int offset = base + m.getOffset();
            DataType t = m.getDataType();
            boolean array = false;
            while (t instanceof ArrayDataType at) {
                array = true;
                t = at.getBaseType();
            }
            if (t instanceof CompoundDataType sub && !array) {
                walk(sub, path, offset, out);
            } else if (t instanceof StringData s) {
                boolean nul = s.getPaddingType() != StringData.PaddingType.SPACE_PADDED;
                out.add(new Field(path, offset, m.getDataType().getSize(), true, nul, s.getCharset(), array));
            } else {
                out.add(new Field(path, offset, m.getDataType().getSize(), false, false, null, false));
            }
        }
    }

    /** @return the leaves in storage order */
    public List<Field> fields() {
        return fields;
    }

    /** @return bytes of one record */
    public int recordBytes() {
        return recordBytes;
    }
}
