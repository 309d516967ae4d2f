package org.multitables4j.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** inspect on a file h5py wrote with known layout, filters and attributes, and on our own files. */
class InspectTest {
    @TempDir
    Path dir;

    @Test
    void describesAFileWrittenByH5py() throws Exception {
        Path file = dir.resolve("known.h5");
        String sizes = TestSupport.python(String.join("\n",
                "import sys, h5py, numpy as np",
                "with h5py.File(sys.argv[1], 'w') as f:",
                "    a = f.create_dataset('a', data=np.arange(1000, dtype='<f4').reshape(100, 10), chunks=(16, 10),",
                "                         compression='gzip', compression_opts=5, shuffle=True, maxshape=(None, 10))",
                "    f.create_dataset('g/b', data=np.arange(7, dtype='>i2'))",
                "    f.create_dataset('g/c', data=np.zeros(1000, np.uint8), chunks=(100,), fletcher32=True)",
                "    f.create_dataset('s', data=np.float64(2.5))",
                "    f.attrs['title'] = 'hello'",
                "    f.attrs['n'] = 42",
                "    f['g'].attrs['weights'] = np.array([0.5, 1.5])",
                "    f['g'].attrs['fixed'] = np.bytes_(b'abc')",
                "with h5py.File(sys.argv[1], 'r') as f:",
                "    print(f['a'].id.get_storage_size(), f['g/c'].id.get_storage_size())"), file.toString());
        String[] stored = sizes.split(" ");
        String s = Inspect.describe(file);
        assertTrue(s.contains("\n  a  shape [100, 10]  max [unlimited, 10]  dtype float32  chunked  chunks [16, 10]  "
                + "filters shuffle+gzip(5)  stored " + stored[0] + " B  logical 4000 B  ratio "), s);
        assertTrue(s.contains("\n    b  shape [7]  max [7]  dtype int16 (big endian)  contiguous  filters none  "
                + "stored 14 B  logical 14 B  ratio 1.00"), s);
        assertTrue(s.contains("\n    c  shape [1000]  max [1000]  dtype uint8  chunked  chunks [100]  filters fletcher32  stored "
                + stored[1] + " B"), s);
        assertTrue(s.contains("\n  s  shape []  max []  dtype float64"), s);
        assertTrue(s.contains("\n  @title = 'hello'\n") && s.contains("\n  @n = 42\n"), s);
        assertTrue(s.contains("\n    @weights = [0.5, 1.5]\n") && s.contains("\n    @fixed = 'abc'\n"), s);
        assertTrue(s.contains("\n  g/\n"), s);
        assertTrue(s.startsWith(file.toString()), s);
        assertTrue(s.contains("4 datasets: stored"), s);

        Map<String, Inspect.Entry> e = Inspect.entries(file).stream().collect(Collectors.toMap(Inspect.Entry::path, x -> x));
        assertEquals(List.of("/", "/a", "/g", "/g/b", "/g/c", "/s"), Inspect.entries(file).stream().map(Inspect.Entry::path).toList());
        assertArrayEquals(new long[] {-1, 10}, e.get("/a").maxShape());
        assertEquals(Long.parseLong(stored[0]), e.get("/a").storedBytes());
        assertEquals(4000.0 / Long.parseLong(stored[0]), e.get("/a").ratio(), 1e-12);
    }

    @Test
    void describesOurOwnFile() {
        Path file = dir.resolve("ours.h5");
        Generate.write(Generate.Kind.IMAGES, 300, 50, 28, 10, 1, file, WriteOptions.DEFAULT, true);
        String s = Inspect.describe(file);
        assertTrue(s.contains("\n  train/\n    x  shape [300, 28, 28]  max [unlimited, 28, 28]  dtype uint8  chunked  "
                + "chunks [1024, 28, 28]  filters gzip(4)  stored "), s);
        assertTrue(s.contains("\n    y  shape [300]  max [unlimited]  dtype int64  chunked  chunks [131072]  "
                + "filters shuffle+gzip(4)"), s);
        assertTrue(s.contains("@created_by = 'multitables4j-datasets'"), s);
        Inspect.Entry x = Inspect.entries(file).stream().filter(en -> en.path().equals("/train/x")).findFirst().get();
        assertEquals(300 * 784, x.logicalBytes());
        assertTrue(x.storedBytes() > 0 && x.ratio() > 1, "blobs compress: " + x.ratio());
    }

    @Test
    void errorsForMissingAndNonHdf5Files() throws Exception {
        DatasetsException e = assertThrows(DatasetsException.class, () -> Inspect.describe(dir.resolve("none.h5")));
        assertTrue(e.getMessage().startsWith("No such file"), e.getMessage());
        Files.writeString(dir.resolve("text.h5"), "just text, no superblock");
        e = assertThrows(DatasetsException.class, () -> Inspect.describe(dir.resolve("text.h5")));
        assertTrue(e.getMessage().startsWith("Not an HDF5 file"), e.getMessage());
    }
}
