package org.multitables4j.hdf5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.util.Random;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.multitables4j.CorruptDataException;

/**
 * libdeflate through {@link NativeInflate}: streams made by the JDK's zlib ({@link Deflater}) come
 * back as the bytes that were compressed, and the h5py-written deflate chunks decode to the same
 * bytes as with {@code java.util.zip.Inflater} (the fallback), which {@link FixtureValuesTest}
 * checks against the value formula.
 */
class NativeInflateTest {
    /** Where the build put the library (CI installs libdeflate-dev), it must load. */
    @Test
    void theBuiltLibraryLoads() {
        assumeTrue(NativeInflate.class.getResource(NativeInflate.RESOURCE) != null, "built without libdeflate");
        assertNull(NativeInflate.loadError());
        assertTrue(NativeInflate.available());
    }

    private static byte[] sample(int n, long seed) {
        Random r = new Random(seed);
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i % 97 < 50 ? r.nextInt(8) : i); // compressible, not trivial
        }
        return b;
    }

    private static ByteBuffer zlib(byte[] data, int level) {
        Deflater d = new Deflater(level);
        d.setInput(data);
        d.finish();
        byte[] out = new byte[data.length + 1024];
        int n = d.deflate(out);
        d.end();
        return ByteBuffer.allocateDirect(n).put(0, out, 0, n);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 6, 9})
    void inflatesWhatZlibDeflated(int level) {
        assumeTrue(NativeInflate.available());
        byte[] data = sample(300_001, level);
        ByteBuffer z = zlib(data, level);
        try (NativeInflate inf = new NativeInflate()) {
            ByteBuffer direct = ByteBuffer.allocateDirect(data.length);
            assertEquals(data.length, inf.inflate(z, 0, z.capacity(), direct, data.length));
            byte[] got = new byte[data.length];
            direct.get(0, got);
            assertArrayEquals(data, got);
            byte[] heap = new byte[data.length + 5];
            assertEquals(data.length, inf.inflate(z, 0, z.capacity(), ByteBuffer.wrap(heap, 5, data.length).slice(), data.length));
            assertArrayEquals(data, java.util.Arrays.copyOfRange(heap, 5, 5 + data.length));
        }
    }

    @Test
    void damagedStreamsAreReported() {
        assumeTrue(NativeInflate.available());
        byte[] data = sample(100_000, 3);
        ByteBuffer z = zlib(data, 6);
        try (NativeInflate inf = new NativeInflate()) {
            ByteBuffer out = ByteBuffer.allocateDirect(data.length);
            assertTrue(inf.inflate(z, 0, z.capacity() / 2, out, data.length) < 0, "truncated stream");
            assertEquals(-3, inf.inflate(z, 0, z.capacity(), out, data.length - 1), "more bytes than the chunk holds");
            ByteBuffer bad = ByteBuffer.allocateDirect(z.capacity()).put(0, z, 0, z.capacity());
            bad.put(bad.capacity() - 2, (byte) (bad.get(bad.capacity() - 2) ^ 0x40)); // adler32 of the stream
            assertEquals(-1, inf.inflate(bad, 0, bad.capacity(), out, data.length), "checksum mismatch");
        }
    }

    /** Every deflate chunk of the h5py fixtures: libdeflate and the JDK's zlib give the same block bytes. */
    @ParameterizedTest
    @ValueSource(strings = {"/filters/gzip", "/filters/gzip_shuffle_fletcher", "/dtypes/f8_be", "/dtypes/i2_le",
        "/dtypes/bool", "/fill/partial_inner", "/layout/chunk_wider", "/layout/images"})
    void sameBlocksAsTheJdkInflater(String path) {
        assumeTrue(NativeInflate.available());
        try (Hdf5File f = Hdf5File.open(Fixtures.resource("fixtures.h5"))) {
            Hdf5Array a = f.array(path);
            BlockDecoder withNative = new BlockDecoder();
            NativeInflate.setEnabled(false);
            BlockDecoder withJdk;
            try {
                withJdk = new BlockDecoder();
            } finally {
                NativeInflate.setEnabled(true);
            }
            ByteBuffer x = ByteBuffer.allocateDirect(a.blockBytes());
            ByteBuffer y = ByteBuffer.allocateDirect(a.blockBytes());
            for (int b = 0; b < a.blockCount(); b++) {
                a.readBlock(b, withNative, x);
                a.readBlock(b, withJdk, y);
                int n = a.rowsInBlock(b) * a.rowBytes();
                assertEquals(y.duplicate().limit(n), x.duplicate().limit(n), path + " block " + b);
            }
            withNative.close();
            withJdk.close();
        }
    }

    @Test
    void aCorruptChunkNamesTheDeflateStream() {
        assumeTrue(NativeInflate.available());
        byte[] data = sample(4096, 5);
        ByteBuffer z = zlib(data, 6);
        BlockDecoder dec = new BlockDecoder();
        ByteBuffer out = ByteBuffer.allocateDirect(4096);
        CorruptDataException e = assertThrows(CorruptDataException.class, () -> dec.decode(z, z.capacity() - 7,
                new int[] {Hdf5Array.FILTER_DEFLATE}, new int[1], 0, 4, out, 4096));
        assertTrue(e.getMessage().contains("deflate stream"), e.getMessage());
        dec.decode(z, z.capacity(), new int[] {Hdf5Array.FILTER_DEFLATE}, new int[1], 0, 4, out, 4096);
        byte[] got = new byte[4096];
        out.get(0, got);
        assertArrayEquals(data, got);
        dec.close();
    }
}
