package org.multitables4j.reader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.multitables4j.InvalidConfigurationException;
import org.multitables4j.IteratorClosedException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Whole table records: every field of a PyTables table (numbers, arrays, nested fields,
 * fixed-length strings), the {@code field} argument, coordinates. References are the formulas of
 * make_tables_fixture.py (tables.h5 {@code /table}, 1000 rows, chunks of 64) and PyTables'
 * own {@code read_coordinates} result stored beside it; multitables.h5 for the ported
 * multitables table requests.
 */
class TableRecordsTest {
    static float x(long id) {
        return (float) (((id * 7919) % 1000) / 1000.0 + 0.0001 * (id % 7));
    }

    static double k(long id) {
        return (id * 31) % 97 - 48;
    }

    private static void checkRecords(RecordBatch b, long[] ids) {
        assertEquals(ids.length, b.rows());
        double[] id = TablesFixture.values(b.array("id"));
        double[] xs = TablesFixture.values(b.array("x"));
        double[] ys = TablesFixture.values(b.array("y"));
        double[] ks = TablesFixture.values(b.array("k"));
        double[] vec = TablesFixture.values(b.array("vec"));
        double[] ma = TablesFixture.values(b.array("meta/a"));
        double[] mb = TablesFixture.values(b.array("meta/b"));
        String[] names = b.strings("name");
        assertArrayEquals(new long[] {ids.length, 3}, b.array("vec").shape());
        assertArrayEquals(new long[] {ids.length, 2}, b.array("meta/b").shape());
        for (int i = 0; i < ids.length; i++) {
            long r = ids[i];
            assertEquals(r, id[i], 0);
            assertEquals(x(r), xs[i], 0, "x of " + r);
            assertEquals(Math.sin(r), ys[i], 1e-12);
            assertEquals(k(r), ks[i], 0);
            assertArrayEquals(new double[] {r, -r, r / 2.0}, java.util.Arrays.copyOfRange(vec, 3 * i, 3 * i + 3), 0);
            assertEquals("r" + r, names[i]);
            assertEquals(r % 11, ma[i], 0);
            assertArrayEquals(new double[] {r % 256, (r * 3) % 256}, java.util.Arrays.copyOfRange(mb, 2 * i, 2 * i + 2), 0);
        }
    }

    @Test
    void everyFieldOfTheRecords() {
        try (Hdf5Reader reader = Hdf5Reader.open(TablesFixture.file(), 3)) {
            Hdf5Table t = reader.table("/table");
            assertEquals(1000, t.rows());
            assertEquals(List.of("id", "x", "y", "k", "vec", "name", "meta/a", "meta/b"),
                    t.fields().stream().map(TableField::name).toList());
            assertEquals("|S6", t.fields().get(5).dtype());
            assertTrue(t.fields().get(5).isString());
            assertEquals("<f4", t.fields().get(1).dtype());
            assertEquals(DataType.FLOAT, t.read(t.rows(0, 1)).array("x").dataType());
            assertEquals(DataType.LONG, t.read(t.rows(0, 1)).array("id").dataType());

            checkRecords(t.read(t.rows(30, 35)), new long[] {30, 31, 32, 33, 34});
            checkRecords(t.read(t.rows(new long[] {999, 0, 64, 63, 5, 5, -2})), new long[] {999, 0, 64, 63, 5, 5, 998});
            checkRecords(t.read(t.all()), java.util.stream.LongStream.range(0, 1000).toArray());
            checkRecords(t.read(t.rows(3, 900, 37)), java.util.stream.LongStream.iterate(3, r -> r < 900, r -> r + 37).toArray());
            checkRecords(t.read(t.row(-1)), new long[] {999});
            boolean[] mask = new boolean[1000];
            mask[7] = mask[500] = mask[501] = true;
            checkRecords(t.read(t.mask(mask)), new long[] {7, 500, 501});
            assertEquals(0, t.read(t.rows(5, 5)).rows());
        }
    }

    @Test
    void fieldArgumentKeepsPartOfTheRecord() {
        try (Hdf5Reader reader = Hdf5Reader.open(TablesFixture.file(), 2)) {
            Hdf5Table t = reader.table("/table");
            RecordBatch names = t.read(t.rows(new long[] {4, 1234 % 1000}).field("name"));
            assertEquals(List.of("name"), names.fields());
            assertArrayEquals(new String[] {"r4", "r234"}, names.strings("name"));
            RecordBatch meta = t.read(t.rows(10, 12).field("meta"));
            assertEquals(List.of("meta/a", "meta/b"), meta.fields());
            RecordBatch two = t.read(t.rows(10, 12).fields("k", "vec"));
            assertEquals(List.of("k", "vec"), two.fields());
            assertThrows(InvalidConfigurationException.class, () -> two.array("x"));
            assertThrows(InvalidConfigurationException.class, () -> names.array("name"));
            InvalidConfigurationException none = assertThrows(InvalidConfigurationException.class, () -> t.rows(0, 1).field("nope"));
            assertTrue(none.getMessage().contains("/table") && none.getMessage().contains("meta/a"), none.getMessage());
            assertThrows(IndexOutOfRangeException.class, () -> t.rows(0, 1001));
            assertThrows(IndexOutOfRangeException.class, () -> t.row(1000));
            assertThrows(InvalidConfigurationException.class, () -> reader.table("/cube"));
        }
    }

    @Test
    void readCoordinatesMatchesPyTables() {
        try (Hdf5Reader reader = Hdf5Reader.open(TablesFixture.file(), 2)) {
            Hdf5Table t = reader.table("/table");
            INDArray x = t.read(t.readCoordinates(new long[] {5, 999, 0, 5, 64, 63}).field("x")).array("x");
            assertArrayEquals(TablesFixture.expected("coords").values(), TablesFixture.values(x), 0);
        }
    }

    @Test
    void aTableReadAfterCloseFails() {
        Hdf5Reader reader = Hdf5Reader.open(TablesFixture.file(), 1);
        Hdf5Table t = reader.table("/table");
        reader.close();
        assertThrows(IteratorClosedException.class, () -> t.read(t.rows(0, 3)));
        assertThrows(IteratorClosedException.class, () -> t.where("x > 0").coordinates());
        assertThrows(IteratorClosedException.class, () -> reader.table("/table"));
    }

    /** multitables v2 test_indexing, the table requests: test_table[30:35]['col_A'], test_table['col_A'][[1, 2, 3]], ... */
    @Test
    void multitablesTableIndexing() {
        try (Hdf5Reader reader = Hdf5Reader.open(MultitablesPortTest.file(), MultitablesPortTest.N_PROCS)) {
            Hdf5Table t = reader.table("/test_table");
            // test_table[30:35]['col_A'] and test_table['col_A'][30:35]
            INDArray a = t.read(t.rows(30, 35).field("col_A")).array("col_A");
            assertArrayEquals(new long[] {5, 100, 40}, a.shape());
            assertArrayEquals(MultitablesPortTest.rowsOf(MultitablesPortTest::colA, 30, 31, 32, 33, 34), TablesFixture.values(a), 0);
            // test_table[[1, 2, 3]]['col_A']
            INDArray c = t.read(t.readCoordinates(new long[] {1, 2, 3}).field("col_A")).array("col_A");
            assertArrayEquals(MultitablesPortTest.rowsOf(MultitablesPortTest::colA, 1, 2, 3), TablesFixture.values(c), 0);
            // test_table[0]['col_A']
            assertArrayEquals(MultitablesPortTest.colA(0), TablesFixture.values(t.read(t.row(0).field("col_A")).array("col_A")), 0);
            // test_table[30:35]: whole records
            RecordBatch whole = t.read(t.rows(30, 35));
            assertEquals(List.of("col_A", "col_B", "col_C"), whole.fields());
            assertArrayEquals(MultitablesPortTest.rowsOf(MultitablesPortTest::colB, 30, 31, 32, 33, 34),
                    TablesFixture.values(whole.array("col_B")), 0);
            // test_table.where('col_C > x', condvars={'x': 0.1}, start=300, stop=400)
            RecordBatch w = t.where("col_C > x").bind("x", 0.1).range(300, 400).read();
            List<Long> want = new java.util.ArrayList<>();
            for (long r = 300; r < 400; r++) {
                if (MultitablesPortTest.colC(r) > 0.1) {
                    want.add(r);
                }
            }
            assertArrayEquals(want.stream().mapToLong(Long::longValue).toArray(), w.coordinates());
            double[] cs = TablesFixture.values(w.array("col_C"));
            for (int i = 0; i < cs.length; i++) {
                assertEquals(MultitablesPortTest.colC(want.get(i)), cs[i], 0);
            }
            assertArrayEquals(MultitablesPortTest.rowsOf(MultitablesPortTest::colA, want.get(0)),
                    java.util.Arrays.copyOfRange(TablesFixture.values(w.array("col_A")), 0, 4000), 0);
            // test_table.read_sorted('col_C', start=200, stop=300) (this fixture has no index: sorted here)
            Long[] order = java.util.stream.LongStream.range(0, 1000).boxed().toArray(Long[]::new);
            java.util.Arrays.sort(order, java.util.Comparator.comparingDouble(MultitablesPortTest::colC));
            RecordBatch s = t.readSorted("col_C").range(200, 300).read();
            for (int i = 0; i < 100; i++) {
                assertEquals((long) order[200 + i], s.coordinates()[i]);
                assertEquals(MultitablesPortTest.colC(order[200 + i]), s.array("col_C").getDouble(i), 0);
            }
            assertThrows(InvalidConfigurationException.class, () -> t.readSorted("col_C").checkCSI(true).coordinates());
        }
    }
}
