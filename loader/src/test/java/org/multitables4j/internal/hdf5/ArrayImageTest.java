package org.multitables4j.internal.hdf5;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A dataset rebuilt from the parent's description ({@link ArrayImage}) over a file opened
 * without jhdf ({@link Hdf5File#openData}), as a worker process rebuilds it: every element of
 * every block of the h5py/PyTables fixtures (chunked with every filter of the fixtures, inner
 * chunks, contiguous, compact, a user block, skipped filters, never-written chunks) is compared
 * with the value formula of make_fixtures.py ({@link Fixtures}), not with the parent's reads.
 */
class ArrayImageTest {
    static final List<Hdf5File> OPENED = new ArrayList<>();

    @BeforeAll
    static void open() {
        Hdf5ArrayTest.open();
    }

    @AfterAll
    static void close() {
        OPENED.forEach(Hdf5File::close);
        OPENED.clear();
        Hdf5ArrayTest.close();
    }

    /** @return the dataset as a child rebuilds it from the parent's image */
    static Hdf5Array rebuilt(String file, String path) {
        Hdf5Array parent = Hdf5ArrayTest.file(file).array(path);
        byte[] image = ArrayImage.of(parent);
        assertNotNull(image, file + ":" + path + " has an image");
        Hdf5File data = Hdf5File.openData(Fixtures.resource(file), ArrayImage.baseAddress(image));
        synchronized (OPENED) {
            OPENED.add(data);
        }
        Hdf5Array a = ArrayImage.read(image, data);
        assertTrue(a.file() == data, "reads go to the file opened for data");
        return a;
    }

    static List<Hdf5ArrayTest.Spec> specs() {
        return Hdf5ArrayTest.specs();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specs")
    void everyBlockOfTheRebuiltDatasetMatchesTheFormula(Hdf5ArrayTest.Spec s) {
        Hdf5Array a = rebuilt(s.file(), s.path());
        Hdf5Array p = Hdf5ArrayTest.file(s.file()).array(s.path());
        assertAll(s.path(),
            () -> assertArrayEquals(s.shape(), a.shape(), "shape"),
            () -> assertEquals(p.elementType(), a.elementType(), "element type"),
            () -> assertEquals(p.rowBytes(), a.rowBytes(), "rowBytes"),
            () -> assertEquals(p.blockRows(), a.blockRows(), "blockRows"),
            () -> assertEquals(p.blockCount(), a.blockCount(), "blockCount"),
            () -> assertEquals(p.chunkCount(), a.chunkCount(), "chunkCount"),
            () -> assertEquals(p.describeFilters(), a.describeFilters(), "filters"),
            () -> assertEquals(p.rowReadable(), a.rowReadable(), "rowReadable"));
        try (BlockDecoder dec = new BlockDecoder()) {
            Hdf5ArrayTest.checkArray(a, s.kind(), s.size(), s.order(), s.formula(), dec, false, true);
        }
    }

    @Test
    void neverWrittenChunksOfTheRebuiltDatasetReadAsTheFillValue() {
        try (BlockDecoder dec = new BlockDecoder()) {
            Hdf5ArrayTest.checkArray(rebuilt(Hdf5ArrayTest.FIX, "/fill/partial_f4"), 'f', 4, ByteOrder.LITTLE_ENDIAN,
                    Hdf5ArrayTest.withFill((r, k) -> Fixtures.expected('f', r, k), -7.5,
                            (r, k) -> r < 128 || r >= 512 && r < 576), dec, true, false);
            Hdf5ArrayTest.checkArray(rebuilt(Hdf5ArrayTest.FIX, "/fill/partial_be_f8"), 'f', 8, ByteOrder.BIG_ENDIAN,
                    Hdf5ArrayTest.withFill((r, k) -> Fixtures.expected('f', r, k), 1.25,
                            (r, k) -> r >= 32 && r < 64 || r >= 200), dec, false, false);
            Hdf5ArrayTest.checkArray(rebuilt(Hdf5ArrayTest.FIX, "/fill/partial_inner"), 'f', 4, ByteOrder.LITTLE_ENDIAN,
                    Hdf5ArrayTest.withFill((r, k) -> Fixtures.expected('f', r, k), 3.25, (r, k) -> {
                        long j = k / 6;
                        long l = k % 6;
                        return r < 50 && j < 5 || r >= 100 && j >= 5 && l < 4;
                    }), dec, false, false);
        }
    }

    @Test
    void rowsOfARebuiltContiguousDatasetAreReadInOnePiece() {
        // userblock.h5:/contiguous is >i4 [200, 3] after a 512-byte user block
        Hdf5Array a = rebuilt(Hdf5ArrayTest.USERBLOCK, "/contiguous");
        java.nio.ByteBuffer dst = java.nio.ByteBuffer.allocate(3 * a.rowBytes()).order(ByteOrder.BIG_ENDIAN);
        a.readRows(100, 3, dst);
        for (int i = 0; i < 9; i++) {
            long r = 100 + i / 3;
            assertEquals((long) Fixtures.expected('i', r, i % 3), dst.getInt(i * 4), "row " + r + " element " + (i % 3));
        }
    }

    @Test
    void aBlockPastTheEndIsRefusedAsByTheParsedDataset() {
        Hdf5Array a = rebuilt(Hdf5ArrayTest.FIX, "/layout/chunked_nofilter");
        try (BlockDecoder dec = new BlockDecoder()) {
            assertThrows(IndexOutOfBoundsException.class,
                    () -> a.readBlock(a.blockCount(), dec, java.nio.ByteBuffer.allocate(a.blockBytes())));
        }
    }

    @Test
    void aMalformedImageIsRefused() {
        byte[] image = ArrayImage.of(Hdf5ArrayTest.file(Hdf5ArrayTest.FIX).array("/layout/chunked_nofilter"));
        Hdf5File data = Hdf5File.openData(Fixtures.resource(Hdf5ArrayTest.FIX), ArrayImage.baseAddress(image));
        OPENED.add(data);
        byte[] cut = java.util.Arrays.copyOf(image, image.length - 5);
        assertThrows(IllegalArgumentException.class, () -> ArrayImage.read(cut, data));
        Hdf5File shifted = Hdf5File.openData(Fixtures.resource(Hdf5ArrayTest.FIX), 512);
        OPENED.add(shifted);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ArrayImage.read(image, shifted));
        assertTrue(e.getMessage().contains("base address"), e.getMessage());
    }

    @Test
    void aFileOpenedForDataReadsDoesNotParse() {
        Hdf5File data = Hdf5File.openData(Fixtures.resource(Hdf5ArrayTest.FIX), 0);
        OPENED.add(data);
        assertNull(data.tree());
        assertThrows(IllegalStateException.class, () -> data.array("/layout/contiguous"));
        assertThrows(org.multitables4j.InvalidConfigurationException.class,
                () -> Hdf5File.openData(Fixtures.resource(Hdf5ArrayTest.FIX).resolveSibling("no-such.h5"), 0));
    }
}
