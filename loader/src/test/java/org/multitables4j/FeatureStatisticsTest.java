package org.multitables4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jhdf.HdfFile;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.preprocessor.NormalizerMinMaxScaler;
import org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize;

/**
 * {@link FeatureStatistics} against numpy's mean, population std, min and max of stats.h5
 * (stats/make_stats_fixture.py: float32 gzip + shuffle, big-endian float64, contiguous int16, a
 * vector column of a compound table, a large offset with a small spread, a column with a NaN,
 * whose statistics are NaN as numpy's), over the whole dataset and over a row range that cuts
 * chunks (and misses the NaN), for several thread counts; and the normalizers it makes
 * against DL4J's own {@code fit(iterator)} over the iterator built from the same builder.
 */
class FeatureStatisticsTest {
    private static final Path FILE = resource();

    private static Path resource() {
        try {
            return Path.of(FeatureStatisticsTest.class.getResource("/stats/stats.h5").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double[] numpy(String name, String part, String stat) {
        try (HdfFile f = new HdfFile(FILE)) {
            return (double[]) f.getDatasetByPath("/expected/" + name + "/" + part + "/" + stat).getData();
        }
    }

    private static Hdf5DataSetIterator.Builder builder(String name) {
        Hdf5DataSetIterator.Builder b = Hdf5DataSetIterator.builder(FILE).batchSize(64);
        return name.equals("table_v") ? b.features("/table", "v") : b.features("/" + name);
    }

    private static void assertClose(double[] expected, double[] actual, double rel, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int j = 0; j < expected.length; j++) {
            if (Double.isNaN(expected[j])) {
                assertTrue(Double.isNaN(actual[j]), what + "[" + j + "] is NaN, as numpy's");
            } else {
                assertEquals(expected[j], actual[j], rel * Math.max(1, Math.abs(expected[j])), what + "[" + j + "]");
            }
        }
    }

    private static void assertEqualsNumpy(FeatureStatistics s, String name, String part) {
        String what = name + " " + part + " ";
        assertClose(numpy(name, part, "mean"), s.mean(), 1e-12, what + "mean");
        assertClose(numpy(name, part, "std"), s.std(), 1e-12, what + "std");
        assertClose(numpy(name, part, "min"), s.min(), 0, what + "min");
        assertClose(numpy(name, part, "max"), s.max(), 0, what + "max");
    }

    @ParameterizedTest
    @CsvSource({"f4, 1", "f4, 3", "offset, 2", "f8_be, 2", "i2, 1", "i2, 2", "table_v, 2", "nan, 2"})
    void equalsNumpyOverTheWholeDataset(String name, int workers) {
        FeatureStatistics s = FeatureStatistics.of(builder(name).workers(workers));
        assertEquals(5000, s.count());
        assertEqualsNumpy(s, name, "all");
        if (name.equals("nan")) {
            assertTrue(Double.isNaN(s.min()[1]) && Double.isNaN(s.max()[1]) && Double.isNaN(s.std()[1]) && !Double.isNaN(s.min()[0]));
        }
    }

    @ParameterizedTest
    @CsvSource({"f4, 1", "f4, 4", "offset, 2", "f8_be, 3", "i2, 2", "table_v, 2", "nan, 2"})
    void equalsNumpyOverARowRangeThatCutsChunks(String name, int workers) {
        FeatureStatistics s = FeatureStatistics.of(builder(name).rows(1234, 4321).workers(workers));
        assertEquals(4321 - 1234, s.count());
        assertEqualsNumpy(s, name, "range");
    }

    @Test
    void severalFilesAreOneDataset() {
        // the same file twice: twice the rows, the same statistics
        FeatureStatistics s = FeatureStatistics.of(Hdf5DataSetIterator.builder(List.of(FILE, FILE)).features("/f4").workers(3));
        assertEquals(10000, s.count());
        assertEqualsNumpy(s, "f4", "all");
        // rows [5000 + 1234, 5000 + 4321) lie in the second file
        FeatureStatistics r = FeatureStatistics.of(Hdf5DataSetIterator.builder(List.of(FILE, FILE)).features("/f4")
                .rows(5000 + 1234, 5000 + 4321).workers(2));
        assertEqualsNumpy(r, "f4", "range");
    }

    private static INDArray firstBatchTransformed(Hdf5DataSetIterator.Builder b, org.nd4j.linalg.dataset.api.preprocessor.DataNormalization n) {
        try (Hdf5DataSetIterator it = b.order(Order.ORDERED).copyBatches(true).build()) {
            DataSet ds = it.next();
            n.preProcess(ds);
            return ds.getFeatures();
        }
    }

    @ParameterizedTest
    @CsvSource({"f4", "f8_be", "table_v"})
    void standardizeEqualsDl4jsFitOverTheIterator(String name) {
        Hdf5DataSetIterator.Builder b = builder(name).rowFraction(0, 0.8).order(Order.SHUFFLED).workers(2);
        NormalizerStandardize dl4j = new NormalizerStandardize();
        try (Hdf5DataSetIterator it = b.build()) {
            dl4j.fit(it);
        }
        NormalizerStandardize ours = FeatureStatistics.of(b).standardize();
        assertEquals(dl4j.getMean().dataType(), ours.getMean().dataType());
        assertArrayEquals(dl4j.getMean().shape(), ours.getMean().shape());
        assertArrayEquals(dl4j.getStd().shape(), ours.getStd().shape());
        assertClose(dl4j.getMean().castTo(DataType.DOUBLE).toDoubleVector(), ours.getMean().castTo(DataType.DOUBLE).toDoubleVector(),
                1e-5, name + " mean");
        assertClose(dl4j.getStd().castTo(DataType.DOUBLE).toDoubleVector(), ours.getStd().castTo(DataType.DOUBLE).toDoubleVector(),
                1e-5, name + " std");
        INDArray a = firstBatchTransformed(b, dl4j);
        INDArray c = firstBatchTransformed(b, ours);
        assertTrue(a.equalsWithEps(c, 1e-4), name + ": the same batch standardized by both");
    }

    @Test
    void minMaxEqualsDl4jsFitOverTheIterator() {
        Hdf5DataSetIterator.Builder b = builder("i2").rows(1234, 4321).order(Order.RANDOM).workers(2);
        NormalizerMinMaxScaler dl4j = new NormalizerMinMaxScaler(-1, 1);
        try (Hdf5DataSetIterator it = b.build()) {
            dl4j.fit(it);
        }
        NormalizerMinMaxScaler ours = FeatureStatistics.of(b).minMax(-1, 1);
        assertEquals(dl4j.getMin(), ours.getMin());
        assertEquals(dl4j.getMax(), ours.getMax());
        assertEquals(-1, ours.getTargetMin());
        assertEquals(1, ours.getTargetMax());
        assertTrue(firstBatchTransformed(b, dl4j).equalsWithEps(firstBatchTransformed(b, ours), 1e-6));
    }

    @Test
    void doubleBatchesGetDoubleStatistics() {
        Hdf5DataSetIterator.Builder b = builder("f8_be").dataType(DataType.DOUBLE);
        NormalizerStandardize dl4j = new NormalizerStandardize();
        try (Hdf5DataSetIterator it = b.build()) {
            dl4j.fit(it);
        }
        NormalizerStandardize ours = FeatureStatistics.of(b).standardize();
        assertEquals(DataType.DOUBLE, ours.getMean().dataType());
        assertEquals(dl4j.getMean().dataType(), ours.getMean().dataType());
        assertClose(numpy("f8_be", "all", "mean"), ours.getMean().toDoubleVector(), 1e-12, "mean");
    }

    @Test
    void whatItDoesNotCoverFailsNamingTheAlternative() {
        InvalidConfigurationException img = assertThrows(InvalidConfigurationException.class,
                () -> FeatureStatistics.of(builder("img")));
        assertTrue(img.getMessage().contains("fit(iterator)") && img.getMessage().contains("stats.h5"), img.getMessage());
        assertThrows(InvalidConfigurationException.class, () -> FeatureStatistics.of(builder("f4").featureShape(7, 1)));
        InvalidConfigurationException sel = assertThrows(InvalidConfigurationException.class,
                () -> FeatureStatistics.of(builder("f4").selectFeatures(1, 0, 3)));
        assertTrue(sel.getMessage().contains("selectFeatures"), sel.getMessage());
        InvalidConfigurationException seq = assertThrows(InvalidConfigurationException.class,
                () -> FeatureStatistics.of(builder("f4").paddedSequences("/i2")));
        assertTrue(seq.getMessage().contains("sequences"), seq.getMessage());
        assertThrows(InvalidConfigurationException.class, () -> FeatureStatistics.of(Hdf5DataSetIterator.builder(FILE)));
        InvalidConfigurationException missing = assertThrows(InvalidConfigurationException.class,
                () -> FeatureStatistics.of(builder("f4").features("/nope")));
        assertTrue(missing.getMessage().contains("/nope"), missing.getMessage());
        InvalidConfigurationException empty = assertThrows(InvalidConfigurationException.class,
                () -> FeatureStatistics.of(Hdf5DataSetIterator.builder(Hdf5DataSetIteratorTest.fixture()).features("/empty")));
        assertTrue(empty.getMessage().contains("no rows"), empty.getMessage());
        // a one-dimensional featureShape is the stored row
        assertEqualsNumpy(FeatureStatistics.of(builder("f4").featureShape(7)), "f4", "all");
    }
}
