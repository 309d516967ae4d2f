package org.multitables4j.reader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Variable-length sequences as h5py writes them (vlen.h5, make_vlen_fixture.py): chunked and
 * compressed or contiguous, float32, int64 beyond 2^32, uint8, and rows larger than a global
 * heap collection, read through the reader as ragged rows; each compared with the script's
 * formula.
 */
class VlenDatasetsTest {
    static Path file() {
        try {
            return Path.of(VlenDatasetsTest.class.getResource("/tables/vlen.h5").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static double[] f32(long r) {
        double[] v = new double[(int) (r % 37)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (i * 0.5 + r);
        }
        return v;
    }

    static long[] i64(long r) {
        long[] v = new long[(int) (r % 5)];
        for (int i = 0; i < v.length; i++) {
            v[i] = r * 1_000_000_000_000L + i - 2;
        }
        return v;
    }

    static double[] u8(long r) {
        double[] v = new double[(int) (r % 9)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (i * 30 + r) % 256;
        }
        return v;
    }

    @Test
    void chunkedCompressedFloat32AcrossHeapCollections() {
        try (Hdf5Reader reader = Hdf5Reader.open(file(), 2)) {
            Hdf5VLArray vl = reader.vlarray("/f32_chunked");
            assertEquals(300, vl.rows());
            assertEquals("<f4", vl.dtype());
            RaggedArray all = vl.read(0, 300);
            assertEquals(DataType.FLOAT, all.values().dataType());
            long total = 0;
            for (int r = 0; r < 300; r++) {
                assertEquals(total, all.offsets()[r], "offset of row " + r);
                assertArrayEquals(f32(r), TablesFixture.values(all.row(r)), 0, "row " + r);
                total += r % 37;
            }
            assertEquals(total, all.offsets()[300]);
            assertEquals(total, all.values().length());
            RaggedArray some = vl.read(new long[] {299, 37, 36, -2, 36});
            assertArrayEquals(new long[] {0, 3, 3, 39, 41, 77}, some.offsets());
            assertArrayEquals(f32(298), TablesFixture.values(some.row(3)), 0);
            assertEquals(0, vl.row(74).length());
            assertArrayEquals(f32(150), TablesFixture.values(vl.read(150, 151).values()), 0);
        }
    }

    @Test
    void contiguousInt64AndUint8() {
        try (Hdf5Reader reader = Hdf5Reader.open(file(), 1)) {
            Hdf5VLArray big = reader.vlarray("/i64_contig");
            RaggedArray rows = big.read(90, 100);
            assertEquals(DataType.LONG, rows.values().dataType());
            for (int i = 0; i < 10; i++) {
                INDArray row = rows.row(i);
                long[] want = i64(90 + i);
                assertEquals(want.length, row.length());
                for (int k = 0; k < want.length; k++) {
                    assertEquals(want[k], row.getLong(k), "row " + (90 + i) + " element " + k);
                }
            }
            Hdf5VLArray u = reader.vlarray("/u8");
            assertEquals("|u1", u.dtype());
            for (int r = 0; r < 50; r++) {
                assertArrayEquals(u8(r), TablesFixture.values(u.row(r)), 0, "row " + r);
            }
        }
    }

    @Test
    void rowsLargerThanAHeapCollection() {
        try (Hdf5Reader reader = Hdf5Reader.open(file(), 1)) {
            Hdf5VLArray vl = reader.vlarray("/f64_long");
            RaggedArray all = vl.read(new long[] {5, 0, 3});
            assertArrayEquals(new long[] {0, 3500, 3500, 5600}, all.offsets());
            for (int i = 0; i < 3; i++) {
                long r = new long[] {5, 0, 3}[i];
                double[] got = TablesFixture.values(all.row(i));
                for (int k = 0; k < got.length; k++) {
                    assertEquals(Math.sin(k), got[k], 1e-15, "row " + r + " element " + k);
                }
            }
            IndexOutOfRangeException e = assertThrows(IndexOutOfRangeException.class, () -> vl.row(6));
            assertTrue(e.getMessage().contains("/f64_long"), e.getMessage());
        }
    }
}
