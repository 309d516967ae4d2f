package org.multitables4j;

import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Node;
import io.jhdf.exceptions.HdfException;
import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.List;
import org.multitables4j.internal.hdf5.Hdf5File;

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
     * @param file   the (first) file, open (local or remote)
     * @param labels the labels dataset path, or null
     * @return the names, or null when neither the dataset, its groups nor the root carry them
     * @throws CorruptDataException when the attribute exists but is not an array of strings
     */
    static List<String> read(Hdf5File file, String labels) {
        if (labels == null) {
            return null;
        }
        try {
            HdfFile hdf = file.tree();
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
                    return strings(a.getData(), file.name(), at);
                }
                if (at.equals("/")) {
                    return null;
                }
                int cut = at.lastIndexOf('/');
                at = cut <= 0 ? "/" : at.substring(0, cut);
            }
        } catch (HdfException e) {
            throw new CorruptDataException("Cannot read the " + ATTRIBUTE + " attribute of '" + labels + "' in " + file.name()
                    + ": " + e.getMessage(), e);
        }
    }

    private static List<String> strings(Object data, String file, String at) {
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
