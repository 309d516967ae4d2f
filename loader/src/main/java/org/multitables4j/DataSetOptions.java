package org.multitables4j;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The options of an {@link Hdf5DataSetIterator} beyond the {@link StreamOptions}: which datasets
 * (or compound columns) are the features and the labels, one-hot labels, the delivered feature
 * shape and inner-dimension selections, the class names; and the validation of them that
 * {@code build()} runs. Setters change the builder and return it.
 *
 * @param <B> the concrete builder type
 */
abstract class DataSetOptions<B extends DataSetOptions<B>> extends StreamOptions<B> {
    private String features;
    private String labels;
    private String featuresColumn;
    private String labelsColumn;
    private int oneHot;
    private long[] featureShape;
    private List<long[]> selections = new ArrayList<>();
    private List<String> labelNames;

    DataSetOptions(Path file) {
        super(file);
    }

    DataSetOptions(List<Path> files) {
        super(files);
    }

    DataSetOptions(List<java.net.URI> files, RemoteOptions remote) {
        super(files, remote);
    }

    /**
     * @param path dataset whose outermost dimension indexes rows; any trailing shape
     * @return this builder
     */
    public B features(String path) {
        this.features = path;
        this.featuresColumn = null;
        return self();
    }

    /**
     * @param table  a compound dataset (a PyTables table, a numpy structured array)
     * @param column the column whose values (a number or a fixed-size array per row) are the features;
     *               a member of a nested compound is named by its path, e.g. {@code "meta/sub/vec"}
     * @return this builder
     */
    public B features(String table, String column) {
        features(table);
        this.featuresColumn = column;
        return self();
    }

    /**
     * @param table  a compound dataset
     * @param column the column holding the labels (class ids with {@link #oneHot(int)}); a nested
     *               member is named by its {@code '/'}-separated path
     * @return this builder
     */
    public B labels(String table, String column) {
        labels(table);
        this.labelsColumn = column;
        return self();
    }

    /**
     * @param path labels dataset with the same number of rows; delivered as stored (converted
     *             to the data type) unless {@link #oneHot(int)} is set
     * @return this builder
     */
    public B labels(String path) {
        this.labels = path;
        this.labelsColumn = null;
        return self();
    }

    /**
     * @param classes turn integer class ids in {@code [0, classes)} into one-hot rows (on the
     *                workers); a class outside that range fails the epoch with an error naming the row
     * @return this builder
     */
    public B oneHot(int classes) {
        if (classes < 1) {
            throw new InvalidConfigurationException("oneHot needs at least 1 class, got " + classes);
        }
        this.oneHot = classes;
        return self();
    }

    /**
     * @param rowShape shape of one feature row in the delivered array, e.g. {@code (1, 28, 28)}
     *                 for a CNN or {@code (784)} for an MLP; must hold the same number of
     *                 elements as a stored row (default: the stored row shape)
     * @return this builder
     */
    public B featureShape(long... rowShape) {
        this.featureShape = rowShape == null ? null : rowShape.clone();
        return self();
    }

    /**
     * Delivers only indices {@code [from, to)} of one inner dimension of the features, like
     * numpy's {@code x[:, ..., from:to, ...]}, narrowed on the workers while the rows are
     * copied. Several calls narrow several dimensions; {@link #featureShape} then reshapes the
     * narrowed row.
     *
     * @param dim  numpy axis of the dataset: 1 is the first inner dimension, negative values
     *             count from the end
     * @param from first index kept
     * @param to   end index, exclusive
     * @return this builder
     */
    public B selectFeatures(int dim, long from, long to) {
        selections.add(new long[] {dim, from, to});
        return self();
    }

    /**
     * @param names the class names in label order, returned by {@code getLabels()} instead of
     *              the file's {@code class_names} attribute; as many as label columns (checked
     *              at {@code build()})
     * @return this builder
     */
    public B labelNames(List<String> names) {
        if (names == null || names.isEmpty() || names.contains(null)) {
            throw new InvalidConfigurationException("labelNames must be a non-empty list without null");
        }
        this.labelNames = List.copyOf(names);
        return self();
    }

    /**
     * @param names the class names in label order (see {@link #labelNames(List)})
     * @return this builder
     */
    public B labelNames(String... names) {
        return labelNames(names == null ? null : java.util.Arrays.asList(names));
    }

    @Override
    B copy() {
        B b = super.copy();
        ((DataSetOptions<?>) b).selections = new ArrayList<>(selections);
        return b;
    }

    /** @return true when a labels dataset is set */
    boolean hasLabels() {
        return labels != null;
    }

    /**
     * @return the engine's inputs: the features, then the labels if set
     * @throws InvalidConfigurationException without features, or with one-hot but no labels
     */
    List<StreamEngine.Input> inputs() {
        if (features == null) {
            throw new InvalidConfigurationException("features(path) is required (" + describeFiles() + ")");
        }
        if (oneHot > 0 && labels == null) {
            throw new InvalidConfigurationException("oneHot(" + oneHot + ") needs labels(path) (" + describeFiles() + ")");
        }
        List<StreamEngine.Input> inputs = new ArrayList<>();
        inputs.add(new StreamEngine.Input(features, "features", 0, featureShape, featuresColumn, List.copyOf(selections)));
        if (labels != null) {
            inputs.add(new StreamEngine.Input(labels, "labels", oneHot, null, labelsColumn));
        }
        return inputs;
    }

    /**
     * The class names of the label columns: those given to {@link #labelNames(List)}, else the
     * {@link ClassNames#ATTRIBUTE} attribute of the labels dataset (dropped when the labels are
     * delivered as stored and the names do not name their columns).
     *
     * @param file          the first file, where the attribute is read
     * @param labelColumns  delivered label columns
     * @return the names, or null when there are none
     * @throws InvalidConfigurationException when the names are not one per label column
     */
    List<String> classNames(org.multitables4j.internal.hdf5.Hdf5File file, int labelColumns) {
        List<String> names = labelNames;
        if (labels == null) {
            return names;
        }
        if (names == null) {
            names = ClassNames.read(file, labels);
            if (names != null && oneHot == 0 && names.size() != labelColumns) {
                names = null; // class ids delivered as they are (no oneHot): the names do not name columns
            }
        }
        if (names != null && names.size() != labelColumns) {
            throw new InvalidConfigurationException((labelNames != null ? "labelNames(...) gives "
                    : "the " + ClassNames.ATTRIBUTE + " attribute of '" + labels + "' lists ") + names.size()
                    + " names for " + labelColumns + " label columns (" + describeFiles() + ")");
        }
        return names;
    }

    /** @return the features dataset, or null when not set (for {@link FeatureStatistics}) */
    String featuresPath() {
        return features;
    }

    /** @return the features column of a compound table, or null */
    String featuresColumn() {
        return featuresColumn;
    }

    /** @return the delivered feature row shape, or null for the stored one */
    long[] featureRowShape() {
        return featureShape == null ? null : featureShape.clone();
    }

    /** @return true when {@code selectFeatures} narrows the features */
    boolean featuresNarrowed() {
        return !selections.isEmpty();
    }
}
