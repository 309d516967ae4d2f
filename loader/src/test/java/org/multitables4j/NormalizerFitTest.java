package org.multitables4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jhdf.HdfFile;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.preprocessor.ImagePreProcessingScaler;
import org.nd4j.linalg.dataset.api.preprocessor.NormalizerMinMaxScaler;
import org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize;

/**
 * DL4J's normalizers fitted from our iterator (their {@code fit(DataSetIterator)} streams the
 * batches and resets the iterator) against the statistics numpy computed when writing
 * labels.h5 (dl4j/make_dl4j_fixtures.py; read here with jhdf directly), then applied on the
 * workers as the iterator's preprocessor.
 */
class NormalizerFitTest {
    private static final Path FILE = ClassNamesTest.file("labels.h5");

    private static double[] expected(String name) {
        try (HdfFile f = new HdfFile(FILE)) {
            Object d = f.getDatasetByPath("/stats/" + name).getData();
            if (d instanceof double[] v) {
                return v;
            }
            double[][][][] img = (double[][][][]) d;
            double[] flat = new double[img.length * 16];
            int at = 0;
            for (double[][][] r : img) {
                for (double[] row : r[0]) {
                    for (double v : row) {
                        flat[at++] = v;
                    }
                }
            }
            return flat;
        }
    }

    private static double[] toDoubles(INDArray a) {
        return a.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).reshape(-1).toDoubleVector();
    }

    private static Hdf5DataSetIterator.Builder base() {
        return Hdf5DataSetIterator.builder(FILE).features("/x").labels("/y").oneHot(3).batchSize(32).order(Order.RANDOM)
                .workers(2);
    }

    @Test
    void standardizeFitsTheNumpyMeanAndPopulationStd() {
        try (Hdf5DataSetIterator it = base().build()) {
            NormalizerStandardize norm = new NormalizerStandardize();
            norm.fit(it);
            assertArrayEquals(expected("mean"), toDoubles(norm.getMean()), 1e-4);
            assertArrayEquals(expected("std"), toDoubles(norm.getStd()), 1e-4);
            // applied on the workers: the standardized features have mean 0 and std 1
            it.setPreProcessor(norm);
            it.reset();
            double sum = 0;
            double sq = 0;
            long count = 0;
            while (it.hasNext()) {
                INDArray f = it.next().getFeatures();
                sum += f.sumNumber().doubleValue();
                sq += f.mul(f).sumNumber().doubleValue();
                count += f.length();
            }
            assertEquals(0, sum / count, 1e-4);
            assertEquals(1, sq / count, 1e-3);
        }
    }

    @Test
    void minMaxFitsTheNumpyRange() {
        try (Hdf5DataSetIterator it = base().build()) {
            NormalizerMinMaxScaler norm = new NormalizerMinMaxScaler(0, 1);
            norm.fit(it);
            assertArrayEquals(expected("min"), toDoubles(norm.getMin()), 1e-5);
            assertArrayEquals(expected("max"), toDoubles(norm.getMax()), 1e-5);
        }
    }

    @Test
    void imageScalerOnTheWorkersEqualsNumpy() {
        try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(FILE).features("/img").batchSize(8).order(Order.ORDERED)
                .build()) {
            it.setPreProcessor(new ImagePreProcessingScaler(0, 1));
            DataSet ds = it.next();
            assertArrayEquals(expected("img_scaled_first"), toDoubles(ds.getFeatures()), 1e-6);
        }
    }
}
