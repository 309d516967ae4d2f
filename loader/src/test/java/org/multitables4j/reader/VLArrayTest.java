package org.multitables4j.reader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.multitables4j.InvalidConfigurationException;
import org.multitables4j.IteratorClosedException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * PyTables VLArrays through the reader, as ragged rows. References are the formulas of
 * make_tables_fixture.py: {@code /vl_int} (int32, shuffle + zlib, 50 rows): row r =
 * {@code arange(r % 7) * (r + 1)}; {@code /vl_f64} (float64, no filter, 20 rows): row r =
 * {@code linspace(0, 1, r + 1) * r}.
 */
class VLArrayTest {
    static double[] intRow(long r) {
        double[] v = new double[(int) (r % 7)];
        for (int i = 0; i < v.length; i++) {
            v[i] = i * (r + 1);
        }
        return v;
    }

    static double[] f64Row(long r) {
        double[] v = new double[(int) r + 1];
        for (int i = 0; i <= r; i++) {
            v[i] = (r == 0 ? 0 : (double) i / r) * r;
        }
        return v;
    }

    @Test
    void raggedRowsMatchPyTables() {
        try (Hdf5Reader reader = Hdf5Reader.open(TablesFixture.file(), 2)) {
            Hdf5VLArray vi = reader.vlarray("/vl_int");
            assertEquals(50, vi.rows());
            assertEquals("<i4", vi.dtype());
            RaggedArray all = vi.read(0, 50);
            assertEquals(50, all.rows());
            assertEquals(DataType.INT, all.values().dataType());
            long at = 0;
            for (int r = 0; r < 50; r++) {
                assertEquals(at, all.offsets()[r]);
                assertEquals(r % 7, all.length(r));
                assertArrayEquals(intRow(r), TablesFixture.values(all.row(r)), 0, "row " + r);
                at += r % 7;
            }
            assertEquals(at, all.values().length());
            RaggedArray some = vi.read(new long[] {13, 7, -1, 13});
            assertArrayEquals(new long[] {0, 6, 6, 6, 12}, some.offsets());
            assertArrayEquals(intRow(49), TablesFixture.values(some.row(2)), 0);
            assertEquals(0, vi.row(14).length());

            Hdf5VLArray vf = reader.vlarray("/vl_f64");
            for (int r = 0; r < 20; r++) {
                assertArrayEquals(f64Row(r), TablesFixture.values(vf.row(r)), 1e-12, "row " + r);
            }
            assertArrayEquals(new long[] {0, 4, 9}, vf.read(3, 5).offsets());
            assertEquals(9, vf.read(3, 5).values().length());

            assertThrows(IndexOutOfRangeException.class, () -> vi.read(0, 51));
            assertThrows(IndexOutOfRangeException.class, () -> vi.row(50));
            assertThrows(InvalidConfigurationException.class, () -> reader.vlarray("/cube"));
            reader.close();
            assertThrows(IteratorClosedException.class, () -> vi.read(0, 1));
        }
    }

    /** Padding and masks for a recurrent network: rows 5..12 of /vl_int (lengths 5, 6, 0, 1, ...), padded to 8 steps. */
    @Test
    void paddedRowsAndMasks() {
        try (Hdf5Reader reader = Hdf5Reader.open(TablesFixture.file(), 1)) {
            RaggedArray r = reader.vlarray("/vl_int").read(5, 13);
            assertEquals(6, r.maxLength());
            INDArray padded = r.padded(8);
            INDArray mask = r.mask(8);
            assertArrayEquals(new long[] {8, 8}, padded.shape());
            assertEquals(DataType.INT, padded.dataType());
            assertEquals(DataType.FLOAT, mask.dataType());
            for (int i = 0; i < 8; i++) {
                double[] want = intRow(5 + i);
                for (int s = 0; s < 8; s++) {
                    assertEquals(s < want.length ? want[s] : 0, padded.getDouble(i, s), 0, "row " + (5 + i) + " step " + s);
                    assertEquals(s < want.length ? 1 : 0, mask.getDouble(i, s), 0, "mask of row " + (5 + i) + " step " + s);
                }
            }
            assertThrows(IndexOutOfRangeException.class, () -> r.padded(5));
        }
    }
}
