package org.multitables4j.reader;

import io.jhdf.HdfFile;
import java.lang.reflect.Array;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The fixture tables.h5 (written by PyTables, make_tables_fixture.py) and the numpy/PyTables
 * results stored beside its nodes under {@code /expected}, read with jhdf directly (not through
 * the reader under test).
 */
final class TablesFixture {
    private TablesFixture() {
    }

    static Path file() {
        try {
            return Path.of(TablesFixture.class.getResource("/tables/tables.h5").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An expected result: its shape and its values in row-major order. */
    record Expected(long[] shape, double[] values) {
        long[] asLongs() {
            long[] r = new long[values.length];
            for (int i = 0; i < r.length; i++) {
                r[i] = (long) values[i];
            }
            return r;
        }
    }

    static Expected expected(String name) {
        try (HdfFile f = new HdfFile(file())) {
            io.jhdf.api.Dataset ds = f.getDatasetByPath("/expected/" + name);
            long[] shape = ds.getDimensionsAsLong();
            List<Double> out = new ArrayList<>();
            if (ds.getSize() > 0) {
                flatten(ds.getData(), out);
            }
            return new Expected(shape, out.stream().mapToDouble(Double::doubleValue).toArray());
        }
    }

    private static void flatten(Object o, List<Double> out) {
        if (o.getClass().isArray()) {
            int n = Array.getLength(o);
            for (int i = 0; i < n; i++) {
                flatten(Array.get(o, i), out);
            }
        } else {
            out.add(((Number) o).doubleValue());
        }
    }

    /** Every element of an array in row-major order, as doubles. */
    static double[] values(INDArray a) {
        return a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    }
}
