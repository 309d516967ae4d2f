package org.multitables4j.internal.hdf5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.multitables4j.Hdf5DataSetIterator;
import org.multitables4j.MultitablesException;
import org.multitables4j.Order;
import org.multitables4j.reader.Hdf5Dataset;
import org.multitables4j.reader.Hdf5Reader;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

/**
 * LZO (PyTables' filter 305) and blosc with the snappy codec and with bit-shuffle, against the
 * same values stored without a filter in the same file (filters_more.h5, written by PyTables with
 * the HDF5 C library; see make_filter_fixtures2.py).
 */
class MoreFiltersTest {
    static final String[] GROUPS = {"lzo", "lzo_shuffle", "blosc_snappy", "blosc_snappy_noshuffle", "blosc_lz4_bitshuffle",
        "blosc_zstd_bitshuffle", "blosc_blosclz_bitshuffle"};
    static final String[] ARRAYS = {"f4", "f8_be", "i2", "u1", "f4_big"};

    @TempDir
    Path tmp;

    static double[] all(Hdf5Reader reader, String path) {
        Hdf5Dataset ds = reader.dataset(path);
        int rows = (int) ds.shape()[0];
        INDArray a = reader.request(ds.rows(0, rows), ds.createStage(rows)).get();
        return a.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).data().asDouble();
    }

    @ParameterizedTest
    @ValueSource(strings = {"lzo", "lzo_shuffle", "blosc_snappy", "blosc_snappy_noshuffle", "blosc_lz4_bitshuffle",
        "blosc_zstd_bitshuffle", "blosc_blosclz_bitshuffle"})
    void everyDatasetEqualsTheUncompressedCopy(String group) {
        Path f = Fixtures.resource("filters_more.h5");
        try (Hdf5Reader reader = Hdf5Reader.open(f, 2)) {
            for (String name : ARRAYS) {
                double[] want = all(reader, "/expected/" + name);
                double[] got = all(reader, "/" + group + "/" + name);
                assertArrayEquals(want, got, "/" + group + "/" + name);
                // and not trivially: the formula's values vary
                assertTrue(java.util.Arrays.stream(want).distinct().count() > 10, name);
            }
        }
    }

    /** The bitshuffle filter 32008 with LZ4 and zstd, decoded by our own code. */
    @ParameterizedTest
    @ValueSource(strings = {"bitshuffle_lz4_f4", "bitshuffle_zstd_f4", "bitshuffle_lz4_i2", "bitshuffle_zstd_f8",
        "bitshuffle_lz4_whole", "bitshuffle_none_f4"})
    void bitshuffleFilterEqualsTheUncompressedCopy(String name) {
        Path f = Fixtures.resource("filters_more.h5");
        try (Hdf5Reader reader = Hdf5Reader.open(f, 2)) {
            double[] want = all(reader, "/expected/" + name);
            assertArrayEquals(want, all(reader, "/" + name), name);
            assertTrue(java.util.Arrays.stream(want).distinct().count() > 10, name);
        }
    }

    /**
     * jhdf's own bitshuffle filter (LZ4) reads chunks of whole blocks as we do: an independent
     * reading of the transposition and the block framing. (On a partial last block it differs:
     * it takes the block as stored bytes, where bitshuffle's reference compresses it.)
     */
    @ParameterizedTest
    @ValueSource(strings = {"bitshuffle_lz4_whole"})
    void jhdfAgreesOnTheBitshuffleLz4Fixtures(String name) {
        Path f = Fixtures.resource("filters_more.h5");
        double[] ours;
        try (Hdf5Reader reader = Hdf5Reader.open(f, 1)) {
            ours = all(reader, "/" + name);
        }
        try (io.jhdf.HdfFile h = new io.jhdf.HdfFile(f)) {
            Object data = h.getDatasetByPath("/" + name).getData();
            double[] theirs = new double[ours.length];
            int[] at = {0};
            flatten(data, theirs, at);
            assertEquals(ours.length, at[0]);
            assertArrayEquals(theirs, ours, name);
        }
    }

    private static void flatten(Object a, double[] out, int[] at) {
        if (a instanceof float[] x) {
            for (float v : x) {
                out[at[0]++] = v;
            }
        } else if (a instanceof short[] x) {
            for (short v : x) {
                out[at[0]++] = v;
            }
        } else if (a instanceof double[] x) {
            for (double v : x) {
                out[at[0]++] = v;
            }
        } else {
            for (Object o : (Object[]) a) {
                flatten(o, out, at);
            }
        }
    }

    @Test
    void theIteratorStreamsThemInEveryOrder() {
        Path f = Fixtures.resource("filters_more.h5");
        double[] want;
        try (Hdf5Reader reader = Hdf5Reader.open(f, 1)) {
            want = all(reader, "/expected/f4_big");
        }
        for (String group : GROUPS) {
            for (Order order : new Order[] {Order.ORDERED, Order.SHUFFLED}) {
                try (Hdf5DataSetIterator it = Hdf5DataSetIterator.builder(f).features("/" + group + "/f4_big")
                        .batchSize(100).order(order).workers(2).seed(1).build()) {
                    // the formula repeats rows every 200, so rows are compared as a multiset (and in
                    // order for ORDERED)
                    java.util.Map<String, Integer> got = new java.util.HashMap<>();
                    List<String> sequence = new ArrayList<>();
                    while (it.hasNext()) {
                        DataSet ds = it.next();
                        INDArray x = ds.getFeatures();
                        for (int i = 0; i < x.size(0); i++) {
                            String row = java.util.Arrays.toString(
                                    x.getRow(i).dup().castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).data().asDouble());
                            got.merge(row, 1, Integer::sum);
                            sequence.add(row);
                        }
                    }
                    java.util.Map<String, Integer> expected = new java.util.HashMap<>();
                    List<String> expectedSequence = new ArrayList<>();
                    for (int r = 0; r < 3000; r++) {
                        double[] row = new double[13];
                        System.arraycopy(want, r * 13, row, 0, 13);
                        String key = java.util.Arrays.toString(row);
                        expected.merge(key, 1, Integer::sum);
                        expectedSequence.add(key);
                    }
                    assertEquals(expected, got, group + " " + order);
                    if (order == Order.ORDERED) {
                        assertEquals(expectedSequence, sequence, group);
                    }
                }
            }
        }
    }

    @Test
    void bitTransposeIsItsOwnInverseOnEveryBit() {
        Random rnd = new Random(3);
        for (int i = 0; i < 1000; i++) {
            long x = rnd.nextLong();
            long t = Codecs.transpose8x8(x);
            for (int r = 0; r < 8; r++) {
                for (int c = 0; c < 8; c++) {
                    assertEquals((x >>> (8 * r + c)) & 1, (t >>> (8 * c + r)) & 1);
                }
            }
            assertEquals(x, Codecs.transpose8x8(t));
        }
    }

    @Test
    void damagedChunksFailAsCorruptDataNeverOtherwise() throws IOException {
        byte[] clean = Files.readAllBytes(Fixtures.resource("filters_more.h5"));
        Random rnd = new Random(42);
        int corrupt = 0;
        for (int round = 0; round < 30; round++) {
            byte[] b = clean.clone();
            // flip bytes in the second half of the file, where the chunk data lies (metadata first)
            for (int k = 0; k < 40; k++) {
                int at = clean.length / 2 + rnd.nextInt(clean.length / 2);
                b[at] ^= (byte) (1 + rnd.nextInt(255));
            }
            Path p = tmp.resolve("damaged-" + round + ".h5");
            Files.write(p, b);
            for (String group : GROUPS) {
                try (Hdf5Reader reader = Hdf5Reader.open(p, 1)) {
                    for (String name : ARRAYS) {
                        try {
                            all(reader, "/" + group + "/" + name);
                        } catch (MultitablesException e) {
                            corrupt++;
                            assertTrue(e.getMessage().contains(p.getFileName().toString()), "names the file: " + e.getMessage());
                        }
                    }
                } catch (MultitablesException e) {
                    corrupt++; // the metadata itself was hit
                }
            }
            Files.delete(p);
        }
        assertTrue(corrupt > 0, "some damage was detected");
    }
}
