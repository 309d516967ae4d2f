package org.multitables4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/** Several datasets in lockstep, checked row by row against the ids the fixture stores. */
class Hdf5MultiDataSetIteratorTest {

    @Test
    void inputsAndOutputsStayInLockstep() {
        try (Hdf5MultiDataSetIterator it = Hdf5MultiDataSetIterator.builder(Hdf5DataSetIteratorTest.fixture())
                .input("/x").input("/x_f8_be", 2, 2).input("/x_contig").outputOneHot("/y", 10).output("/y_contig")
                .batchSize(77).order(Order.SHUFFLED).workers(2).seed(9).build()) {
            boolean[] seen = new boolean[Hdf5DataSetIteratorTest.N];
            int n = 0;
            while (it.hasNext()) {
                MultiDataSet m = it.next();
                assertEquals(3, m.numFeatureArrays());
                assertEquals(2, m.numLabelsArrays());
                INDArray a = m.getFeatures(0);
                INDArray b = m.getFeatures(1);
                INDArray c = m.getFeatures(2);
                assertArrayEquals(new long[] {a.size(0), 2, 2}, b.shape());
                for (int i = 0; i < a.size(0); i++) {
                    int id = (int) a.getFloat(i, 0);
                    assertEquals(id, (int) b.getFloat(i, 0, 0));
                    assertEquals(2 * id, (int) b.getFloat(i, 0, 1));
                    assertEquals(id % 7, (int) c.getFloat(i, 3));
                    assertEquals(1f, m.getLabels(0).getFloat(i, id % 10));
                    assertEquals(id % 10, (int) m.getLabels(1).getFloat(i, 0));
                    assertTrue(!seen[id], "row " + id + " twice");
                    seen[id] = true;
                    n++;
                }
            }
            assertEquals(Hdf5DataSetIteratorTest.N, n);
        }
    }

    @Test
    void needsAnInputAndEqualRowCounts() {
        assertThrows(InvalidConfigurationException.class,
                () -> Hdf5MultiDataSetIterator.builder(Hdf5DataSetIteratorTest.fixture()).output("/y").build());
        String m = assertThrows(InvalidConfigurationException.class,
                () -> Hdf5MultiDataSetIterator.builder(Hdf5DataSetIteratorTest.fixture()).input("/x").input("/y_short").build())
                .getMessage();
        assertTrue(m.contains("/y_short") && m.contains("9999"), m);
    }

    @Test
    void nextWithAnotherBatchSizeIsRefusedAndTheEpochGoesOn() {
        try (Hdf5MultiDataSetIterator it = Hdf5MultiDataSetIterator.builder(Hdf5DataSetIteratorTest.fixture())
                .input("/x").output("/y").batchSize(96).order(Order.ORDERED).build()) {
            assertThrows(UnsupportedOperationException.class, () -> it.next(10));
            // the refusal consumed nothing: the first batch is still rows 0..95 (column 0 = row id)
            org.nd4j.linalg.dataset.api.MultiDataSet mds = it.next();
            assertEquals(96, mds.getFeatures(0).size(0));
            assertEquals(0f, mds.getFeatures(0).getFloat(0, 0));
            assertEquals(95f, mds.getFeatures(0).getFloat(95, 0));
        }
    }
}
