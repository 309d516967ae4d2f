package org.multitables4j.internal.workers;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;

/**
 * Unmaps a {@link MappedByteBuffer} now instead of when it is garbage-collected, with
 * {@code sun.misc.Unsafe.invokeCleaner} (module {@code jdk.unsupported}, which opens
 * {@code sun.misc}). Where that is not available the mapping is left to the collector.
 */
final class Unmapper {
    private static final MethodHandle INVOKE_CLEANER = find();

    private Unmapper() {
    }

    private static MethodHandle find() {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field f = unsafeClass.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            Object unsafe = f.get(null);
            return MethodHandles.lookup().findVirtual(unsafeClass, "invokeCleaner",
                    MethodType.methodType(void.class, ByteBuffer.class)).bindTo(unsafe);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** @return whether mappings can be released before garbage collection */
    static boolean available() {
        return INVOKE_CLEANER != null;
    }

    /**
     * Unmaps {@code buffer} (the buffer {@code FileChannel.map} returned, not a slice of it).
     * Any later access to it or its slices may crash the JVM.
     *
     * @param buffer the mapping
     * @return whether it was unmapped now
     */
    static boolean unmap(MappedByteBuffer buffer) {
        if (INVOKE_CLEANER == null) {
            return false;
        }
        try {
            INVOKE_CLEANER.invokeExact((ByteBuffer) buffer);
            return true;
        } catch (Throwable t) {
            return false;
        }
    }

    /**
     * Frees the memory of a direct buffer now (one made by {@code ByteBuffer.allocateDirect},
     * not a slice or duplicate of one). Any later access to it or its slices may crash the JVM.
     *
     * @param buffer the buffer
     * @return whether it was freed now (else the collector frees it)
     */
    static boolean release(ByteBuffer buffer) {
        if (INVOKE_CLEANER == null) {
            return false;
        }
        try {
            INVOKE_CLEANER.invokeExact(buffer);
            return true;
        } catch (Throwable e) {
            return false;
        }
    }
}
