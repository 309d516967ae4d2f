package org.multitables4j.datasets;

import static org.bytedeco.hdf5.global.hdf5.*;

/**
 * Element types the writer stores. Values are always stored little endian, so appended bytes
 * are taken as little endian.
 */
public enum ElementKind {
    /** 32-bit IEEE float ({@code float32}, NumPy {@code <f4}). */
    FLOAT32(4, "float32"),
    /** 64-bit IEEE float ({@code float64}, NumPy {@code <f8}). */
    FLOAT64(8, "float64"),
    /** Signed 8-bit integer ({@code int8}). */
    INT8(1, "int8"),
    /** Signed 16-bit integer ({@code int16}). */
    INT16(2, "int16"),
    /** Signed 32-bit integer ({@code int32}). */
    INT32(4, "int32"),
    /** Signed 64-bit integer ({@code int64}). */
    INT64(8, "int64"),
    /** Unsigned 8-bit integer ({@code uint8}). */
    UINT8(1, "uint8"),
    /** Unsigned 16-bit integer ({@code uint16}). */
    UINT16(2, "uint16"),
    /** Unsigned 32-bit integer ({@code uint32}). */
    UINT32(4, "uint32");

    private final int size;
    private final String label;

    ElementKind(int size, String label) {
        this.size = size;
        this.label = label;
    }

    /** @return bytes per element */
    public int size() {
        return size;
    }

    /** @return the NumPy-style name, e.g. {@code float32} */
    @Override
    public String toString() {
        return label;
    }

    /** @return the HDF5 file type (little endian); the caller holds {@link Hdf5#LOCK} */
    long fileType() {
        Hdf5.init();
        switch (this) {
            case FLOAT32: return H5T_IEEE_F32LE_g();
            case FLOAT64: return H5T_IEEE_F64LE_g();
            case INT8: return H5T_STD_I8LE_g();
            case INT16: return H5T_STD_I16LE_g();
            case INT32: return H5T_STD_I32LE_g();
            case INT64: return H5T_STD_I64LE_g();
            case UINT8: return H5T_STD_U8LE_g();
            case UINT16: return H5T_STD_U16LE_g();
            case UINT32: return H5T_STD_U32LE_g();
            default: throw new AssertionError(this);
        }
    }
}
