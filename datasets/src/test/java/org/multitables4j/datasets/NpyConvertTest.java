package org.multitables4j.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** .npy conversion: files written by NumPy itself in every supported dtype and both byte orders. */
class NpyConvertTest {
    @TempDir
    Path dir;

    static final List<String> SUPPORTED = List.of("<f4", ">f4", "<f8", ">f8", "|i1", "<i2", ">i2", "<i4", ">i4",
            "<i8", ">i8", "|u1", "<u2", ">u2", "<u4", ">u4", "|b1");

    @Test
    void everySupportedDtypeBothEndiansMatchesNumpy() throws Exception {
        // NumPy writes the inputs: shape (37, 3, 2), values spanning each type's range
        TestSupport.python(String.join("\n",
                "import sys, numpy as np",
                "d = sys.argv[1]",
                "rng = np.random.default_rng(1)",
                "for code in sys.argv[2].split(','):",
                "    t = np.dtype(code)",
                "    if t.kind == 'f':",
                "        a = (rng.standard_normal((37, 3, 2)) * 1e3).astype(t); a.flat[5] = np.nan; a.flat[6] = -np.inf",
                "    elif t.kind == 'b':",
                "        a = rng.integers(0, 2, (37, 3, 2)).astype(t)",
                "    else:",
                "        i = np.iinfo(t); a = rng.integers(i.min, i.max, (37, 3, 2), endpoint=True, dtype=np.int64 if i.min < 0 else np.uint64).astype(t)",
                "        a.flat[0] = i.min; a.flat[1] = i.max",
                "    assert a.dtype.str == code or t.itemsize == 1, (a.dtype.str, code)",
                "    np.save(f'{d}/{code[1:]}{\"be\" if code[0] == \">\" else \"le\"}.npy', a)",
                "np.lib.format.write_array(open(f'{d}/v2.npy', 'wb'), np.arange(12, dtype='>i4').reshape(4, 3), version=(2, 0))",
                "np.save(f'{d}/vector.npy', np.linspace(0, 1, 9, dtype='<f8'))",
                "np.save(f'{d}/empty.npy', np.zeros((0, 4), '<f4'))",
                "np.save(f'{d}/fortran.npy', np.asfortranarray(np.arange(6, dtype='<f4').reshape(2, 3)))",
                "np.save(f'{d}/half.npy', np.zeros((2, 2), '<f2'))",
                "np.save(f'{d}/complex.npy', np.zeros(3, '<c8'))",
                "np.save(f'{d}/text.npy', np.array(['ab', 'c']))",
                "np.save(f'{d}/u64.npy', np.zeros(3, '<u8'))",
                "np.save(f'{d}/scalar.npy', np.float32(3))"), dir.toString(), String.join(",", SUPPORTED));

        List<String> names = new ArrayList<>();
        for (String code : SUPPORTED) {
            names.add(code.substring(1) + (code.charAt(0) == '>' ? "be" : "le"));
        }
        names.addAll(List.of("v2", "vector", "empty"));
        for (String n : names) {
            Convert.npy(dir.resolve(n + ".npy"), dir.resolve(n + ".h5"), "/data/" + n,
                    WriteOptions.builder().chunkRows(5).build(), true);
        }
        String report = TestSupport.python(String.join("\n",
                "import sys, h5py, numpy as np",
                "d = sys.argv[1]; bad = []",
                "for n in sys.argv[2].split(','):",
                "    a = np.load(f'{d}/{n}.npy'); h = h5py.File(f'{d}/{n}.h5', 'r')[f'data/{n}']",
                "    want = a.astype(a.dtype.newbyteorder('<')) if a.dtype.kind != 'b' else a.astype(np.uint8)",
                "    got = h[:]",
                "    if got.dtype != want.dtype or got.shape != want.shape or not np.array_equal(got, want, equal_nan=want.dtype.kind == 'f'):",
                "        bad.append((n, str(got.dtype), str(want.dtype), got.shape, want.shape))",
                "print('ok' if not bad else bad)"), dir.toString(), String.join(",", names));
        assertEquals("ok", report);
        // one checked in Java as well: big-endian int32 from format 2.0, 0..11
        assertArrayEquals(new long[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, TestSupport.longs(dir.resolve("v2.h5"), "/data/v2"));
        assertArrayEquals(new long[] {0, 4}, TestSupport.dims(dir.resolve("empty.h5"), "/data/empty"));

        DatasetsException f = assertThrows(DatasetsException.class, () -> Convert.npy(dir.resolve("fortran.npy"),
                dir.resolve("fortran.h5"), "/x", WriteOptions.DEFAULT, true));
        assertTrue(f.getMessage().contains("Fortran order"), f.getMessage());
        for (String n : List.of("half", "complex", "text", "u64")) {
            DatasetsException e = assertThrows(DatasetsException.class, () -> Convert.npy(dir.resolve(n + ".npy"),
                    dir.resolve(n + ".h5"), "/x", WriteOptions.DEFAULT, true));
            assertTrue(e.getMessage().startsWith("Unsupported dtype") && e.getMessage().contains(n + ".npy"),
                    e.getMessage());
        }
        DatasetsException s = assertThrows(DatasetsException.class, () -> Convert.npy(dir.resolve("scalar.npy"),
                dir.resolve("scalar.h5"), "/x", WriteOptions.DEFAULT, true));
        assertTrue(s.getMessage().contains("0-dimensional"), s.getMessage());
        for (String n : List.of("fortran", "half", "complex", "text", "u64", "scalar")) {
            assertTrue(!Files.exists(dir.resolve(n + ".h5")), n);
        }
    }

    /** A header written here (not by NumPy), truncated data, and a file that is not .npy. */
    @Test
    void handWrittenHeaderTruncationAndBadMagic() throws Exception {
        ByteBuffer data = ByteBuffer.allocate(6 * 8).order(ByteOrder.BIG_ENDIAN);
        for (int i = 0; i < 6; i++) {
            data.putDouble(i - 2.5);
        }
        Files.write(dir.resolve("h.npy"), npy("{'descr': '>f8', 'fortran_order': False, 'shape': (2, 3), }", data.array()));
        Convert.npy(dir.resolve("h.npy"), dir.resolve("h.h5"), "x", WriteOptions.DEFAULT, true);
        assertArrayEquals(new double[] {-2.5, -1.5, -0.5, 0.5, 1.5, 2.5}, TestSupport.doubles(dir.resolve("h.h5"), "/x"));

        Files.write(dir.resolve("t.npy"), npy("{'descr': '<f4', 'fortran_order': False, 'shape': (100,), }", new byte[40]));
        DatasetsException e = assertThrows(DatasetsException.class, () -> Convert.npy(dir.resolve("t.npy"),
                dir.resolve("t.h5"), "/x", WriteOptions.DEFAULT, true));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());

        Files.writeString(dir.resolve("n.npy"), "not numpy at all");
        e = assertThrows(DatasetsException.class, () -> Convert.npy(dir.resolve("n.npy"), dir.resolve("n.h5"), "/x",
                WriteOptions.DEFAULT, true));
        assertTrue(e.getMessage().contains("bad magic"), e.getMessage());
        assertEquals(List.of("h.h5"), TestSupport.outputs(dir));
    }

    static byte[] npy(String header, byte[] data) {
        int total = 10 + header.length() + 1;
        String h = header + " ".repeat((64 - total % 64) % 64) + "\n";
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(0x93);
        o.writeBytes("NUMPY".getBytes(StandardCharsets.US_ASCII));
        o.write(1);
        o.write(0);
        o.write(h.length() & 0xff);
        o.write(h.length() >> 8);
        o.writeBytes(h.getBytes(StandardCharsets.US_ASCII));
        o.writeBytes(data);
        return o.toByteArray();
    }
}
