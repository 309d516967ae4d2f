package org.multitables4j.datasets;

import static org.bytedeco.hdf5.global.hdf5.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.hdf5.H5G_info_t;
import org.bytedeco.hdf5.H5L_info2_t;
import org.bytedeco.hdf5.H5O_info2_t;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.SizeTPointer;

/**
 * Describes an HDF5 file through the HDF Group's C library: every group and dataset with its
 * attributes, and for datasets the shape, maximum shape, element type, layout, chunk shape,
 * filter pipeline, stored and logical size and compression ratio.
 */
public final class Inspect {
    private static final int MAX_DEPTH = 64;

    private Inspect() {
    }

    /**
     * One group or dataset.
     *
     * @param path         absolute path in the file, {@code /} for the root group
     * @param group        true for a group (then the dataset fields are empty)
     * @param shape        current dimensions (empty for a scalar)
     * @param maxShape     maximum dimensions, -1 for unlimited
     * @param dtype        element type, e.g. {@code uint8}, {@code float32}, {@code int64 (big endian)}
     * @param layout       {@code contiguous}, {@code chunked}, {@code compact} or {@code virtual}
     * @param chunks       chunk dimensions (chunked layout only, else empty)
     * @param filters      filter pipeline in order, e.g. {@code [shuffle, gzip(4)]}
     * @param storedBytes  bytes allocated in the file
     * @param logicalBytes bytes of the values, uncompressed
     * @param attributes   attribute names and values rendered as text
     */
    public record Entry(String path, boolean group, long[] shape, long[] maxShape, String dtype, String layout,
                        long[] chunks, List<String> filters, long storedBytes, long logicalBytes,
                        Map<String, String> attributes) {
        /** @return logical / stored size, or 0 when nothing is stored */
        public double ratio() {
            return storedBytes == 0 ? 0 : (double) logicalBytes / storedBytes;
        }
    }

    /**
     * Lists the groups and datasets of a file, depth first in name order.
     *
     * @param file an HDF5 file
     * @return the entries, root group first
     * @throws DatasetsException if the file is missing or not HDF5
     */
    public static List<Entry> entries(Path file) {
        if (!Files.exists(file)) {
            throw new DatasetsException("No such file: " + file);
        }
        if (!Files.isRegularFile(file)) {
            throw new DatasetsException("Not a file: " + file);
        }
        synchronized (Hdf5.LOCK) {
            Hdf5.init();
            if (H5Fis_accessible(file.toString(), H5P_DEFAULT) <= 0) {
                Hdf5.errorStack();
                throw new DatasetsException("Not an HDF5 file: " + file);
            }
            long fid = H5Fopen(file.toString(), H5F_ACC_RDONLY, H5P_DEFAULT);
            if (fid < 0) {
                throw Hdf5.failure("Cannot open " + file);
            }
            try {
                List<Entry> out = new ArrayList<>();
                long root = H5Gopen2(fid, "/", H5P_DEFAULT);
                try {
                    walk(root, "/", 0, out, file);
                } finally {
                    H5Gclose(root);
                }
                return out;
            } finally {
                H5Fclose(fid);
            }
        }
    }

    /**
     * A list of strings stored by {@link H5Writer#attribute(String, String, List)}, in either of its
     * forms: the attribute {@code name} of {@code objectPath}, or (for lists longer than
     * {@link H5Writer#MAX_ATTRIBUTE_STRINGS}) the one-dimensional string dataset that its attribute
     * {@code name_dataset} names. E.g. {@code names(file, "/x", "columns")} for the column names
     * of a converted CSV.
     *
     * @param file       an HDF5 file
     * @param objectPath a group or dataset, e.g. {@code /x}
     * @param name       the list's name, e.g. {@code columns}
     * @return the strings, or an empty list when the object has neither form
     * @throws DatasetsException if the file or the object is missing
     */
    public static List<String> names(Path file, String objectPath, String name) {
        if (!Files.isRegularFile(file)) {
            throw new DatasetsException("No such file: " + file);
        }
        synchronized (Hdf5.LOCK) {
            Hdf5.init();
            long fid = H5Fopen(file.toString(), H5F_ACC_RDONLY, H5P_DEFAULT);
            if (fid < 0) {
                throw Hdf5.failure("Cannot open " + file + " (not an HDF5 file?)");
            }
            try {
                long obj = H5Oopen(fid, objectPath, H5P_DEFAULT);
                if (obj < 0) {
                    throw Hdf5.failure("No object '" + objectPath + "' in " + file);
                }
                try {
                    List<String> v = H5Attributes.strings(obj, name);
                    return v == null ? List.of() : v;
                } finally {
                    H5Oclose(obj);
                }
            } finally {
                H5Fclose(fid);
            }
        }
    }

    /**
     * A text description: a tree of groups and datasets, one line per object, attributes
     * underneath, and a total.
     *
     * @param file an HDF5 file
     * @return the description
     */
    public static String describe(Path file) {
        List<Entry> entries = entries(file);
        StringBuilder sb = new StringBuilder();
        long size;
        try {
            size = Files.size(file);
        } catch (java.io.IOException e) {
            size = -1;
        }
        sb.append(file).append("  (").append(bytes(size)).append(" on disk)\n");
        long stored = 0;
        long logical = 0;
        int datasets = 0;
        for (Entry e : entries) {
            int depth = e.path().equals("/") ? 0 : (int) e.path().chars().filter(c -> c == '/').count();
            String indent = "  ".repeat(depth);
            String name = e.path().equals("/") ? "/" : e.path().substring(e.path().lastIndexOf('/') + 1);
            if (e.group()) {
                sb.append(indent).append(name.equals("/") ? "/" : name + "/").append('\n');
            } else {
                datasets++;
                stored += e.storedBytes();
                logical += e.logicalBytes();
                sb.append(indent).append(name)
                        .append("  shape ").append(Arrays.toString(e.shape()))
                        .append("  max ").append(dims(e.maxShape()))
                        .append("  dtype ").append(e.dtype())
                        .append("  ").append(e.layout());
                if (e.chunks().length > 0) {
                    sb.append("  chunks ").append(Arrays.toString(e.chunks()));
                }
                sb.append("  filters ").append(e.filters().isEmpty() ? "none" : String.join("+", e.filters()))
                        .append("  stored ").append(bytes(e.storedBytes()))
                        .append("  logical ").append(bytes(e.logicalBytes()))
                        .append(String.format(Locale.ROOT, "  ratio %.2f", e.ratio()))
                        .append('\n');
            }
            for (Map.Entry<String, String> a : e.attributes().entrySet()) {
                sb.append(indent).append("  @").append(a.getKey()).append(" = ").append(a.getValue()).append('\n');
            }
        }
        sb.append(String.format(Locale.ROOT, "%d datasets: stored %s, logical %s, ratio %.2f%n", datasets,
                bytes(stored), bytes(logical), stored == 0 ? 0.0 : (double) logical / stored));
        return sb.toString();
    }

    private static void walk(long gid, String path, int depth, List<Entry> out, Path file) {
        out.add(new Entry(path, true, new long[0], new long[0], "", "", new long[0], List.of(), 0, 0,
                H5Attributes.all(gid)));
        if (depth >= MAX_DEPTH) {
            return;
        }
        H5G_info_t gi = new H5G_info_t();
        Hdf5.check(H5Gget_info(gid, gi), "Cannot list group " + path + " of " + file);
        long n = gi.nlinks();
        gi.close();
        for (long i = 0; i < n; i++) {
            long len = H5Lget_name_by_idx(gid, ".", H5_INDEX_NAME, H5_ITER_INC, i, (BytePointer) null, 0, H5P_DEFAULT);
            Hdf5.check(len, "Cannot list group " + path + " of " + file);
            String name;
            try (BytePointer b = new BytePointer(len + 1)) {
                H5Lget_name_by_idx(gid, ".", H5_INDEX_NAME, H5_ITER_INC, i, b, len + 1, H5P_DEFAULT);
                byte[] nb = new byte[(int) len];
                b.get(nb);
                name = new String(nb, StandardCharsets.UTF_8);
            }
            String child = path.equals("/") ? "/" + name : path + "/" + name;
            try (H5L_info2_t li = new H5L_info2_t(); H5O_info2_t oi = new H5O_info2_t()) {
                if (H5Lget_info2(gid, name, li, H5P_DEFAULT) < 0 || H5Oget_info_by_name3(gid, name, oi,
                        H5O_INFO_BASIC, H5P_DEFAULT) < 0) {
                    Hdf5.errorStack();
                    out.add(new Entry(child, false, new long[0], new long[0], "(unresolvable link)", "", new long[0],
                            List.of(), 0, 0, Map.of()));
                    continue;
                }
                if (oi.type() == H5O_TYPE_GROUP) {
                    long g = H5Gopen2(gid, name, H5P_DEFAULT);
                    Hdf5.check(g, "Cannot open group " + child + " of " + file);
                    try {
                        walk(g, child, depth + 1, out, file);
                    } finally {
                        H5Gclose(g);
                    }
                } else if (oi.type() == H5O_TYPE_DATASET) {
                    long d = H5Dopen2(gid, name, H5P_DEFAULT);
                    Hdf5.check(d, "Cannot open dataset " + child + " of " + file);
                    try {
                        out.add(dataset(d, child, file));
                    } finally {
                        H5Dclose(d);
                    }
                } else {
                    out.add(new Entry(child, false, new long[0], new long[0], "(named datatype)", "", new long[0],
                            List.of(), 0, 0, Map.of()));
                }
            }
        }
    }

    private static Entry dataset(long did, String path, Path file) {
        long space = H5Dget_space(did);
        long type = H5Dget_type(did);
        long dcpl = H5Dget_create_plist(did);
        try {
            int rank = Math.max(0, H5Sget_simple_extent_ndims(space));
            long[] dims = new long[rank];
            long[] max = new long[rank];
            if (rank > 0) {
                H5Sget_simple_extent_dims(space, dims, max);
            }
            for (int i = 0; i < rank; i++) {
                if (max[i] == H5S_UNLIMITED) {
                    max[i] = -1;
                }
            }
            long points = H5Sget_simple_extent_type(space) == H5S_NULL ? 0 : H5Sget_simple_extent_npoints(space);
            long logical = points * H5Tget_size(type);
            int layoutCode = H5Pget_layout(dcpl);
            String layout = layoutCode == H5D_CHUNKED ? "chunked" : layoutCode == H5D_CONTIGUOUS ? "contiguous"
                    : layoutCode == H5D_COMPACT ? "compact" : layoutCode == H5D_VIRTUAL ? "virtual" : "layout " + layoutCode;
            long[] chunks = new long[0];
            if (layoutCode == H5D_CHUNKED) {
                chunks = new long[rank];
                H5Pget_chunk(dcpl, rank, chunks);
            }
            List<String> filters = new ArrayList<>();
            int nf = H5Pget_nfilters(dcpl);
            for (int i = 0; i < nf; i++) {
                int[] flags = new int[1];
                int[] cd = new int[8];
                int[] config = new int[1];
                byte[] nameBuf = new byte[256];
                try (SizeTPointer ncd = new SizeTPointer(1).put(cd.length)) {
                    int id = H5Pget_filter2(dcpl, i, flags, ncd, cd, nameBuf.length, nameBuf, config);
                    filters.add(filterName(id, cd, (int) Math.min(ncd.get(), cd.length), nameBuf));
                }
            }
            long stored = H5Dget_storage_size(did);
            return new Entry(path, false, dims, max, typeName(type), layout, chunks, filters, stored, logical,
                    H5Attributes.all(did));
        } finally {
            H5Pclose(dcpl);
            H5Tclose(type);
            H5Sclose(space);
        }
    }

    private static String filterName(int id, int[] cd, int ncd, byte[] name) {
        if (id == H5Z_FILTER_DEFLATE) {
            return ncd > 0 ? "gzip(" + cd[0] + ")" : "gzip";
        }
        if (id == H5Z_FILTER_SHUFFLE) {
            return "shuffle";
        }
        if (id == H5Z_FILTER_FLETCHER32) {
            return "fletcher32";
        }
        if (id == H5Z_FILTER_SZIP) {
            return "szip";
        }
        if (id == H5Z_FILTER_NBIT) {
            return "nbit";
        }
        if (id == H5Z_FILTER_SCALEOFFSET) {
            return "scaleoffset";
        }
        int len = 0;
        while (len < name.length && name[len] != 0) {
            len++;
        }
        String n = new String(name, 0, len, StandardCharsets.UTF_8).trim();
        switch (id) {
            case 32000: return "lzf";
            case 32001: return "blosc";
            case 32004: return "lz4";
            case 32008: return "bitshuffle";
            case 32015: return "zstd";
            default: return "filter " + id + (n.isEmpty() ? "" : " (" + n + ")");
        }
    }

    /** Element type as NumPy-style text. */
    static String typeName(long type) {
        int cls = H5Tget_class(type);
        long size = H5Tget_size(type);
        String be = H5Tget_order(type) == H5T_ORDER_BE ? " (big endian)" : "";
        if (cls == H5T_INTEGER) {
            return (H5Tget_sign(type) == H5T_SGN_NONE ? "uint" : "int") + size * 8 + be;
        }
        if (cls == H5T_FLOAT) {
            return "float" + size * 8 + be;
        }
        if (cls == H5T_STRING) {
            return H5Tis_variable_str(type) > 0 ? "string (variable length)" : "string (" + size + " bytes)";
        }
        if (cls == H5T_COMPOUND) {
            return "compound (" + size + " bytes)";
        }
        if (cls == H5T_ENUM) {
            return "enum (" + size + " bytes)";
        }
        if (cls == H5T_ARRAY) {
            return "array (" + size + " bytes)";
        }
        if (cls == H5T_VLEN) {
            return "vlen";
        }
        if (cls == H5T_OPAQUE) {
            return "opaque (" + size + " bytes)";
        }
        if (cls == H5T_REFERENCE) {
            return "reference";
        }
        if (cls == H5T_BITFIELD) {
            return "bitfield (" + size + " bytes)";
        }
        return "type class " + cls;
    }

    private static String dims(long[] d) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < d.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(d[i] < 0 ? "unlimited" : Long.toString(d[i]));
        }
        return sb.append(']').toString();
    }

    static String bytes(long b) {
        if (b < 0) {
            return "?";
        }
        if (b < 10_000) {
            return b + " B";
        }
        if (b < 1_000_000) {
            return String.format(Locale.ROOT, "%.1f kB", b / 1e3);
        }
        if (b < 1_000_000_000L) {
            return String.format(Locale.ROOT, "%.1f MB", b / 1e6);
        }
        return String.format(Locale.ROOT, "%.1f GB", b / 1e9);
    }
}
