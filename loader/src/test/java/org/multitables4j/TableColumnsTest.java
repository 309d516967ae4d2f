package org.multitables4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Columns of compound datasets (PyTables table, h5py structured arrays; make_table_fixtures.py)
 * against the formula b = (r*31 + k*7) % 200.
 */
class TableColumnsTest {
    static Path tables() {
        try {
            return Path.of(TableColumnsTest.class.getResource("/fixtures/tables.h5").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static double f(long r, long k) {
        return ((r * 31 + k * 7) % 200 - 100) / 4.0;
    }

    @ParameterizedTest
    @ValueSource(strings = {"ORDERED", "SHUFFLED", "RANDOM"})
    void pytablesColumnsAsFeaturesAndOneHotLabels(Order order) {
        try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(tables()).features("/pytable", "vec")
                .labels("/pytable", "label").oneHot(10).batchSize(96).order(order).workers(2).build()) {
            boolean[] seen = new boolean[1000];
            int n = 0;
            while (it.hasNext()) {
                DataSet ds = it.next();
                INDArray x = ds.getFeatures();
                assertEquals(4, x.size(1));
                for (int i = 0; i < x.size(0); i++) {
                    // recover the row from the label and the first value: b(0) = (31 r) % 200 is unique per r mod 200
                    int label = ds.getLabels().argMax(1).getInt(i);
                    int r = -1;
                    for (int cand = label; cand < 1000; cand += 10) {
                        if (f(cand, 0) == x.getDouble(i, 0) && f(cand, 3) == x.getDouble(i, 3) && !seen[cand]) {
                            r = cand;
                            break;
                        }
                    }
                    assertTrue(r >= 0, "row content matches some unseen row with label " + label);
                    seen[r] = true;
                    for (int k = 0; k < 4; k++) {
                        assertEquals(f(r, k), x.getDouble(i, k));
                    }
                    n++;
                }
            }
            assertEquals(1000, n);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/structured", "/structured_contig"})
    void structuredArrayColumnsInLockstep(String path) {
        try (Hdf5MultiDataSetIterator it = Hdf5MultiDataSetIterator.builder(tables()).inputColumn(path, "id")
                .inputColumn(path, "feat").outputColumn(path, "y", 7).outputColumn("/pytable", "small", 0)
                .batchSize(64).order(Order.SHUFFLED).seed(4).build()) {
            int n = 0;
            while (it.hasNext()) {
                MultiDataSet m = it.next();
                for (int i = 0; i < m.getFeatures(0).size(0); i++) {
                    int r = m.getFeatures(0).getInt(i, 0);
                    for (int k = 0; k < 3; k++) {
                        assertEquals(f(r, k), m.getFeatures(1).getDouble(i, k), "big-endian float64 column, row " + r);
                    }
                    assertEquals(1.0, m.getLabels(0).getDouble(i, r % 7));
                    assertEquals(4 * f(r, 0), m.getLabels(1).getDouble(i, 0), "int16 column of the other table");
                    n++;
                }
            }
            assertEquals(1000, n);
        }
    }

    @Test
    void tablesNeedAColumnAndColumnsMustExist() {
        UnsupportedHdf5Exception e = assertThrows(UnsupportedHdf5Exception.class,
                () -> Hdf5DataSetIterator.builder(tables()).features("/pytable").build());
        assertTrue(e.getMessage().contains("label") && e.getMessage().contains("vec"), "lists the columns: " + e.getMessage());
        InvalidConfigurationException c = assertThrows(InvalidConfigurationException.class,
                () -> Hdf5DataSetIterator.builder(tables()).features("/pytable", "nope").build());
        assertTrue(c.getMessage().contains("nope") && c.getMessage().contains("/pytable"), c.getMessage());
        assertThrows(InvalidConfigurationException.class,
                () -> Hdf5DataSetIterator.builder(tables()).features("/structured", "id").labels("/structured_contig", "zz").build());
        try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(tables()).features("/pytable", "vec").build()) {
            assertEquals(4, it.inputColumns());
            assertArrayEquals(new long[] {32, 4}, it.next().getFeatures().shape());
        }
    }
}
