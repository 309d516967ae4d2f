package org.multitables4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.multitables4j.reader.Hdf5Dataset;
import org.multitables4j.reader.Hdf5Reader;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Leaves of nested compound columns, named by '/'-separated column paths, in nested.h5
 * (make_nested_fixtures.py): a PyTables table with nested descriptions and an h5py structured
 * array with a nested dtype (big-endian and array members), chunked and contiguous. Values follow
 * the fixture formula g(r, j, k) = (r*37 + j*11 + k*5) % 97 (j: the leaf's number, k: element
 * within the leaf), computed here independently, and are also compared with the leaf arrays that
 * PyTables/h5py read back and stored as plain datasets under /expected.
 */
class NestedColumnsTest {
    static final int N = 300;

    /** One leaf column: its path, its number in the formula, kind ('i', 'u', 'f'), dtype and row shape. */
    record Leaf(String path, int j, char kind, String dtype, long... shape) {
        long elements() {
            long n = 1;
            for (long d : shape) {
                n *= d;
            }
            return n;
        }
    }

    static final List<Leaf> PTABLE = List.of(
            new Leaf("id", 0, 'i', "<i8"),
            new Leaf("pos/x", 1, 'f', "<f4"),
            new Leaf("pos/y", 2, 'f', "<f4"),
            new Leaf("pos/z", 3, 'f', "<f8"),
            new Leaf("meta/flag", 4, 'u', "|u1"),
            new Leaf("meta/sub/vec", 5, 'f', "<f4", 4),
            new Leaf("meta/sub/code", 6, 'i', "<i2"),
            new Leaf("meta/w", 7, 'i', "<i8"),
            new Leaf("tail", 8, 'f', "<f4"));

    static final List<Leaf> STRUCTURED = List.of(
            new Leaf("id", 0, 'i', "<i8"),
            new Leaf("pos/x", 1, 'f', ">f4"),
            new Leaf("pos/y", 2, 'f', "<f8"),
            new Leaf("meta/code", 3, 'i', ">i2"),
            new Leaf("meta/sub/vec", 4, 'f', "<f4", 4),
            new Leaf("meta/sub/big", 5, 'u', ">u4", 2, 3),
            new Leaf("meta/sub/deep/leaf", 6, 'f', ">f8", 2),
            new Leaf("meta/flag", 7, 'u', "|u1"),
            new Leaf("grid", 8, 'i', "<i2", 2, 3, 2),
            // an array member of rank 4 comes back flattened (see Hdf5Array#arrayDims)
            new Leaf("cube", 9, 'f', "<f4", 24));

    static Path nested() {
        try {
            return Path.of(NestedColumnsTest.class.getResource("/fixtures/nested.h5").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<Leaf> leaves(String table) {
        return table.equals("/ptable") ? PTABLE : STRUCTURED;
    }

    /** The fixture formula for row r, leaf l, element k. */
    static double expected(long r, Leaf l, long k) {
        if (l.j() == 0) {
            return r;
        }
        long g = (r * 37 + l.j() * 11L + k * 5) % 97;
        return switch (l.kind()) {
            case 'f' -> (g - 48) / 8.0;
            case 'i' -> g - 48;
            default -> g;
        };
    }

    static void checkRows(INDArray a, long[] rows, Leaf l, String what) {
        assertEquals(rows.length, a.size(0), what);
        INDArray flat = a.reshape(a.size(0), l.elements());
        for (int i = 0; i < rows.length; i++) {
            for (int k = 0; k < l.elements(); k++) {
                assertEquals(expected(rows[i], l, k), flat.getDouble(i, k), what + " row " + rows[i] + " element " + k);
            }
        }
    }

    static long[] all() {
        long[] r = new long[N];
        for (int i = 0; i < N; i++) {
            r[i] = i;
        }
        return r;
    }

    @ParameterizedTest
    @ValueSource(strings = {"/ptable", "/structured", "/structured_contig"})
    void readerReadsEveryLeafAsTheFormulaAndAsPyTablesOrH5pyRead(String table) {
        String expectedGroup = table.equals("/ptable") ? "/expected/ptable/" : "/expected/structured/";
        try (Hdf5Reader reader = Hdf5Reader.open(nested(), 2)) {
            for (Leaf l : leaves(table)) {
                String what = table + " column " + l.path();
                Hdf5Dataset ds = reader.column(table, l.path());
                long[] shape = new long[l.shape().length + 1];
                shape[0] = N;
                System.arraycopy(l.shape(), 0, shape, 1, l.shape().length);
                assertArrayEquals(shape, ds.shape(), what);
                assertEquals(l.dtype(), ds.dtype(), what);
                INDArray got = reader.request(ds.rows(0, N), ds.createStage(N, DataType.DOUBLE)).get();
                checkRows(got, all(), l, what);
                long[] idx = {N - 1, 0, 151, 64, 63, 7, N - 1};
                checkRows(reader.request(ds.rows(idx), ds.createStage(idx.length, DataType.DOUBLE)).get(), idx, l, what);
                // the same leaf as PyTables or h5py read it, stored as a plain dataset
                Hdf5Dataset ref = reader.dataset(expectedGroup + l.path());
                assertEquals(l.dtype(), ref.dtype(), what + " (reference)");
                INDArray want = reader.request(ref.rows(0, N), ref.createStage(N, DataType.DOUBLE)).get();
                assertEquals(want.reshape(N, l.elements()), got.reshape(N, l.elements()), what + " against the reference");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/ptable", "/structured", "/structured_contig"})
    void dataSetIteratorDeliversANestedArrayLeafWithItsRow(String table) {
        Leaf vec = leaves(table).stream().filter(l -> l.path().equals("meta/sub/vec")).findFirst().orElseThrow();
        Leaf id = leaves(table).get(0);
        try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(nested()).features(table, vec.path())
                .labels(table, id.path()).batchSize(32).order(Order.SHUFFLED).seed(11).workers(2).build()) {
            assertEquals(4, it.inputColumns());
            boolean[] seen = new boolean[N];
            int n = 0;
            while (it.hasNext()) {
                DataSet ds = it.next();
                for (int i = 0; i < ds.getFeatures().size(0); i++) {
                    int r = (int) ds.getLabels().getDouble(i, 0);
                    assertFalse(seen[r], "row " + r + " delivered once");
                    seen[r] = true;
                    checkRows(ds.getFeatures().getRow(i).reshape(1, 4), new long[] {r}, vec, table + " " + vec.path());
                    n++;
                }
            }
            assertEquals(N, n);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/ptable", "/structured", "/structured_contig"})
    void multiDataSetIteratorDeliversEveryLeafInLockstep(String table) {
        List<Leaf> ls = leaves(table);
        Hdf5MultiDataSetIterator.Builder b = Hdf5MultiDataSetIterator.builder(nested());
        for (Leaf l : ls) {
            b = b.inputColumn(table, l.path());
        }
        b = b.outputColumn(table, "id", 0);
        try (Hdf5MultiDataSetIterator it = b.batchSize(48).order(Order.SHUFFLED).seed(3).workers(2).build()) {
            int n = 0;
            while (it.hasNext()) {
                MultiDataSet m = it.next();
                long rows = m.getFeatures(0).size(0);
                for (int i = 0; i < rows; i++) {
                    long r = (long) m.getLabels(0).getDouble(i, 0);
                    for (int c = 0; c < ls.size(); c++) {
                        Leaf l = ls.get(c);
                        INDArray f = m.getFeatures(c);
                        checkRows(f.reshape(rows, l.elements()).getRow(i).reshape(1, l.elements()), new long[] {r}, l,
                                table + " " + l.path());
                    }
                    n++;
                }
            }
            assertEquals(N, n);
        }
    }

    @Test
    void unknownNamesListTheNamesAtThatLevel() {
        InvalidConfigurationException top = assertThrows(InvalidConfigurationException.class,
                () -> Hdf5DataSetIterator.builder(nested()).features("/structured", "nope/x").build());
        assertTrue(top.getMessage().contains("'nope'") && top.getMessage().contains("[id, pos, meta, grid, cube, pts]"),
                top.getMessage());
        InvalidConfigurationException deep = assertThrows(InvalidConfigurationException.class,
                () -> Hdf5DataSetIterator.builder(nested()).features("/structured", "meta/sub/nope").build());
        assertTrue(deep.getMessage().contains("'nope'") && deep.getMessage().contains("'meta/sub'")
                && deep.getMessage().contains("[vec, big, deep]"), deep.getMessage());
        InvalidConfigurationException pt = assertThrows(InvalidConfigurationException.class,
                () -> Hdf5DataSetIterator.builder(nested()).features("/ptable", "pos/w").build());
        assertTrue(pt.getMessage().contains("'w'") && pt.getMessage().contains("[x, y, z]"), pt.getMessage());
        InvalidConfigurationException leaf = assertThrows(InvalidConfigurationException.class,
                () -> Hdf5DataSetIterator.builder(nested()).features("/structured", "id/x").build());
        assertTrue(leaf.getMessage().contains("'id'") && leaf.getMessage().contains("not a nested compound"),
                leaf.getMessage());
    }

    @Test
    void aNestedCompoundIsNotALeaf() {
        try (Hdf5Reader reader = Hdf5Reader.open(nested(), 1)) {
            InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                    () -> reader.column("/ptable", "meta/sub"));
            assertTrue(e.getMessage().contains("'meta/sub'") && e.getMessage().contains("[vec, code]")
                    && e.getMessage().contains("meta/sub/vec"), e.getMessage());
            InvalidConfigurationException m = assertThrows(InvalidConfigurationException.class,
                    () -> reader.column("/structured", "meta"));
            assertTrue(m.getMessage().contains("[code, sub, flag]"), m.getMessage());
        }
        InvalidConfigurationException it = assertThrows(InvalidConfigurationException.class,
                () -> Hdf5DataSetIterator.builder(nested()).features("/structured_contig", "meta/sub/deep").build());
        assertTrue(it.getMessage().contains("[leaf]"), it.getMessage());
        UnsupportedHdf5Exception table = assertThrows(UnsupportedHdf5Exception.class,
                () -> Hdf5DataSetIterator.builder(nested()).features("/ptable").build());
        assertTrue(table.getMessage().contains("[id, pos, meta, tail]"), table.getMessage());
    }

    @Test
    void arraysOfCompoundsAreRefusedClearly() {
        for (String column : new String[] {"pts", "pts/a"}) {
            UnsupportedHdf5Exception e = assertThrows(UnsupportedHdf5Exception.class,
                    () -> Hdf5DataSetIterator.builder(nested()).features("/structured", column).build());
            assertTrue(e.getMessage().contains("'pts'") && e.getMessage().contains("[3]")
                    && e.getMessage().contains("[a, b]"), e.getMessage());
        }
    }
}
