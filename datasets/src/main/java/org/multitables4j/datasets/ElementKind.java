package org.multitables4j.datasets;

import static org.bytedeco.hdf5.global.hdf5.*;

/** Element types the writer stores (always little endian in the file). */
public enum ElementKind {
    /** 32-bit IEEE float. */
    FLOAT32(4, "float32"),
    /** 64-bit IEEE float. */
    FLOAT64(8, "float64"),
    /** Signed 8-bit integer. */
    INT8(1, "int8"),
    /** Signed 16-bit integer. */
    INT16(2, "int16"),
    /** Signed 32-bit integer. */
    INT32(4, "int32"),
    /** Signed 64-bit integer. */
    INT64(8, "int64"),
    /** Unsigned 8-bit integer. */
    UINT8(1, "uint8"),
    /** Unsigned 16-bit integer. */
    UINT16(2, "uint16"),
    /** Unsigned 32-bit integer. */
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

    @Override
    public String toString() {
        return label;
    }

    /** @return the HDF5 file type (little endian) */
    long fileType() {
        H5open();
        switch (this) {
            case FLOAT32: return H5T_IEEE_F32LE_g();
            case FLOAT64: return H5T_IEEE_F64LE_g();
            case INT8: return H5T_STD_I8LE_g();
            case INT16: return H5T_STD_I16LE_g();
            case INT32: return H5T_STD_I32LE_g();
            case INT64: return H5T_STD_I64LE_g();
            case UINT8: return H5T_STD_U8LE_g();
            case UINT16: return H5T_STD_U16LE_g();
            default: return H5T_STD_U32LE_g();
        }
    }
}
