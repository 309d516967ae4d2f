package org.multitables4j.reader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jhdf.HdfFile;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.multitables4j.InvalidConfigurationException;

/**
 * where() typed as PyTables' numexpr types a condition, against PyTables' own
 * {@code get_where_list} results stored in conditions.h5 (make_conditions_fixture.py, whose
 * CONDITIONS list is the one below, in the same order): integer {@code %} with C's sign rule
 * (and {@code % 0} giving 0), int32 arithmetic that wraps, float32 arithmetic where a float32
 * column meets integers, exact int64 comparisons beyond 2^53, bool columns, Python's precedence
 * of {@code &} over {@code |}, integer and float bound variables, start/stop/step clipped as
 * Python slices, and arithmetic of literals alone done as Python does it before numexpr sees the
 * condition ({@code -7 % 3} is 2, {@code 2 ** -1} is 0.5, {@code 2 ** 53 + 1} exact).
 */
class TableConditionTypesTest {
    /** {condition, bound variables, start, stop, step} (null: absent), as in make_conditions_fixture.py. */
    static final Object[][] CONDITIONS = {
        {"k % 7 == 3", Map.of(), null, null, null},
        {"k % -7 == -3", Map.of(), null, null, null},
        {"k % 0 == 0", Map.of(), null, null, null},
        {"x * 10 == 3", Map.of(), null, null, null},
        {"x * 10.0 == 3", Map.of(), null, null, null},
        {"x * 3 / 3 == x", Map.of(), null, null, null},
        {"x % -0.7 > 0.5", Map.of(), null, null, null},
        {"x % 0.7 < 0.1", Map.of(), null, null, null},
        {"f", Map.of(), null, null, null},
        {"~f", Map.of(), null, null, null},
        {"f & (k > 0)", Map.of(), null, null, null},
        {"(x > 35) | f & (k < -150)", Map.of(), null, null, null},
        {"f == True", Map.of(), null, null, null},
        {"f + 1 == 2", Map.of(), null, null, null},
        {"u - 300 > 0", Map.of(), null, null, null},
        {"u * 2000000000 > 0", Map.of(), null, null, null},
        {"k * 1000 * 100000 > 0", Map.of(), null, null, null},
        {"(b * b) % 256 == 0", Map.of(), null, null, null},
        {"big == 9007199254740993", Map.of(), null, null, null},
        {"big - 1 == 9007199254740992", Map.of(), null, null, null},
        {"big + 0.5 > 9007199254740992.0", Map.of(), null, null, null},
        {"k / 3 == -5", Map.of(), null, null, null},
        {"k ** 2 > 9000", Map.of(), null, null, null},
        {"k ** 3 < -1000000", Map.of(), null, null, null},
        {"x ** 2 > 100", Map.of(), null, null, null},
        {"k == 3.0", Map.of(), null, null, null},
        {"-x < -19.85", Map.of(), null, null, null},
        {"y * x > 1", Map.of(), null, null, null},
        {"x * n == 3", Map.of("n", 10L), null, null, null},
        {"x * n == 3", Map.of("n", 10.0), null, null, null},
        {"(k > lo) & (k < hi)", Map.of("lo", -20L, "hi", 35L), -300L, 1_000_000L, 7L},
        {"x > 0.5", Map.of(), -100L, null, 3L},
        {"x > 0.5", Map.of(), 50L, 40L, null},
        {"k == -7 % 3", Map.of(), null, null, null},
        {"x > 3 % -2 * -10", Map.of(), null, null, null},
        {"k > 2 ** -1", Map.of(), null, null, null},
        {"k == -(2 ** 2) * 3", Map.of(), null, null, null},
        {"big == 2 ** 53 + 1", Map.of(), null, null, null},
        {"k < 7 / 2 - 1.5 % -1", Map.of(), null, null, null},
    };

    static Path file() {
        try {
            return Path.of(TableConditionTypesTest.class.getResource("/tables/conditions.h5").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** PyTables' result for CONDITIONS[n], read with jhdf (not through the reader). */
    static long[] expected(int n) {
        try (HdfFile f = new HdfFile(file())) {
            io.jhdf.api.Dataset ds = f.getDatasetByPath("/expected/c" + n);
            return ds.getSize() == 0 ? new long[0] : (long[]) ds.getData();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void whereIsTypedAsPyTablesTypesIt() {
        try (Hdf5Reader reader = Hdf5Reader.open(file(), 2)) {
            Hdf5Table t = reader.table("/t");
            assertEquals(400, t.rows());
            StringBuilder wrong = new StringBuilder();
            for (int n = 0; n < CONDITIONS.length; n++) {
                Object[] c = CONDITIONS[n];
                TableQuery q = t.where((String) c[0]).bind((Map<String, ? extends Number>) c[1]);
                if (c[2] != null || c[3] != null || c[4] != null) {
                    long start = c[2] == null ? 0 : (Long) c[2];
                    long stop = c[3] == null ? Long.MAX_VALUE : (Long) c[3];
                    q = q.range(start, stop, c[4] == null ? 1 : (Long) c[4]);
                }
                long[] want = expected(n);
                long[] got = q.coordinates();
                if (!java.util.Arrays.equals(want, got)) {
                    wrong.append("\n  c").append(n).append(' ').append(c[0]).append(' ').append(c[1]).append(": PyTables ")
                            .append(want.length).append(" rows ").append(head(want)).append(", reader ").append(got.length)
                            .append(" rows ").append(head(got));
                }
            }
            assertEquals("", wrong.toString(), "conditions whose rows differ from PyTables'");
        }
    }

    private static String head(long[] a) {
        return java.util.Arrays.toString(java.util.Arrays.copyOf(a, Math.min(a.length, 6)));
    }

    /** readSorted without an index sorts as numpy's stable argsort: -0.0 equal to 0.0, NaN last, int64 exactly. */
    @Test
    void readSortedWithoutAnIndexSortsAsNumpy() {
        try (Hdf5Reader reader = Hdf5Reader.open(file(), 2)) {
            Hdf5Table s = reader.table("/s");
            assertEquals(false, s.readSorted("v").usesIndex());
            assertArrayEquals(expected("s_v"), s.readSorted("v").coordinates(), "float64 with -0.0 and NaN");
            assertArrayEquals(expected("s_w"), s.readSorted("w").coordinates(), "int64 beyond 2^53");
            long[] part = s.readSorted("w").range(10, 200, 9).coordinates();
            long[] all = expected("s_w");
            assertEquals((Math.min(200, all.length) - 10 + 8) / 9, part.length, "the length of numpy's [10:200:9]");
            for (int i = 0; i < part.length; i++) {
                assertEquals(all[10 + 9 * i], part[i]);
            }
        }
    }

    static long[] expected(String name) {
        try (HdfFile f = new HdfFile(file())) {
            return (long[]) f.getDatasetByPath("/expected/" + name).getData();
        }
    }

    @Test
    void boolColumnsAreReadAsRecords() {
        try (Hdf5Reader reader = Hdf5Reader.open(file(), 1)) {
            Hdf5Table t = reader.table("/t");
            RecordBatch b = t.read(t.rows(0, 7).fields("f", "big"));
            double[] f = TablesFixture.values(b.array("f"));
            for (int i = 0; i < 7; i++) {
                assertEquals(i % 3 == 0 ? 1 : 0, f[i], 0, "f of row " + i);
                assertEquals((1L << 53) + i, b.array("big").getLong(i), "big of row " + i);
            }
        }
    }

    @Test
    void conditionsPyTablesRefusesAreRefused() {
        try (Hdf5Reader reader = Hdf5Reader.open(file(), 1)) {
            Hdf5Table t = reader.table("/t");
            // numexpr: "Integers to negative integer powers are not allowed."
            // the exponent is a literal however it is written: Python folds it before numexpr sees it
            for (String c : new String[] {"k ** -1 > 0", "k ** (-1) > 0", "k ** (2 - 3) > 0", "k ** -(1) > 0"}) {
                InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                        () -> t.where(c).coordinates(), c);
                assertTrue(e.getMessage().contains("/t") && e.getMessage().contains("negative integer powers"),
                        e.getMessage());
            }
            // PyTables: "OverflowError: Python int too large to convert to C long", "ZeroDivisionError"
            for (String c : new String[] {"2 ** 62 * 4 > k", "k > 1 % 0", "k > 1 / 0", "k > 0 ** -1"}) {
                InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                        () -> t.where(c).coordinates(), c);
                assertTrue(e.getMessage().contains("/t"), e.getMessage());
            }
        }
    }
}
