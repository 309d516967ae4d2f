package org.multitables4j;

import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Node;
import io.jhdf.exceptions.HdfException;
import java.lang.reflect.Array;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The class names of a labels dataset, for {@code getLabels()} (so that DL4J's
 * {@code Evaluation} prints names): the {@code class_names} string-array attribute of the labels
 * dataset, else of the labels' group, else of the file's root — where the datasets converter
 * writes it (variable-length UTF-8, h5py's {@code attrs["class_names"] = [...]} reads the same).
 */
final class ClassNames {
    /** The attribute read. */
    static final String ATTRIBUTE = "class_names";

    private ClassNames() {
    }

    /**
     * @param file   the (first) file
     * @param labels the labels dataset path, or null
     * @return the names, or null when neither the dataset, its groups nor the root carry them
     * @throws CorruptDataException when the attribute exists but is not an array of strings
     */
    static List<String> read(Path file, String labels) {
        if (labels == null) {
            return null;
        }
        try (HdfFile hdf = new HdfFile(file)) {
            String at = labels.startsWith("/") ? labels : "/" + labels;
            while (true) {
                Node node;
                try {
                    node = at.equals("/") ? hdf : hdf.getByPath(at);
                } catch (HdfException e) {
                    node = null;
                }
                Attribute a = node == null ? null : node.getAttribute(ATTRIBUTE);
                if (a != null) {
                    return strings(a.getData(), file, at);
                }
                if (at.equals("/")) {
                    return null;
                }
                int cut = at.lastIndexOf('/');
                at = cut <= 0 ? "/" : at.substring(0, cut);
            }
        } catch (HdfException e) {
            throw new CorruptDataException("Cannot read the " + ATTRIBUTE + " attribute of '" + labels + "' in " + file
                    + ": " + e.getMessage(), e);
        }
    }

    private static List<String> strings(Object data, Path file, String at) {
        if (data instanceof String s) {
            return List.of(s);
        }
        if (data == null || !data.getClass().isArray()) {
            throw new CorruptDataException("The " + ATTRIBUTE + " attribute of '" + at + "' in " + file
                    + " is not an array of strings");
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < Array.getLength(data); i++) {
            Object o = Array.get(data, i);
            if (!(o instanceof String s)) {
                throw new CorruptDataException("The " + ATTRIBUTE + " attribute of '" + at + "' in " + file
                        + " is not an array of strings (element " + i + " is " + o + ")");
            }
            names.add(s);
        }
        return List.copyOf(names);
    }
}
