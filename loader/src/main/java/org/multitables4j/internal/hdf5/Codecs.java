package org.multitables4j.internal.hdf5;

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

    private Codecs() {
    }

    /** @return true when this library decodes filter {@code id} itself */
    static boolean supports(int id) {
        switch (id) {
            case DEFLATE, SHUFFLE, FLETCHER32, SZIP, BLOSC, LZ4, ZSTD, BZIP2, LZO, BITSHUFFLE, LZF:
                return true;
            default:
                return false;
        }
    }

    /**
     * @param id a filter id that {@link #supports}
     * @return a new decoder of that filter (per decoding thread)
     */
    static Hdf5Filter create(int id) {
        // a switch, not a table of constructor references: linking those loaded every filter
        // class and the libraries they use, about 0.1 s of a worker process's start
        switch (id) {
            case DEFLATE:
                return new DeflateFilter();
            case SHUFFLE:
                return new ShuffleFilter();
            case FLETCHER32:
                return new Fletcher32Filter();
            case SZIP:
                return new SzipFilter();
            case BLOSC:
                return new BloscFilter();
            case LZ4:
                return new Lz4Filter();
            case ZSTD:
                return new ZstdFilter();
            case BZIP2:
                return new Bzip2Filter();
            case LZO:
                return new LzoFilter();
            case BITSHUFFLE:
                return new BitshuffleFilter();
            case LZF:
                return new LzfFilter();
            default:
                throw new IllegalStateException("filter " + id + " is not decoded here");
        }
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
