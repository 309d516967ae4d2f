package org.multitables4j.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CSV conversion: types of the label column, quoting, skipped columns, errors with line numbers. */
class CsvConvertTest {
    @TempDir
    Path dir;

    @Test
    void integerLabelsQuotedFieldsBlankLinesAndMissingValues() throws Exception {
        Path csv = dir.resolve("d.csv");
        Files.writeString(csv, "\uFEFFa,label,\"b, quoted\"\r\n1.5,3,2\r\n-1e-3, 0 ,\"4.25\"\n\n7,+1,\nnan,-2,-INF\n");
        Path out = dir.resolve("c.h5");
        Convert.CsvSummary s = Convert.csv(csv, "label", out, WriteOptions.DEFAULT, true);
        assertEquals(4, s.rows());
        assertEquals(List.of("a", "b, quoted"), s.features());
        assertEquals(ElementKind.INT64, s.labelKind());
        assertArrayEquals(new long[] {4, 2}, TestSupport.dims(out, "/x"));
        assertArrayEquals(new double[] {1.5, 2, -1e-3f, 4.25, 7, Double.NaN, Double.NaN, Double.NEGATIVE_INFINITY},
                TestSupport.doubles(out, "/x"));
        assertArrayEquals(new long[] {3, 0, 1, -2}, TestSupport.longs(out, "/y"));
        assertArrayEquals(new String[] {"a", "b, quoted"}, (String[]) TestSupport.attribute(out, "/x", "columns"));
        assertEquals("label", TestSupport.attribute(out, "/y", "column"));
        String dtypes = TestSupport.python("import sys, h5py; f = h5py.File(sys.argv[1], 'r'); "
                + "print(f['x'].dtype, f['y'].dtype, f.attrs['created_by'])", out.toString());
        assertEquals("float32 int64 multitables4j-datasets", dtypes);
    }

    @Test
    void floatAndCategoricalLabelsAndSkippedColumns() throws Exception {
        Path csv = dir.resolve("f.csv");
        Files.writeString(csv, "x;name;y\n1;alpha;0.5\n2;beta;3\n");
        Convert.CsvSummary s = Convert.csv(csv, "y", ';', dir.resolve("f.h5"), WriteOptions.DEFAULT, true);
        assertEquals(ElementKind.FLOAT32, s.labelKind());
        assertEquals(List.of("name"), s.skipped());
        assertArrayEquals(new double[] {0.5, 3}, TestSupport.doubles(dir.resolve("f.h5"), "/y"));
        assertArrayEquals(new double[] {1, 2}, TestSupport.doubles(dir.resolve("f.h5"), "/x"));
        assertArrayEquals(new String[] {"name"}, (String[]) TestSupport.attribute(dir.resolve("f.h5"), "/x", "skipped_columns"));

        Path iris = dir.resolve("iris.csv");
        Files.writeString(iris, "sepal,petal,species\n5.1,1.4,setosa\n7.0,4.7,versicolor\n4.9,1.4,setosa\n6.3,6.0,virginica\n");
        Convert.CsvSummary c = Convert.csv(iris, "species", dir.resolve("iris.h5"), WriteOptions.DEFAULT, true);
        assertEquals(List.of("setosa", "versicolor", "virginica"), c.classNames());
        assertArrayEquals(new long[] {0, 1, 0, 2}, TestSupport.longs(dir.resolve("iris.h5"), "/y"));
        assertArrayEquals(new String[] {"setosa", "versicolor", "virginica"},
                (String[]) TestSupport.attribute(dir.resolve("iris.h5"), "/", "class_names"));
        assertArrayEquals(new double[] {5.1f, 1.4f, 7.0f, 4.7f, 4.9f, 1.4f, 6.3f, 6.0f},
                TestSupport.doubles(dir.resolve("iris.h5"), "/x"));
    }

    @Test
    void raggedRowNamesItsLineAndLeavesNoFile() throws Exception {
        Path out = dir.resolve("r.h5");
        Path csv = dir.resolve("ragged.csv");
        Files.writeString(csv, "a,label,b\n1,2,3\n\n4,5\n6,7,8\n");
        DatasetsException e = assertThrows(DatasetsException.class,
                () -> Convert.csv(csv, "label", out, WriteOptions.DEFAULT, true));
        assertTrue(e.getMessage().contains("line 4") && e.getMessage().contains("2 fields")
                && e.getMessage().contains("ragged.csv"), e.getMessage());
        assertEquals(List.of(), TestSupport.outputs(dir));

        Files.writeString(csv, "a,label\n1,2\n3,\n");
        e = assertThrows(DatasetsException.class, () -> Convert.csv(csv, "label", out, WriteOptions.DEFAULT, true));
        assertTrue(e.getMessage().contains("line 3") && e.getMessage().contains("empty label"), e.getMessage());

        Files.writeString(csv, "a,label\n1,\"2\n");
        e = assertThrows(DatasetsException.class, () -> Convert.csv(csv, "label", out, WriteOptions.DEFAULT, true));
        assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("unterminated"), e.getMessage());

        e = assertThrows(DatasetsException.class, () -> Convert.csv(csv, "nope", out, WriteOptions.DEFAULT, true));
        assertTrue(e.getMessage().contains("no column 'nope'"), e.getMessage());

        e = assertThrows(DatasetsException.class, () -> Convert.csv(dir.resolve("missing.csv"), "label", out,
                WriteOptions.DEFAULT, true));
        assertTrue(e.getMessage().startsWith("No such file"), e.getMessage());
        assertEquals(List.of(), TestSupport.outputs(dir));
    }

    /** A larger file made by NumPy; h5py compares what we wrote with numpy's own parse. */
    @Test
    void numpyWrittenCsvMatchesH5py() throws Exception {
        Path csv = dir.resolve("big.csv");
        Path out = dir.resolve("big.h5");
        TestSupport.python(String.join("\n",
                "import sys, numpy as np",
                "rng = np.random.default_rng(5)",
                "x = rng.standard_normal((20000, 12)) * 1000",
                "y = rng.integers(-3, 10, 20000)",
                "np.savetxt(sys.argv[1], np.column_stack([x[:, :5], y, x[:, 5:]]), delimiter=',', comments='',",
                "           header=','.join([f'f{i}' for i in range(5)] + ['target'] + [f'f{i}' for i in range(5, 12)]),",
                "           fmt=['%.9g'] * 5 + ['%d'] + ['%.9g'] * 7)"), csv.toString());
        Convert.csv(csv, "target", out, WriteOptions.builder().chunkBytes(64 << 10).build(), true);
        String r = TestSupport.python(String.join("\n",
                "import sys, h5py, numpy as np",
                "a = np.loadtxt(sys.argv[1], delimiter=',', skiprows=1)",
                "f = h5py.File(sys.argv[2], 'r')",
                "x = np.delete(a, 5, axis=1).astype(np.float32); y = a[:, 5].astype(np.int64)",
                "print(np.array_equal(f['x'][:], x), np.array_equal(f['y'][:], y), f['x'].shape, f['x'].chunks)"),
                csv.toString(), out.toString());
        assertEquals("True True (20000, 12) (1024, 12)", r);
    }

    /**
     * 10 000 columns: the names do not fit in an attribute (HDF5's 64 KiB object header message),
     * so they go to the dataset /x_columns; h5py and numpy check it all against the CSV.
     */
    @Test
    void tenThousandColumnsKeepTheirNames() throws Exception {
        Path csv = dir.resolve("wide.csv");
        Path out = dir.resolve("wide.h5");
        TestSupport.python(String.join("\n",
                "import sys, numpy as np",
                "rng = np.random.default_rng(3)",
                "x = np.round(rng.standard_normal((6, 10000)), 3)",
                "names = [f'feature_{i:05d}' for i in range(9999)] + ['label']",
                "x[:, -1] = np.arange(6) % 2",
                "np.savetxt(sys.argv[1], x, delimiter=',', comments='', header=','.join(names), fmt='%.3f')"),
                csv.toString());
        Convert.CsvSummary s = Convert.csv(csv, "label", out, WriteOptions.DEFAULT, true);
        assertEquals(9999, s.features().size());
        String r = TestSupport.python(String.join("\n",
                "import sys, h5py, numpy as np",
                "a = np.loadtxt(sys.argv[1], delimiter=',', skiprows=1)",
                "header = open(sys.argv[1]).readline().strip().split(',')",
                "f = h5py.File(sys.argv[2], 'r')",
                "cols = [c.decode() if isinstance(c, bytes) else c for c in f['x_columns'][:]]",
                "print(np.array_equal(f['x'][:], a[:, :-1].astype(np.float32)), np.array_equal(f['y'][:], a[:, -1].astype(np.int64)),",
                "      cols == header[:-1], f['x'].attrs['columns_dataset'], 'columns' in f['x'].attrs, f['y'].attrs['column'])"),
                csv.toString(), out.toString());
        assertEquals("True True True /x_columns False label", r);
        List<String> names = Inspect.names(out, "/x", "columns");
        assertEquals(s.features(), names);
        assertEquals("feature_09998", names.get(9998));
        String d = Inspect.describe(out);
        assertTrue(d.contains("@columns = ['feature_00000', ") && d.contains("... 9967 more, 9999 in all] (dataset /x_columns)"),
                d);
        // the short form: an attribute, read by the same call
        Path small = dir.resolve("small.csv");
        Files.writeString(small, "p,q,label\n1,2,3\n");
        Convert.csv(small, "label", dir.resolve("small.h5"), WriteOptions.DEFAULT, true);
        assertEquals(List.of("p", "q"), Inspect.names(dir.resolve("small.h5"), "/x", "columns"));
        assertEquals(List.of(), Inspect.names(dir.resolve("small.h5"), "/x", "nothing"));
    }
}
