package org.multitables4j.internal.hdf5;

import java.nio.ByteBuffer;
import org.multitables4j.CorruptDataException;
import org.multitables4j.UnsupportedHdf5Exception;

/**
 * What every storage layout of one dataset needs to know: the file, the dataset's name for
 * messages, its stored shape, stored element (record) size, the stored bytes of one row and the
 * fill value of one element.
 *
 * @param file        the file
 * @param path        the dataset's path (with {@code #column} for a table column)
 * @param shape       the stored shape; element 0 is the number of rows
 * @param storedSize  bytes of one stored element (a whole record for tables)
 * @param rowBytes    stored bytes of one row
 * @param fillElement the fill value of one stored element
 */
record DatasetGeometry(Hdf5File file, String path, long[] shape, int storedSize, int rowBytes, byte[] fillElement) {

    /** @return the number of rows */
    long rows() {
        return shape[0];
    }

    /** @return valid rows of block {@code block} when blocks hold {@code blockRows} rows */
    int rowsInBlock(int block, int blockRows) {
        long start = (long) block * blockRows;
        return (int) Math.min(blockRows, shape[0] - start);
    }

    /** @return "Dataset 'p' in file" for messages */
    String name() {
        return "Dataset '" + path + "' in " + file.path();
    }

    /** @return the typed error for a feature of this dataset that cannot be read */
    UnsupportedHdf5Exception unsupported(String what) {
        return new UnsupportedHdf5Exception(name() + " uses " + what + ", which multitables4j cannot read");
    }

    /** @return the typed error for inconsistent metadata of this dataset */
    CorruptDataException corrupt(String what) {
        return new CorruptDataException(name() + ": " + what);
    }

    /** Writes the fill value into {@code out[from, to)}. */
    void fill(ByteBuffer out, int from, int to) {
        boolean zero = true;
        for (byte b : fillElement) {
            zero &= b == 0;
        }
        if (zero) {
            for (int i = from; i < to; i++) {
                out.put(i, (byte) 0);
            }
        } else {
            for (int i = from; i + fillElement.length <= to; i += fillElement.length) {
                out.put(i, fillElement);
            }
        }
    }
}
