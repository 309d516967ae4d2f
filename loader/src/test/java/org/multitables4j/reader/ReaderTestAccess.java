package org.multitables4j.reader;

import java.util.concurrent.locks.ReentrantLock;

/** Fixture formulas of reader.h5 and a handle on a dataset's store, for tests outside this package. */
public final class ReaderTestAccess {
    private ReaderTestAccess() {
    }

    /**
     * @param r row
     * @param k element of the row, row-major
     * @return the value make_reader_fixtures.py stores there
     */
    public static double expected(long r, long k) {
        return ReaderTest.expected(r, k);
    }

    /**
     * @param r       row of /rank4 ([40, 6, 5, 4])
     * @param lo      first kept index of each inner dimension
     * @param hi      end index of each inner dimension
     * @param integer true for the integer variant (no division by 4)
     * @return the selected elements of that row, row-major
     */
    public static double[] expectedRow(long r, long[] lo, long[] hi, boolean integer) {
        return InnerSliceTest.expectedRow(r, lo, hi, integer);
    }

    /**
     * @param ds a dataset of an open reader
     * @return the lock of its block store: while held, every read through the store waits
     */
    public static ReentrantLock monitor(Hdf5Dataset ds) {
        return ds.store.monitor();
    }
}
