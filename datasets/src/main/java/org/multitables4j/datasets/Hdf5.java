package org.multitables4j.datasets;

import static org.bytedeco.hdf5.global.hdf5.*;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.hdf5.H5E_error2_t;
import org.bytedeco.hdf5.H5E_walk2_t;
import org.bytedeco.javacpp.Pointer;

/**
 * Access to the HDF Group's C library. The build shipped by JavaCPP is not thread-safe
 * ({@code H5_HAVE_THREADSAFE} is off), so every call into it, from any thread, holds {@link #LOCK}.
 * Automatic error printing is switched off; {@link #failure} turns the library's error stack into
 * the message of an exception instead.
 */
final class Hdf5 {
    /** Held around every call into the HDF5 library. */
    static final Object LOCK = new Object();

    private static boolean initialized;
    private static final List<String> WALKED = new ArrayList<>();
    private static H5E_walk2_t walker;

    private Hdf5() {
    }

    /** Loads and initializes the library once. */
    static void init() {
        synchronized (LOCK) {
            if (!initialized) {
                if (H5open() < 0) {
                    throw new DatasetsException("Cannot initialize the HDF5 library");
                }
                H5Eset_auto2(H5E_DEFAULT, null, null);
                walker = new H5E_walk2_t() {
                    @Override
                    public int call(int n, H5E_error2_t err, Pointer data) {
                        if (err != null && err.desc() != null) {
                            String d = err.desc().getString();
                            if (!d.isBlank() && !WALKED.contains(d)) {
                                WALKED.add(d);
                            }
                        }
                        return 0;
                    }
                };
                initialized = true;
            }
        }
    }

    /**
     * The descriptions on the library's current error stack, innermost last, then cleared. Call
     * with {@link #LOCK} held, right after the failing call.
     */
    static String errorStack() {
        synchronized (LOCK) {
            WALKED.clear();
            try {
                H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, walker, null);
            } finally {
                H5Eclear2(H5E_DEFAULT);
            }
            String s = String.join("; ", WALKED);
            WALKED.clear();
            return s;
        }
    }

    /**
     * @param what what failed, naming the file and object
     * @return an exception carrying {@code what} and the library's reason
     */
    static DatasetsException failure(String what) {
        String stack = errorStack();
        return new DatasetsException(stack.isEmpty() ? what : what + " (HDF5: " + stack + ")");
    }

    /**
     * @param status a status returned by the library
     * @param what   what was attempted
     * @throws DatasetsException when {@code status < 0}
     */
    static void check(long status, String what) {
        if (status < 0) {
            throw failure(what);
        }
    }
}
