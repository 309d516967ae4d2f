package org.multitables4j;

/**
 * The file is a valid HDF5 file but holds something this library cannot read: an element type
 * (variable-length, reference, opaque, ...), a filter, or a layout. Thrown when the iterator or
 * reader is built, never mid-epoch.
 */
public class UnsupportedHdf5Exception extends MultitablesException {
    private static final long serialVersionUID = 1L;

    /** @param message names the file, the dataset and the unsupported feature */
    public UnsupportedHdf5Exception(String message) {
        super(message);
    }
}
