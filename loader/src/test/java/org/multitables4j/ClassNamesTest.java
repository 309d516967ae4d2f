package org.multitables4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.dataset.DataSet;

/**
 * {@code getLabels()}: class names from the {@code class_names} attribute written by h5py (see
 * dl4j/make_dl4j_fixtures.py) on the labels dataset, its group or the root, or from
 * {@code labelNames(...)}; DL4J's {@code Evaluation} then prints them.
 */
class ClassNamesTest {
    static Path file(String name) {
        try {
            return Path.of(ClassNamesTest.class.getResource("/dl4j/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> labels(Path f, String x, String y) {
        try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(f).features(x).labels(y).oneHot(f.toString().contains("root") ? 2 : 3)
                .build()) {
            return it.getLabels();
        }
    }

    @Test
    void namesFromTheDatasetTheGroupOrTheRoot() {
        assertEquals(List.of("cat", "dog", "bird"), labels(file("labels.h5"), "/x", "/y"));
        assertEquals(List.of("a", "b", "c"), labels(file("labels.h5"), "/g/x", "/g/y"));
        assertEquals(List.of("zero", "one"), labels(file("root_names.h5"), "/x", "/y"));
        assertNull(labels(file("labels.h5"), "/x", "/y_plain"));
        try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(file("labels.h5")).features("/x").build()) {
            assertNull(it.getLabels());
        }
    }

    @Test
    void labelNamesOptionWinsAndIsChecked() {
        try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(file("labels.h5")).features("/x").labels("/y").oneHot(3)
                .labelNames("c0", "c1", "c2").build()) {
            assertEquals(List.of("c0", "c1", "c2"), it.getLabels());
        }
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> Hdf5DataSetIterator.builder(file("labels.h5")).features("/x").labels("/y").oneHot(4).build());
        assertTrue(e.getMessage().contains("class_names") && e.getMessage().contains("3 names for 4"), e.getMessage());
        assertThrows(InvalidConfigurationException.class,
                () -> Hdf5DataSetIterator.builder(file("labels.h5")).features("/x").labels("/y").oneHot(3)
                        .labelNames("a", "b").build());
    }

    @Test
    void evaluationPrintsTheNames() {
        try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(file("labels.h5")).features("/x").labels("/y").oneHot(3)
                .order(Order.ORDERED).build()) {
            Evaluation ev = new Evaluation(it.getLabels(), 1);
            while (it.hasNext()) {
                DataSet ds = it.next();
                ev.eval(ds.getLabels(), ds.getLabels());
            }
            String stats = ev.stats();
            assertTrue(stats.contains("cat") && stats.contains("dog") && stats.contains("bird"), stats);
            assertEquals(1.0, ev.accuracy());
        }
    }
}
