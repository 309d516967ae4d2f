package org.multitables4j.reader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.multitables4j.InvalidConfigurationException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Selection of ranges of any inner dimension, against the fixture formula (reader.h5, written by
 * h5py, see make_reader_fixtures.py): element k of row r holds b = (r*31 + k*7) % 200, floats
 * (b - 100) / 4, integers b - 100; the expected values of a selection are computed here from the
 * stored indices, element by element.
 */
class InnerSliceTest {
    static final long[] ROW = {6, 5, 4};

    static Path file() {
        try {
            return Path.of(InnerSliceTest.class.getResource("/reader/reader.h5").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The expected delivered row: the selected stored elements in row-major order. */
    static double[] expectedRow(long r, long[] lo, long[] hi, boolean integer) {
        int n = (int) ((hi[0] - lo[0]) * (hi[1] - lo[1]) * (hi[2] - lo[2]));
        double[] out = new double[n];
        int at = 0;
        for (long i = lo[0]; i < hi[0]; i++) {
            for (long j = lo[1]; j < hi[1]; j++) {
                for (long l = lo[2]; l < hi[2]; l++) {
                    long k = (i * ROW[1] + j) * ROW[2] + l;
                    double b = (r * 31 + k * 7) % 200 - 100;
                    out[at++] = integer ? b : b / 4;
                }
            }
        }
        return out;
    }

    static void check(INDArray a, long[] rows, long[] lo, long[] hi, boolean integer) {
        long[] shape = {rows.length, hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]};
        assertArrayEquals(shape, a.shape());
        for (int i = 0; i < rows.length; i++) {
            double[] want = expectedRow(rows[i], lo, hi, integer);
            double[] got = a.get(org.nd4j.linalg.indexing.NDArrayIndex.point(i)).dup().data().asDouble();
            assertArrayEquals(want, got, "row " + rows[i] + " of " + Arrays.toString(lo) + ".." + Arrays.toString(hi));
        }
    }

    static Request select(Request r, long[] lo, long[] hi) {
        for (int d = 0; d < 3; d++) {
            if (lo[d] != 0 || hi[d] != ROW[d]) {
                r = r.select(d + 1, lo[d], hi[d]);
            }
        }
        return r;
    }

    @Test
    void numpyStyleSelectionsOfAnyInnerDimension() {
        try (Hdf5Reader reader = Hdf5Reader.open(file(), 2)) {
            for (String path : new String[] {"/rank4", "/rank4_be", "/rank4_i2"}) {
                Hdf5Dataset ds = reader.dataset(path);
                boolean integer = path.endsWith("i2");
                Stage stage = ds.createStage(16, DataType.DOUBLE);
                // x[30:35, ..., :2]
                INDArray a = reader.request(ds.rows(30, 35).select(-1, 0, 2), stage).get();
                check(a, ReaderTest.range(30, 35), new long[] {0, 0, 0}, new long[] {6, 5, 2}, integer);
                // x[[7, 3, 39, 3], 2:5, :, 1:3]
                long[] idx = {7, 3, 39, 3};
                a = reader.request(ds.rows(idx).select(1, 2, 5).select(3, 1, 3), stage).get();
                check(a, idx, new long[] {2, 0, 1}, new long[] {5, 5, 3}, integer);
                // x[mask, :, 1:4, :] (the middle dimension only)
                boolean[] mask = new boolean[40];
                mask[0] = mask[13] = mask[39] = true;
                a = reader.request(ds.mask(mask).select(2, 1, 4), stage).get();
                check(a, new long[] {0, 13, 39}, new long[] {0, 1, 0}, new long[] {6, 4, 4}, integer);
                // x[4:16:3, 5:6, 4:5, 3:4] (one element per row)
                a = reader.request(ds.rows(4, 16, 3).select(1, 5, 6).select(2, 4, 5).select(3, 3, 4), stage).get();
                check(a, new long[] {4, 7, 10, 13}, new long[] {5, 4, 3}, new long[] {6, 5, 4}, integer);
            }
        }
    }

    @Test
    void randomSelectionsMatchTheFormulaInEveryStageType() {
        SplittableRandom rnd = new SplittableRandom(11);
        try (Hdf5Reader reader = Hdf5Reader.open(file(), 2, 16 << 10)) {
            for (String path : new String[] {"/rank4", "/rank4_be", "/rank4_i2"}) {
                Hdf5Dataset ds = reader.dataset(path);
                boolean integer = path.endsWith("i2");
                DataType nativeType = integer ? DataType.SHORT : path.endsWith("be") ? DataType.DOUBLE : DataType.FLOAT;
                for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE, nativeType}) {
                    Stage stage = ds.createStage(12, type);
                    for (int t = 0; t < 40; t++) {
                        long[] lo = new long[3];
                        long[] hi = new long[3];
                        for (int d = 0; d < 3; d++) {
                            lo[d] = rnd.nextLong(ROW[d]);
                            hi[d] = lo[d] + 1 + rnd.nextLong(ROW[d] - lo[d]);
                        }
                        long[] idx = rnd.longs(1 + rnd.nextInt(12), 0, 40).toArray();
                        Request r = select(ds.rows(idx), lo, hi);
                        assertArrayEquals(new long[] {idx.length, hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]}, r.shape());
                        check(reader.request(r, stage).get().castTo(DataType.DOUBLE), idx, lo, hi, integer);
                    }
                }
            }
        }
    }

    @Test
    void runsJoinEveryWholeInnerDimension() {
        try (Hdf5Reader reader = Hdf5Reader.open(file(), 1)) {
            Hdf5Dataset ds = reader.dataset("/rank4"); // rows of [6, 5, 4]
            Request.Runs whole = ds.rows(0, 2).runs();
            assertEquals(1, whole.offsets().length);
            assertEquals(120, whole.length());
            // x[:, 2:5]: one run of 3 * 5 * 4 elements from element 40
            Request.Runs outer = ds.rows(0, 2).select(1, 2, 5).runs();
            assertArrayEquals(new int[] {40}, outer.offsets());
            assertEquals(60, outer.length());
            // x[:, 1:3, 2:4]: 2 runs of 2 * 4 elements
            Request.Runs middle = ds.rows(0, 2).select(1, 1, 3).select(2, 2, 4).runs();
            assertArrayEquals(new int[] {28, 48}, middle.offsets());
            assertEquals(8, middle.length());
            // x[:, :, :, 1:3]: 30 runs of 2
            Request.Runs last = ds.rows(0, 2).select(-1, 1, 3).runs();
            assertEquals(30, last.offsets().length);
            assertEquals(2, last.length());
            assertEquals(117, last.offsets()[29]);
            // a full-range selection is no selection
            Request full = ds.rows(0, 2).select(2, 0, 5);
            assertFalse(full.selected());
            assertEquals(120, full.runs().length());
            // selecting a dimension again replaces its range
            Request again = ds.rows(0, 2).select(1, 0, 1).select(1, 2, 5);
            assertArrayEquals(new long[] {2, 3, 5, 4}, again.shape());
            assertEquals("/rank4[0:2, 2:5, :, :]", again.toString());
        }
    }

    @Test
    void stagesHoldRequestsByTheirNarrowedBytes() {
        try (Hdf5Reader reader = Hdf5Reader.open(file(), 2)) {
            Hdf5Dataset ds = reader.dataset("/rank4");
            Stage stage = ds.createStage(4); // 4 rows of 120 floats
            // 8 rows of half a row fit exactly
            long[] idx = {0, 1, 2, 3, 36, 37, 38, 39};
            try (StagedArray v = reader.request(ds.rows(idx).select(1, 3, 6), stage).acquire()) {
                check(v.array().castTo(DataType.DOUBLE), idx, new long[] {3, 0, 0}, new long[] {6, 5, 4}, false);
            }
            InvalidConfigurationException big = assertThrows(InvalidConfigurationException.class,
                    () -> reader.request(ds.rows(0, 9).select(1, 3, 6), stage));
            assertTrue(big.getMessage().contains("does not fit") && big.getMessage().contains("2160 bytes")
                    && big.getMessage().contains("1920 bytes"), big.getMessage());
            assertFalse(stage.busy());
            // 40 rows of one element fit a stage of one row
            Stage one = ds.createStage(1, DataType.DOUBLE);
            INDArray col = reader.request(ds.rows(0, 40).select(1, 5, 6).select(2, 4, 5).select(3, 3, 4), one).get();
            assertArrayEquals(new long[] {40, 1, 1, 1}, col.shape());
            check(col, ReaderTest.range(0, 40), new long[] {5, 4, 3}, new long[] {6, 5, 4}, false);
        }
    }

    @Test
    void badSelectionsFailWithClearErrors() {
        try (Hdf5Reader reader = Hdf5Reader.open(file(), 1)) {
            Hdf5Dataset ds = reader.dataset("/rank4");
            Request r = ds.rows(0, 2);
            IndexOutOfRangeException rows = assertThrows(IndexOutOfRangeException.class, () -> r.select(0, 0, 1));
            assertTrue(rows.getMessage().contains("inner dimensions 1..3") && rows.getMessage().contains("Hdf5Dataset.rows"),
                    rows.getMessage());
            assertThrows(IndexOutOfRangeException.class, () -> r.select(4, 0, 1));
            assertThrows(IndexOutOfRangeException.class, () -> r.select(-4, 0, 1));
            IndexOutOfRangeException out = assertThrows(IndexOutOfRangeException.class, () -> r.select(2, 3, 6));
            assertTrue(out.getMessage().contains("leaves dimension 2 of size 5") && out.getMessage().contains("/rank4"),
                    out.getMessage());
            assertThrows(IndexOutOfRangeException.class, () -> r.select(1, -1, 2));
            IndexOutOfRangeException empty = assertThrows(IndexOutOfRangeException.class, () -> r.select(3, 2, 2));
            assertTrue(empty.getMessage().contains("is empty"), empty.getMessage());
            assertThrows(IndexOutOfRangeException.class, () -> r.select(3, 3, 1));
            assertThrows(IndexOutOfRangeException.class, () -> ds.rows(0, 10, 0));
            assertThrows(IndexOutOfRangeException.class, () -> ds.rows(0, 41, 2));
            Hdf5Dataset flat = reader.dataset("/small_labels"); // one dimension
            IndexOutOfRangeException none = assertThrows(IndexOutOfRangeException.class, () -> flat.rows(0, 2).select(0, 1));
            assertTrue(none.getMessage().contains("no inner dimension"), none.getMessage());
        }
    }
}
