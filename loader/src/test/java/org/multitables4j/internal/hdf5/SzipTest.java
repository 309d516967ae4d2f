package org.multitables4j.internal.hdf5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.multitables4j.Hdf5DataSetIterator;
import org.multitables4j.Order;
import org.multitables4j.UnsupportedHdf5Exception;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * szip.h5 (make_type_fixtures.py): h5py datasets with HDF5's szip filter (4) in both options
 * masks (entropy coding and nearest neighbour), pixels per block 4 to 32, float, double and
 * integers of both byte orders, compared byte for byte with the same values stored without a
 * filter under /expected. Decoded through libaec when the native library has it; otherwise the
 * dataset must be refused with a message naming the filter and what to install.
 */
class SzipTest {
    static final List<String> NAMES = List.of("f4be_ec_16", "f4be_nn_32", "f4le_ec_16", "f4le_nn_8", "f8be_ec_4",
            "f8be_nn_32", "f8le_ec_4", "f8le_nn_8", "i2be_ec_16", "i2be_nn_8", "i2le_ec_16", "i2le_nn_32", "i4be_ec_4",
            "i4be_nn_8", "i4le_ec_4", "i4le_nn_32", "u1_ec_16", "u1_nn_8");

    static Path file() {
        return Fixtures.resource("szip.h5");
    }

    @ParameterizedTest
    @ValueSource(strings = {"f4be_ec_16", "f4be_nn_32", "f4le_ec_16", "f4le_nn_8", "f8be_ec_4", "f8be_nn_32",
        "f8le_ec_4", "f8le_nn_8", "i2be_ec_16", "i2be_nn_8", "i2le_ec_16", "i2le_nn_32", "i4be_ec_4", "i4be_nn_8",
        "i4le_ec_4", "i4le_nn_32", "u1_ec_16", "u1_nn_8"})
    void equalsTheUnfilteredCopy(String name) {
        assumeTrue(NativeCodecs.szipAvailable(), "built without libaec");
        try (Hdf5File f = Hdf5File.open(file())) {
            Hdf5Array a = f.array("/szip/" + name);
            assertTrue(a.describeFilters().contains("(4)"), a.describeFilters());
            assertTrue(a.ownDecodePath(), a.describeFilters());
            Hdf5Array e = f.array("/expected/" + name.substring(0, name.indexOf('_')));
            assertEquals(e.elementType(), a.elementType());
            ByteBuffer got = ElementTypesTest.stored(a);
            ByteBuffer want = ElementTypesTest.stored(e);
            assertEquals(want, got, name);
            assertTrue(a.blockCount() > 1 && a.rows() % a.blockRows() != 0, "several chunks, a partial edge chunk");
        }
    }

    /** The same through the iterator (2 workers, shuffled batches), as DOUBLE values. */
    @Test
    void streamsThroughTheIterator() {
        assumeTrue(NativeCodecs.szipAvailable(), "built without libaec");
        for (String name : new String[] {"f8be_nn_32", "i2le_ec_16"}) {
            double[] want = all("/expected/" + name.substring(0, name.indexOf('_')));
            double[] got = all("/szip/" + name);
            assertArrayEquals(want, got, name);
            assertTrue(Arrays.stream(want).distinct().count() > 10, name);
        }
    }

    private static double[] all(String path) {
        try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(file()).features(path).order(Order.ORDERED)
                .batchSize(70).workers(2).dataType(DataType.DOUBLE).build()) {
            java.util.List<double[]> parts = new java.util.ArrayList<>();
            int n = 0;
            while (it.hasNext()) {
                INDArray x = it.next().getFeatures();
                double[] v = x.dup().data().asDouble();
                parts.add(v);
                n += v.length;
            }
            double[] all = new double[n];
            int at = 0;
            for (double[] p : parts) {
                System.arraycopy(p, 0, all, at, p.length);
                at += p.length;
            }
            return all;
        }
    }

    /** Without libaec in the native library, opening an szip dataset names the filter and what to install. */
    @Test
    void withoutLibaecTheFilterAndTheFixAreNamed() {
        assumeTrue(!NativeCodecs.szipAvailable(), "built with libaec");
        try (Hdf5File f = Hdf5File.open(file())) {
            UnsupportedHdf5Exception e = org.junit.jupiter.api.Assertions.assertThrows(UnsupportedHdf5Exception.class,
                    () -> f.array("/szip/f4le_nn_8"));
            assertTrue(e.getMessage().contains("szip (filter 4)") && e.getMessage().contains("libaec-dev")
                    && e.getMessage().contains("/szip/f4le_nn_8"), e.getMessage());
        }
    }

    /** The client data really covers both options masks and several block sizes (HDF5's cd: mask, ppb, bpp, pps). */
    @Test
    void theFixturesCoverBothCodingsAndSeveralBlockSizes() {
        assertEquals(18, NAMES.size());
        assertTrue(NAMES.stream().anyMatch(n -> n.contains("_nn_")) && NAMES.stream().anyMatch(n -> n.contains("_ec_")));
        assertEquals(4, NAMES.stream().map(n -> n.substring(n.lastIndexOf('_'))).distinct().count());
        assertTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN);
    }
}
