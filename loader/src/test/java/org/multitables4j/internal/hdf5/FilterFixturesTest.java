package org.multitables4j.internal.hdf5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.multitables4j.Hdf5DataSetIterator;
import org.multitables4j.Order;
import org.multitables4j.UnsupportedHdf5Exception;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Filters written by PyTables (blosc with each codec incl. snappy, byte and bit shuffle, bzip2,
 * LZO) and by h5py + hdf5plugin
 * (LZ4 32004), see make_filter_fixtures.py; values checked against the fixture formula.
 */
class FilterFixturesTest {
    static Path pytables() {
        return FixtureValuesTest.resource("filters_pytables.h5");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/blosclz_shuffle", "/blosclz_plain", "/lz4_shuffle", "/lz4_plain", "/lz4hc_shuffle",
        "/lz4hc_plain", "/zlib_shuffle", "/zlib_plain", "/zstd_shuffle", "/zstd_plain", "/lz4_i2", "/lz4_f8_tiny", "/bzip2",
        "/snappy_shuffle", "/snappy_plain", "/bitshuffle", "/lzo"})
    void pytablesFiltersDecode(String path) {
        try (Hdf5File f = Hdf5File.open(pytables())) {
            assertTrue(f.array(path).ownDecodePath(), f.array(path).describeFilters());
        }
        FixtureValuesTest.checkAll(pytables(), path, DataType.DOUBLE, Order.ORDERED, 2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/lz4", "/lz4_multiblock"})
    void hdf5pluginLz4Decodes(String path) {
        FixtureValuesTest.checkAll(FixtureValuesTest.resource("filters_plugins.h5"), path, DataType.FLOAT, Order.ORDERED, 2);
    }

    @Test
    void anUnsupportedFilterIsRefusedAtBuildByName() {
        // ZFP (32013) has no decoder: refused when the iterator is built, not at the first batch
        Path f = FixtureValuesTest.resource("filters_more.h5");
        UnsupportedHdf5Exception e = assertThrows(UnsupportedHdf5Exception.class,
                () -> Hdf5DataSetIterator.builder(f).features("/unsupported_32013").build());
        assertTrue(e.getMessage().contains("32013") && e.getMessage().contains("/unsupported_32013")
                && e.getMessage().contains("filters_more.h5"), e.getMessage());
    }

    @Test
    void blosclzRoundTripsKnownStreams() {
        // literal "abcd" (ctrl 3), a match of 2 + 3 bytes at distance 3 + 1 (ctrl 0x60, code 3), literal "z"
        byte[] src = {3, 'a', 'b', 'c', 'd', (byte) 0x60, 3, 0, 'z'};
        byte[] dst = new byte[16];
        int n = Codecs.blosclz(src, 0, src.length, dst, 0, dst.length);
        assertEquals("abcdabcdaz", new String(dst, 0, n, java.nio.charset.StandardCharsets.US_ASCII));
        byte[] truncated = {3, 'a', 'b', 'c', 'd', (byte) 0x60, 3};
        assertThrows(org.multitables4j.CorruptDataException.class,
                () -> Codecs.blosclz(truncated, 0, truncated.length, new byte[16], 0, 16));
    }
}
