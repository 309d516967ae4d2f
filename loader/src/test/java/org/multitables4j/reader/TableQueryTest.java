package org.multitables4j.reader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.multitables4j.InvalidConfigurationException;

/**
 * Table queries against PyTables' own results (make_tables_fixture.py stores
 * {@code get_where_list}, {@code read_where} and {@code read_sorted} of tables.h5's
 * {@code /table} under {@code /expected}): where() with comparisons, {@code &}, {@code |},
 * {@code ~}, arithmetic, bound variables and start/stop/step; readSorted() through the CSI index
 * of {@code x}, and by sorting on {@code /plain}, which has no index.
 */
class TableQueryTest {

    @Test
    void whereMatchesPyTables() {
        Object[][] cases = {
            {"w_simple", "x > 0.5", Map.of(), null},
            {"w_var", "x > lim", Map.of("lim", 0.25), new long[] {300, 700, 1}},
            {"w_and_or", "(x < 0.2) | ((k >= 10) & (y > 0))", Map.of(), null},
            {"w_not", "~(x < 0.9) & (id % 3 == 0)", Map.of(), null},
            {"w_arith", "(y * 2 + k / 4 - 1 > x) & (k != -48)", Map.of(), new long[] {10, 990, 3}},
            {"w_neg", "-k > 40", Map.of(), null},
            {"w_eq", "k == 0", Map.of(), null},
            {"w_pow", "x ** 2 + y ** 2 < 0.5", Map.of(), null},
            {"w_none", "x > 5", Map.of(), null},
        };
        try (Hdf5Reader reader = Hdf5Reader.open(TablesFixture.file(), 3)) {
            Hdf5Table t = reader.table("/table");
            for (Object[] c : cases) {
                @SuppressWarnings("unchecked")
                TableQuery q = t.where((String) c[1]).bind((Map<String, Double>) c[2]);
                if (c[3] != null) {
                    long[] r = (long[]) c[3];
                    q = q.range(r[0], r[1], r[2]);
                }
                assertArrayEquals(TablesFixture.expected((String) c[0]).asLongs(), q.coordinates(), (String) c[1]);
            }
            RecordBatch b = t.where("x > lim").bind("lim", 0.25).range(300, 700).fields("x").read();
            assertArrayEquals(TablesFixture.expected("w_var_x").values(), TablesFixture.values(b.array("x")), 0);
        }
    }

    @Test
    void whereReadsOnlyTheChunksOfItsRange() {
        try (Hdf5Reader reader = Hdf5Reader.open(TablesFixture.file(), 2)) {
            Hdf5Table t = reader.table("/table");
            long before = reader.cacheStats().decodedBytes();
            t.where("x > 0.5").range(300, 400).coordinates();
            long decoded = reader.cacheStats().decodedBytes() - before;
            int record = t.carrier().array().rowBytes();
            // rows 300..399 lie in the chunks of 64 rows starting at 256, 320 and 384
            assertTrue(decoded > 0 && decoded <= 3L * 64 * record, decoded + " bytes decoded");
        }
    }

    @Test
    void conditionErrorsNameTheTable() {
        try (Hdf5Reader reader = Hdf5Reader.open(TablesFixture.file(), 1)) {
            Hdf5Table t = reader.table("/table");
            for (String bad : new String[] {"x >", "(x > 1", "x > 1)", "nope > 1", "vec > 1", "name == 1", "x $ 2"}) {
                InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                        () -> t.where(bad).coordinates(), bad);
                assertTrue(e.getMessage().contains("/table"), e.getMessage());
            }
            assertThrows(IndexOutOfRangeException.class, () -> t.where("x > 0").range(0, 10, 0));
        }
    }

    @Test
    void readSortedThroughTheCsiIndexMatchesPyTables() {
        try (Hdf5Reader reader = Hdf5Reader.open(TablesFixture.file(), 2)) {
            Hdf5Table t = reader.table("/table");
            SortedQuery s = t.readSorted("x").checkCSI(true);
            assertTrue(s.usesIndex());
            assertArrayEquals(TablesFixture.expected("sorted_x").asLongs(), s.coordinates());
            assertArrayEquals(TablesFixture.expected("sorted_x_200_300").asLongs(), s.range(200, 300).coordinates());
            assertArrayEquals(TablesFixture.expected("sorted_x_step").asLongs(), s.range(5, 900, 7).coordinates());
            RecordBatch b = s.range(200, 300).fields("id", "name").read();
            assertArrayEquals(TablesFixture.expected("sorted_x_200_300").values(), TablesFixture.values(b.array("id")), 0);
            assertEquals("r" + (long) TablesFixture.expected("sorted_x_200_300").values()[0], b.strings("name")[0]);
            // the same order when sorting the column (y has no index)
            assertFalse(t.readSorted("y").usesIndex());
        }
    }

    @Test
    void readSortedAcrossFullIndexSlicesMatchesPyTables() {
        try (Hdf5Reader reader = Hdf5Reader.open(TablesFixture.file(), 2)) {
            Hdf5Table t = reader.table("/sliced");
            SortedQuery s = t.readSorted("v").checkCSI(true);
            assertTrue(s.usesIndex());
            RecordBatch b = s.range(100, 4900, 3).fields("w").read();
            assertArrayEquals(TablesFixture.expected("sliced_sorted").values(), TablesFixture.values(b.array("w")), 0);
        }
    }

    @Test
    void readSortedWithoutAnIndexSortsTheColumn() {
        try (Hdf5Reader reader = Hdf5Reader.open(TablesFixture.file(), 2)) {
            Hdf5Table plain = reader.table("/plain");
            SortedQuery s = plain.readSorted("v");
            assertFalse(s.usesIndex());
            assertArrayEquals(TablesFixture.expected("plain_sorted_v").asLongs(), s.coordinates());
            long[] all = TablesFixture.expected("plain_sorted_v").asLongs();
            long[] part = s.range(-100, 1000, 3).coordinates();
            long[] want = java.util.stream.IntStream.iterate(200, i -> i < 300, i -> i + 3).mapToLong(i -> all[i]).toArray();
            assertArrayEquals(want, part);
            assertThrows(InvalidConfigurationException.class, () -> s.checkCSI(true).coordinates());
            assertThrows(InvalidConfigurationException.class, () -> plain.readSorted("nope"));
        }
    }
}
