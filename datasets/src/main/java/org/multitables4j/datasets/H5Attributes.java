package org.multitables4j.datasets;

import static org.bytedeco.hdf5.global.hdf5.*;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.hdf5.H5O_info2_t;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Reads attributes through the HDF5 C library, for {@link Inspect}: every attribute of an object
 * rendered as text, and string lists in either of the two forms {@link H5Writer} writes them —
 * an attribute {@code NAME}, or, for a list too long for an attribute, a one-dimensional string
 * dataset named by the attribute {@code NAME_dataset}. Callers hold {@link Hdf5#LOCK}.
 */
final class H5Attributes {
    /** Numbers shown per numeric attribute (longer ones are summarized by type and count). */
    private static final int MAX_NUMBERS = 16;
    /** Strings shown per string list; the rest are counted. */
    private static final int MAX_STRINGS = 32;
    /** Suffix of the attribute that names the dataset holding a long string list. */
    static final String DATASET_SUFFIX = "_dataset";

    private H5Attributes() {
    }

    /** Reads from an open attribute or dataset into a buffer of a memory type. */
    private interface Read {
        int read(long memType, Pointer buf);
    }

    /**
     * Every attribute of an object, by name, rendered as text. A list stored as a dataset (the
     * attribute {@code NAME_dataset}) is also shown under {@code NAME}, read from that dataset.
     *
     * @param obj an open group or dataset
     * @return name to rendered value
     */
    static Map<String, String> all(long obj) {
        Map<String, String> out = new LinkedHashMap<>();
        List<String> listed = new ArrayList<>();
        try (H5O_info2_t oi = new H5O_info2_t()) {
            if (H5Oget_info3(obj, oi, H5O_INFO_NUM_ATTRS) < 0) {
                Hdf5.errorStack();
                return out;
            }
            for (long i = 0; i < oi.num_attrs(); i++) {
                long attr = H5Aopen_by_idx(obj, ".", H5_INDEX_NAME, H5_ITER_INC, i, H5P_DEFAULT, H5P_DEFAULT);
                if (attr < 0) {
                    Hdf5.errorStack();
                    continue;
                }
                try {
                    long len = H5Aget_name(attr, 0, (byte[]) null);
                    byte[] nb = new byte[(int) len + 1];
                    H5Aget_name(attr, nb.length, nb);
                    String name = new String(nb, 0, (int) len, StandardCharsets.UTF_8);
                    out.put(name, value(attr));
                    if (name.endsWith(DATASET_SUFFIX)) {
                        listed.add(name);
                    }
                } finally {
                    H5Aclose(attr);
                }
            }
        }
        for (String a : listed) {
            String base = a.substring(0, a.length() - DATASET_SUFFIX.length());
            List<String> v = fromDataset(obj, base);
            if (v != null && !out.containsKey(base)) {
                out.put(base, render(v, false, true) + " (dataset " + stringAttribute(obj, a) + ")");
            }
        }
        return out;
    }

    /**
     * A string list in either form: the attribute {@code name}, or the dataset that the attribute
     * {@code name_dataset} names.
     *
     * @param obj  an open group or dataset
     * @param name the list's name, e.g. {@code columns}
     * @return the strings, or null when the object has neither form
     */
    static List<String> strings(long obj, String name) {
        if (H5Aexists(obj, name) > 0) {
            long attr = H5Aopen(obj, name, H5P_DEFAULT);
            Hdf5.check(attr, "Cannot open attribute '" + name + "'");
            try {
                long type = H5Aget_type(attr);
                long space = H5Aget_space(attr);
                try {
                    return H5Tget_class(type) == H5T_STRING ? readStrings(type, space, (m, b) -> H5Aread(attr, m, b))
                            : null;
                } finally {
                    H5Sclose(space);
                    H5Tclose(type);
                }
            } finally {
                H5Aclose(attr);
            }
        }
        Hdf5.errorStack();
        return fromDataset(obj, name);
    }

    private static String stringAttribute(long obj, String name) {
        List<String> s = strings(obj, name);
        return s == null || s.size() != 1 ? null : s.get(0);
    }

    /** The list in the dataset named by attribute {@code name_dataset}, or null. */
    private static List<String> fromDataset(long obj, String name) {
        if (H5Aexists(obj, name + DATASET_SUFFIX) <= 0) {
            Hdf5.errorStack();
            return null;
        }
        String path = stringAttribute(obj, name + DATASET_SUFFIX);
        if (path == null || H5Lexists(obj, path, H5P_DEFAULT) <= 0) {
            Hdf5.errorStack();
            return null;
        }
        long did = H5Dopen2(obj, path, H5P_DEFAULT);
        if (did < 0) {
            Hdf5.errorStack();
            return null;
        }
        try {
            long type = H5Dget_type(did);
            long space = H5Dget_space(did);
            try {
                return H5Tget_class(type) == H5T_STRING && H5Sget_simple_extent_ndims(space) == 1
                        ? readStrings(type, space, (m, b) -> H5Dread(did, m, H5S_ALL(), H5S_ALL(), H5P_DEFAULT, b))
                        : null;
            } finally {
                H5Sclose(space);
                H5Tclose(type);
            }
        } finally {
            H5Dclose(did);
        }
    }

    /** Reads variable-length or fixed-size strings; null when the read fails. */
    private static List<String> readStrings(long type, long space, Read read) {
        long n = H5Sget_simple_extent_type(space) == H5S_NULL ? 0 : H5Sget_simple_extent_npoints(space);
        if (n > Integer.MAX_VALUE / 16) {
            return null;
        }
        List<String> values = new ArrayList<>();
        if (H5Tis_variable_str(type) > 0) {
            long mem = H5Tcopy(H5T_C_S1_g());
            H5Tset_size(mem, H5T_VARIABLE());
            H5Tset_cset(mem, H5Tget_cset(type));
            try (PointerPointer<BytePointer> pp = new PointerPointer<>(Math.max(1, n))) {
                if (read.read(mem, pp) < 0) {
                    Hdf5.errorStack();
                    return null;
                }
                for (int i = 0; i < n; i++) {
                    BytePointer s = pp.get(BytePointer.class, i);
                    values.add(s == null ? "" : s.getString(StandardCharsets.UTF_8));
                }
                H5Treclaim(mem, space, H5P_DEFAULT, pp);
            } finally {
                H5Tclose(mem);
            }
            return values;
        }
        long size = H5Tget_size(type);
        try (BytePointer b = new BytePointer(Math.max(1, n * size))) {
            if (read.read(type, b) < 0) {
                Hdf5.errorStack();
                return null;
            }
            byte[] all = new byte[(int) (n * size)];
            b.get(all);
            for (int i = 0; i < n; i++) {
                int end = (int) size;
                while (end > 0 && all[(int) (i * size) + end - 1] == 0) {
                    end--;
                }
                values.add(new String(all, (int) (i * size), end, StandardCharsets.UTF_8));
            }
        }
        return values;
    }

    private static String value(long attr) {
        long type = H5Aget_type(attr);
        long space = H5Aget_space(attr);
        try {
            boolean scalar = H5Sget_simple_extent_type(space) == H5S_SCALAR;
            long n = H5Sget_simple_extent_type(space) == H5S_NULL ? 0 : H5Sget_simple_extent_npoints(space);
            int cls = H5Tget_class(type);
            if (cls == H5T_STRING) {
                List<String> values = readStrings(type, space, (m, b) -> H5Aread(attr, m, b));
                if (values != null) {
                    return render(values, scalar, true);
                }
            }
            List<String> values = new ArrayList<>();
            if ((cls == H5T_INTEGER || cls == H5T_FLOAT) && n <= MAX_NUMBERS) {
                if (cls == H5T_INTEGER) {
                    try (LongPointer p = new LongPointer(Math.max(1, n))) {
                        if (H5Aread(attr, H5T_NATIVE_LLONG_g(), p) >= 0) {
                            for (int i = 0; i < n; i++) {
                                values.add(Long.toString(p.get(i)));
                            }
                        }
                    }
                } else {
                    try (DoublePointer p = new DoublePointer(Math.max(1, n))) {
                        if (H5Aread(attr, H5T_NATIVE_DOUBLE_g(), p) >= 0) {
                            for (int i = 0; i < n; i++) {
                                values.add(Double.toString(p.get(i)));
                            }
                        }
                    }
                }
                return render(values, scalar, false);
            }
            Hdf5.errorStack();
            return "<" + Inspect.typeName(type) + (scalar ? "" : ", " + n + " values") + ">";
        } finally {
            Hdf5.errorStack();
            H5Sclose(space);
            H5Tclose(type);
        }
    }

    /** A list as text; beyond {@value #MAX_STRINGS} values the rest are counted. */
    private static String render(List<String> values, boolean scalar, boolean quote) {
        List<String> shown = new ArrayList<>();
        for (String v : values.subList(0, Math.min(values.size(), MAX_STRINGS))) {
            shown.add(quote ? "'" + v.replace("\n", "\\n") + "'" : v);
        }
        if (values.size() > MAX_STRINGS) {
            shown.add("... " + (values.size() - MAX_STRINGS) + " more, " + values.size() + " in all");
        }
        return scalar && shown.size() == 1 ? shown.get(0) : "[" + String.join(", ", shown) + "]";
    }
}
