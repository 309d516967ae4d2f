package org.multitables4j.internal.hdf5;

import java.util.Map;
import java.util.function.Supplier;

/**
 * The filters this library decodes itself, by HDF5 filter id: deflate (1), shuffle (2),
 * fletcher32 (3), szip (4, with libaec), bzip2 (307), LZO (305), LZF (32000), blosc (32001),
 * LZ4 (32004), bitshuffle (32008) and zstd (32015); one {@link Hdf5Filter} class per codec
 * family. A pipeline with any other filter is decoded by jhdf's own pipeline (a filter some
 * other library registers with jhdf).
 */
final class Codecs {
    static final int DEFLATE = Hdf5Filter.DEFLATE;
    static final int SHUFFLE = Hdf5Filter.SHUFFLE;
    static final int FLETCHER32 = Hdf5Filter.FLETCHER32;
    static final int SZIP = Hdf5Filter.SZIP;
    static final int BLOSC = Hdf5Filter.BLOSC;
    static final int LZ4 = Hdf5Filter.LZ4;
    static final int ZSTD = Hdf5Filter.ZSTD;
    static final int BZIP2 = Hdf5Filter.BZIP2;
    static final int LZO = Hdf5Filter.LZO;
    static final int BITSHUFFLE = Hdf5Filter.BITSHUFFLE;
    static final int LZF = Hdf5Filter.LZF;

    private static final Map<Integer, Supplier<Hdf5Filter>> REGISTRY = Map.ofEntries(
            Map.entry(DEFLATE, DeflateFilter::new),
            Map.entry(SHUFFLE, ShuffleFilter::new),
            Map.entry(FLETCHER32, Fletcher32Filter::new),
            Map.entry(SZIP, SzipFilter::new),
            Map.entry(BLOSC, BloscFilter::new),
            Map.entry(LZ4, Lz4Filter::new),
            Map.entry(ZSTD, ZstdFilter::new),
            Map.entry(BZIP2, Bzip2Filter::new),
            Map.entry(LZO, LzoFilter::new),
            Map.entry(BITSHUFFLE, BitshuffleFilter::new),
            Map.entry(LZF, LzfFilter::new));

    private Codecs() {
    }

    /** @return true when this library decodes filter {@code id} itself */
    static boolean supports(int id) {
        return REGISTRY.containsKey(id);
    }

    /**
     * @param id a filter id that {@link #supports}
     * @return a new decoder of that filter (per decoding thread)
     */
    static Hdf5Filter create(int id) {
        Supplier<Hdf5Filter> s = REGISTRY.get(id);
        if (s == null) {
            throw new IllegalStateException("filter " + id + " is not decoded here");
        }
        return s.get();
    }

    /**
     * Checks a dataset's client data for filter {@code id} when the dataset is opened.
     *
     * @return null when it can be decoded, else what cannot
     */
    static String unsupported(int id, int[] cd) {
        if (!supports(id)) {
            return null;
        }
        Hdf5Filter f = create(id);
        try {
            return f.unsupported(cd);
        } finally {
            f.close();
        }
    }

    /** bitshuffle's default block in elements, see {@link BitshuffleFilter#defaultBlock}. */
    static int bitshuffleDefaultBlock(int elemSize) {
        return BitshuffleFilter.defaultBlock(elemSize);
    }

    /** One blosclz stream, see {@link Blosclz#decode}. */
    static int blosclz(byte[] src, int off, int len, byte[] dst, int dOff, int max) {
        return Blosclz.decode(src, off, len, dst, dOff, max);
    }

    /** One LZF stream, see {@link LzfFilter#lzf}. */
    static int lzf(byte[] src, int len, byte[] dst, int expected) {
        return LzfFilter.lzf(src, len, dst, expected);
    }

    /** See {@link BitTranspose#transpose8x8}. */
    static long transpose8x8(long x) {
        return BitTranspose.transpose8x8(x);
    }
}
