/*
 * JNI bridge from org.multitables4j.hdf5.NativeInflate to libdeflate's whole-buffer zlib
 * decompressor (HDF5's deflate filter stores zlib streams). Buffers are passed as direct
 * ByteBuffers or byte arrays with offsets; nothing is copied here.
 */
#include <jni.h>
#include <stdint.h>
#include <libdeflate.h>

JNIEXPORT jlong JNICALL Java_org_multitables4j_hdf5_NativeInflate_alloc(JNIEnv *env, jclass cls) {
    return (jlong) (intptr_t) libdeflate_alloc_decompressor();
}

JNIEXPORT void JNICALL Java_org_multitables4j_hdf5_NativeInflate_free(JNIEnv *env, jclass cls, jlong handle) {
    libdeflate_free_decompressor((struct libdeflate_decompressor *) (intptr_t) handle);
}

/* Returns the decoded length, or -1 (bad data), -2 (short output), -3 (output space exhausted). */
static jint result(enum libdeflate_result r, size_t n) {
    switch (r) {
        case LIBDEFLATE_SUCCESS: return (jint) n;
        case LIBDEFLATE_SHORT_OUTPUT: return -2;
        case LIBDEFLATE_INSUFFICIENT_SPACE: return -3;
        default: return -1;
    }
}

JNIEXPORT jint JNICALL Java_org_multitables4j_hdf5_NativeInflate_zlibDirect(JNIEnv *env, jclass cls, jlong handle,
        jobject src, jint srcOff, jint srcLen, jobject dst, jint dstOff, jint dstLen) {
    uint8_t *in = (*env)->GetDirectBufferAddress(env, src);
    uint8_t *out = (*env)->GetDirectBufferAddress(env, dst);
    if (in == NULL || out == NULL) {
        return -4;
    }
    size_t n = 0;
    enum libdeflate_result r = libdeflate_zlib_decompress((struct libdeflate_decompressor *) (intptr_t) handle,
            in + srcOff, (size_t) srcLen, out + dstOff, (size_t) dstLen, &n);
    return result(r, n);
}

JNIEXPORT jint JNICALL Java_org_multitables4j_hdf5_NativeInflate_zlibToArray(JNIEnv *env, jclass cls, jlong handle,
        jobject src, jint srcOff, jint srcLen, jbyteArray dst, jint dstOff, jint dstLen) {
    uint8_t *in = (*env)->GetDirectBufferAddress(env, src);
    if (in == NULL) {
        return -4;
    }
    jbyte *out = (*env)->GetPrimitiveArrayCritical(env, dst, NULL);
    if (out == NULL) {
        return -4;
    }
    size_t n = 0;
    enum libdeflate_result r = libdeflate_zlib_decompress((struct libdeflate_decompressor *) (intptr_t) handle,
            in + srcOff, (size_t) srcLen, (uint8_t *) out + dstOff, (size_t) dstLen, &n);
    (*env)->ReleasePrimitiveArrayCritical(env, dst, out, 0);
    return result(r, n);
}
