package org.multitables4j.reader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.multitables4j.MultitablesException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * numpy's indexing through the reader: scalar rows that drop the row dimension, steps, index
 * lists, masks and scalar indices on inner dimensions, negative indices, typed range errors.
 * Each request is compared with what numpy returned for the same index on the same data, stored
 * in tables.h5 by make_tables_fixture.py ({@code /cube} is float32 [40, 6, 5, 4], chunks
 * [7, 3, 5, 2]).
 */
class ReaderIndexingTest {

    private static void check(Hdf5Reader reader, Function<Hdf5Dataset, Request> make, String expected) {
        Hdf5Dataset ds = reader.dataset("/cube");
        Request r = make.apply(ds);
        TablesFixture.Expected e = TablesFixture.expected(expected);
        assertArrayEquals(e.shape(), r.shape(), expected + ": shape of " + r);
        Stage stage = ds.createStage(40, DataType.DOUBLE);
        INDArray copy = reader.request(r, stage).get();
        assertArrayEquals(e.shape(), copy.shape(), expected + ": delivered shape");
        assertArrayEquals(e.values(), TablesFixture.values(copy), 0, expected + ": values of " + r);
        // the same through a view of a FLOAT pool
        StagePool pool = ds.createStagePool(40, 2);
        try (StagedArray v = reader.request(r, pool).acquire()) {
            assertArrayEquals(e.shape(), v.array().shape(), expected + ": view shape");
            assertArrayEquals(e.values(), TablesFixture.values(v.array()), 0, expected + ": view values");
        }
    }

    @Test
    void scalarRowsDropTheRowDimension() {
        try (Hdf5Reader reader = Hdf5Reader.open(TablesFixture.file(), 2)) {
            check(reader, ds -> ds.row(7), "cube_row7");                       // x[7]
            check(reader, ds -> ds.row(-1), "cube_rowm1");                     // x[-1]
            check(reader, ds -> ds.row(12).at(1, 3).at(2, 4).at(3, 1), "cube_scalar_all"); // x[12, 3, 4, 1]
        }
    }

    @Test
    void stepsListsMasksAndScalarsOnInnerDimensions() {
        boolean[] rowMask = new boolean[40];
        for (int i = 0; i < 40; i++) {
            rowMask[i] = i % 3 == 1;
        }
        boolean[] mask5 = {true, false, true, true, false};
        try (Hdf5Reader reader = Hdf5Reader.open(TablesFixture.file(), 3)) {
            // x[3:30, ::2, [1, 3]]
            check(reader, ds -> ds.rows(3, 30).select(1, 0, 6, 2).select(2, new long[] {1, 3}), "cube_step");
            // x[mask, :, 2]
            check(reader, ds -> ds.mask(rowMask).at(2, 2), "cube_mask_scalar");
            // x[-5:-1, -2:, mask5, -1]
            check(reader, ds -> ds.rows(-5, -1).select(1, -2, 6).select(2, mask5).at(-1, -1), "cube_neg");
            // x[[4, 0, 4, 39]][:, 1:6:2][:, :, [4, 0, 2]][:, :, :, 1:]  (orthogonal lists)
            check(reader, ds -> ds.rows(new long[] {4, 0, 4, -1}).select(1, 1, 6, 2).select(2, new long[] {4, 0, -3})
                    .select(3, 1, 4), "cube_idx_step");
            // x[10:12][:, [5, 2, 2, 0]][:, :, :, [3, 1]]
            check(reader, ds -> ds.rows(10, 12).select(1, new long[] {5, 2, 2, 0}).select(-1, new long[] {3, 1}),
                    "cube_inner_rev");
        }
    }

    @Test
    void outOfRangeIsATypedErrorNamingTheDataset() {
        try (Hdf5Reader reader = Hdf5Reader.open(TablesFixture.file(), 1)) {
            Hdf5Dataset ds = reader.dataset("/cube");
            Request r = ds.rows(0, 4);
            Runnable[] bad = {
                () -> ds.row(40), () -> ds.row(-41), () -> ds.rows(new long[] {0, 40}), () -> ds.rows(-41, 3),
                () -> ds.rows(0, 41, 2), () -> r.select(1, new long[] {6}), () -> r.select(1, new long[] {-7}),
                () -> r.at(3, 4), () -> r.at(3, -5), () -> r.select(2, new boolean[4]), () -> r.select(2, new boolean[5]),
                () -> r.select(1, 0, 6, 0), () -> r.select(1, 4, 2), () -> r.select(1, new long[0]), () -> r.at(0, 1),
                () -> r.at(4, 0),
            };
            for (Runnable b : bad) {
                IndexOutOfRangeException e = assertThrows(IndexOutOfRangeException.class, b::run);
                assertTrue(e.getMessage().contains("/cube"), e.getMessage());
                assertTrue(e instanceof MultitablesException);
            }
        }
    }

    /**
     * multitables v2 test_indexing, {@code test_table['col_A'][30:35, mask]} with a mask that is
     * not a range ({@code np.arange(100) % 3 == 0} on multitables.h5's col_A [100, 40]), and
     * {@code test_array[4:16:2, ..., 7]}: references from the fixture's formulas.
     */
    @Test
    void multitablesMasksOnInnerDimensions() {
        try (Hdf5Reader reader = Hdf5Reader.open(MultitablesPortTest.file(), 2)) {
            Hdf5Dataset colA = reader.column("/test_table", "col_A");
            boolean[] mask = new boolean[100];
            int kept = 0;
            for (int i = 0; i < 100; i++) {
                mask[i] = i % 3 == 0;
                kept += mask[i] ? 1 : 0;
            }
            INDArray got = reader.request(colA.rows(30, 35).select(1, mask), colA.createStage(5)).get();
            assertArrayEquals(new long[] {5, kept, 40}, got.shape());
            double[] want = new double[5 * kept * 40];
            int at = 0;
            for (long r = 30; r < 35; r++) {
                for (int i = 0; i < 100; i += 3) {
                    for (int j = 0; j < 40; j++) {
                        want[at++] = (r * 31 + (i * 40 + j) * 7) % 200;
                    }
                }
            }
            assertArrayEquals(want, TablesFixture.values(got), 0);

            Hdf5Dataset array = reader.dataset("/test_array");
            INDArray a = reader.request(array.rows(4, 16, 2).at(-1, 7), array.createStage(6)).get();
            assertArrayEquals(new long[] {6, 10}, a.shape());
            double[] wa = new double[60];
            for (int k = 0; k < 6; k++) {
                for (int i = 0; i < 10; i++) {
                    wa[k * 10 + i] = (4 + 2 * k) * 100 + i * 10 + 7;
                }
            }
            assertArrayEquals(wa, TablesFixture.values(a), 0);
        }
    }
}
