package org.multitables4j.internal.hdf5;

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
 * The byte unshuffle, native and Java, against its definition; libdeflate through {@link NativeCodecs}: streams made by the JDK's zlib ({@link Deflater}) come
 * back as the bytes that were compressed, and the h5py-written deflate chunks decode to the same
 * bytes as with {@code java.util.zip.Inflater} (the fallback), which {@link FixtureValuesTest}
 * checks against the value formula.
 */
class NativeCodecsTest {
    /** Where the build put the library (CI installs libdeflate-dev), it must load. */
    @Test
    void theBuiltLibraryLoads() {
        assumeTrue(NativeCodecs.class.getResource(NativeCodecs.RESOURCE) != null, "built without libdeflate");
        assertNull(NativeCodecs.loadError());
        assertTrue(NativeCodecs.available());
    }

    /** HDF5's shuffle, by its definition: byte j of element i goes to j * n + i. */
    private static byte[] shuffle(byte[] data, int es) {
        int n = data.length / es;
        byte[] out = data.clone(); // a trailing partial element stays where it is
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < es; j++) {
                out[j * n + i] = data[i * es + j];
            }
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4, 8, 12})
    void unshuffleUndoesTheShuffle(int es) {
        for (boolean nativeOn : new boolean[] {true, false}) {
            if (nativeOn && !NativeCodecs.available()) {
                continue;
            }
            NativeCodecs.setEnabled(nativeOn);
            try {
                for (int len : new int[] {es * 63, es * 64 + 1, 100_003, 1 << 18}) {
                    byte[] data = new byte[len];
                    new Random(len + es).nextBytes(data);
                    byte[] src = new byte[len + 7];
                    System.arraycopy(shuffle(data, es), 0, src, 7, len);
                    ByteBuffer direct = ByteBuffer.allocateDirect(len + 3);
                    BlockDecoder.unshuffle(src, 7, direct, 3, len, es);
                    byte[] got = new byte[len];
                    direct.get(3, got);
                    assertArrayEquals(data, got, "direct, native " + nativeOn + ", " + len + " bytes");
                    byte[] heap = new byte[len + 5];
                    BlockDecoder.unshuffle(src, 7, ByteBuffer.wrap(heap, 5, len).slice(), 0, len, es);
                    assertArrayEquals(data, java.util.Arrays.copyOfRange(heap, 5, 5 + len), "heap, native " + nativeOn);
                }
            } finally {
                NativeCodecs.setEnabled(true);
            }
        }
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
        assumeTrue(NativeCodecs.available());
        byte[] data = sample(300_001, level);
        ByteBuffer z = zlib(data, level);
        try (NativeCodecs inf = new NativeCodecs()) {
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
        assumeTrue(NativeCodecs.available());
        byte[] data = sample(100_000, 3);
        ByteBuffer z = zlib(data, 6);
        try (NativeCodecs inf = new NativeCodecs()) {
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
        assumeTrue(NativeCodecs.available());
        try (Hdf5File f = Hdf5File.open(Fixtures.resource("fixtures.h5"))) {
            Hdf5Array a = f.array(path);
            BlockDecoder withNative = new BlockDecoder();
            NativeCodecs.setEnabled(false);
            BlockDecoder withJdk;
            try {
                withJdk = new BlockDecoder();
            } finally {
                NativeCodecs.setEnabled(true);
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
        assumeTrue(NativeCodecs.available());
        byte[] data = sample(4096, 5);
        ByteBuffer z = zlib(data, 6);
        BlockDecoder dec = new BlockDecoder();
        ByteBuffer out = ByteBuffer.allocateDirect(4096);
        CorruptDataException e = assertThrows(CorruptDataException.class, () -> dec.decode(z, z.capacity() - 7,
                new int[] {Hdf5Array.FILTER_DEFLATE}, new int[][] {new int[0]}, 0, 4, out, 4096));
        assertTrue(e.getMessage().contains("deflate stream"), e.getMessage());
        dec.decode(z, z.capacity(), new int[] {Hdf5Array.FILTER_DEFLATE}, new int[][] {new int[0]}, 0, 4, out, 4096);
        byte[] got = new byte[4096];
        out.get(0, got);
        assertArrayEquals(data, got);
        dec.close();
    }
}
