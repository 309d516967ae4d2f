package org.multitables4j.datasets;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.api.dataset.ChunkedDataset;
import io.jhdf.exceptions.HdfException;
import io.jhdf.filter.PipelineFilterWithData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Describes an HDF5 file as a tree: for each dataset its shape, type, layout, chunk shape,
 * filters, stored and logical size and compression ratio.
 */
public final class Inspect {
    private Inspect() {
    }

    /**
     * @param file an HDF5 file
     * @return the description, one line per object
     */
    public static String describe(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new DatasetsException("No such file: " + file);
        }
        StringBuilder sb = new StringBuilder();
        try (HdfFile f = new HdfFile(file)) {
            sb.append(file).append('\n');
            walk(f, "", sb);
        } catch (HdfException e) {
            throw new DatasetsException("Cannot read " + file + " as HDF5: " + e.getMessage(), e);
        }
        return sb.toString();
    }

    private static void walk(Group g, String indent, StringBuilder sb) {
        for (Node n : g.getChildren().values()) {
            if (n instanceof Group) {
                sb.append(indent).append(n.getName()).append("/\n");
                walk((Group) n, indent + "  ", sb);
            } else if (n instanceof Dataset) {
                Dataset d = (Dataset) n;
                long logical = d.getSizeInBytes();
                long stored = d.getStorageInBytes();
                sb.append(indent).append(n.getName()).append("  shape ").append(Arrays.toString(d.getDimensions()))
                        .append("  ").append(typeName(d)).append("  ").append(d.getDataLayout().name().toLowerCase());
                if (d instanceof ChunkedDataset) {
                    sb.append("  chunks ").append(Arrays.toString(((ChunkedDataset) d).getChunkDimensions()));
                }
                List<PipelineFilterWithData> filters = d.getFilters();
                sb.append("  filters ").append(filters.isEmpty() ? "none"
                        : filters.stream().map(fi -> fi.getName()).collect(Collectors.joining("+")));
                sb.append(String.format("  stored %s / logical %s (ratio %.2f)%n", bytes(stored), bytes(logical),
                        stored == 0 ? 0.0 : (double) logical / stored));
            }
        }
    }

    private static String typeName(Dataset d) {
        Class<?> jt = d.getJavaType();
        String base = jt == null ? d.getDataType().getClass().getSimpleName() : jt.getSimpleName();
        io.jhdf.object.datatype.DataType t = d.getDataType();
        if (t instanceof io.jhdf.object.datatype.FixedPoint fx) {
            return (fx.isSigned() ? "int" : "uint") + fx.getSize() * 8;
        }
        if (t instanceof io.jhdf.object.datatype.FloatingPoint fp) {
            return "float" + fp.getSize() * 8;
        }
        return base;
    }

    private static String bytes(long b) {
        if (b < 10_000) {
            return b + " B";
        }
        if (b < 10_000_000) {
            return String.format("%.1f kB", b / 1e3);
        }
        if (b < 10_000_000_000L) {
            return String.format("%.1f MB", b / 1e6);
        }
        return String.format("%.1f GB", b / 1e9);
    }
}
