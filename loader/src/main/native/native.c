/*
 * JNI bridge of org.multitables4j.internal.hdf5.NativeCodecs: libdeflate's whole-buffer zlib decompressor
 * (HDF5's deflate filter stores zlib streams) and a vectorized byte unshuffle (HDF5's shuffle
 * filter, blosc's byte shuffle) and, when built with -DMT4J_AEC, libaec's szip-compatible decoder
 * (HDF5's szip filter). Buffers are passed as direct ByteBuffers or byte arrays with
 * offsets; nothing is copied here.
 * filter, blosc's byte shuffle). Buffers are passed as direct ByteBuffers or byte arrays with
 * offsets; nothing is copied here. Also the page reservation of org.multitables4j.internal.workers.ShmReserve.
 */
#define _GNU_SOURCE
#include <jni.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <emmintrin.h>
#include <libdeflate.h>
#ifdef MT4J_AEC
#include <szlib.h>
#endif

JNIEXPORT jlong JNICALL Java_org_multitables4j_internal_hdf5_NativeCodecs_alloc(JNIEnv *env, jclass cls) {
    return (jlong) (intptr_t) libdeflate_alloc_decompressor();
}

JNIEXPORT void JNICALL Java_org_multitables4j_internal_hdf5_NativeCodecs_free(JNIEnv *env, jclass cls, jlong handle) {
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

JNIEXPORT jint JNICALL Java_org_multitables4j_internal_hdf5_NativeCodecs_zlibDirect(JNIEnv *env, jclass cls, jlong handle,
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

JNIEXPORT jint JNICALL Java_org_multitables4j_internal_hdf5_NativeCodecs_zlibToArray(JNIEnv *env, jclass cls, jlong handle,
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

/*
 * HDF5/blosc byte unshuffle of n elements of es bytes: byte j of element i is at src[j * n + i].
 * The loops for 2, 4 and 8 bytes are written so that gcc -O3 vectorizes them (SSE2 on x86-64):
 * about 10 GB/s for 4-byte elements against 2.4-3.8 GB/s for the JIT-compiled Java loop.
 */
static void unshuffle(const uint8_t *restrict src, uint8_t *restrict dst, size_t n, size_t es) {
    switch (es) {
        case 2:
            for (size_t i = 0; i < n; i++) {
                uint16_t v = (uint16_t) (src[i] | src[n + i] << 8);
                memcpy(dst + 2 * i, &v, 2);
            }
            return;
        case 4: {
            const uint8_t *b = src + n, *c = src + 2 * n, *d = src + 3 * n;
            for (size_t i = 0; i < n; i++) {
                uint32_t v = (uint32_t) src[i] | (uint32_t) b[i] << 8 | (uint32_t) c[i] << 16 | (uint32_t) d[i] << 24;
                memcpy(dst + 4 * i, &v, 4);
            }
            return;
        }
        case 8: {
            for (size_t i = 0; i < n; i++) {
                uint64_t v = 0;
                for (size_t j = 0; j < 8; j++) {
                    v |= (uint64_t) src[j * n + i] << (8 * j);
                }
                memcpy(dst + 8 * i, &v, 8);
            }
            return;
        }
        default:
            for (size_t j = 0; j < es; j++) {
                for (size_t i = 0; i < n; i++) {
                    dst[i * es + j] = src[j * n + i];
                }
            }
    }
}

/* Unshuffles src[srcOff, srcOff + n * es) (a byte array) into dst at dstOff: a direct buffer or,
 * when dstArray is not null, that array. Returns 0, or -4 when a buffer cannot be accessed. */
JNIEXPORT jint JNICALL Java_org_multitables4j_internal_hdf5_NativeCodecs_unshuffle(JNIEnv *env, jclass cls,
        jbyteArray src, jint srcOff, jobject dst, jbyteArray dstArray, jint dstOff, jint n, jint es) {
    uint8_t *out = NULL;
    if (dstArray == NULL) {
        out = (*env)->GetDirectBufferAddress(env, dst);
        if (out == NULL) {
            return -4;
        }
    }
    jbyte *in = (*env)->GetPrimitiveArrayCritical(env, src, NULL);
    if (in == NULL) {
        return -4;
    }
    jbyte *arr = NULL;
    if (dstArray != NULL) {
        arr = (*env)->GetPrimitiveArrayCritical(env, dstArray, NULL);
        if (arr == NULL) {
            (*env)->ReleasePrimitiveArrayCritical(env, src, in, JNI_ABORT);
            return -4;
        }
        out = (uint8_t *) arr;
    }
    unshuffle((const uint8_t *) in + srcOff, out + dstOff, (size_t) n, (size_t) es);
    if (arr != NULL) {
        (*env)->ReleasePrimitiveArrayCritical(env, dstArray, arr, 0);
    }
    (*env)->ReleasePrimitiveArrayCritical(env, src, in, JNI_ABORT);
    return 0;
}

JNIEXPORT jboolean JNICALL Java_org_multitables4j_internal_hdf5_NativeCodecs_hasSzip(JNIEnv *env, jclass cls) {
#ifdef MT4J_AEC
    return JNI_TRUE;
#else
    return JNI_FALSE;
#endif
}

/*
 * Decodes one szip stream (HDF5's szip filter without its 4-byte size header) with
 * SZ_BufftoBuffDecompress. Source and destination are each a direct buffer or, when the array
 * argument is not null, that array. Returns the decoded length, a negative SZ_ error, or -100
 * when built without libaec, -4 when a buffer cannot be accessed.
 */
JNIEXPORT jint JNICALL Java_org_multitables4j_internal_hdf5_NativeCodecs_szip(JNIEnv *env, jclass cls,
        jobject src, jbyteArray srcArray, jint srcOff, jint srcLen, jobject dst, jbyteArray dstArray, jint dstLen,
        jint mask, jint bpp, jint ppb, jint pps) {
#ifdef MT4J_AEC
    uint8_t *in = NULL, *out = NULL;
    if (srcArray == NULL && (in = (*env)->GetDirectBufferAddress(env, src)) == NULL) {
        return -4;
    }
    if (dstArray == NULL && (out = (*env)->GetDirectBufferAddress(env, dst)) == NULL) {
        return -4;
    }
    jbyte *inArr = NULL, *outArr = NULL;
    if (srcArray != NULL) {
        inArr = (*env)->GetPrimitiveArrayCritical(env, srcArray, NULL);
        if (inArr == NULL) {
            return -4;
        }
        in = (uint8_t *) inArr;
    }
    if (dstArray != NULL) {
        outArr = (*env)->GetPrimitiveArrayCritical(env, dstArray, NULL);
        if (outArr == NULL) {
            if (inArr != NULL) {
                (*env)->ReleasePrimitiveArrayCritical(env, srcArray, inArr, JNI_ABORT);
            }
            return -4;
        }
        out = (uint8_t *) outArr;
    }
    SZ_com_t p;
    p.options_mask = mask;
    p.bits_per_pixel = bpp;
    p.pixels_per_block = ppb;
    p.pixels_per_scanline = pps;
    size_t n = (size_t) dstLen;
    int r = SZ_BufftoBuffDecompress(out, &n, in + srcOff, (size_t) srcLen, &p);
    if (outArr != NULL) {
        (*env)->ReleasePrimitiveArrayCritical(env, dstArray, outArr, 0);
    }
    if (inArr != NULL) {
        (*env)->ReleasePrimitiveArrayCritical(env, srcArray, inArr, JNI_ABORT);
    }
    return r == SZ_OK ? (jint) n : (r < 0 ? r : -r - 10);
#else
    return -100;
#endif
}

/* Reserves [offset, offset + len) of the file at path (posix_fallocate): the pages of a tmpfs are
 * allocated now, so a full file system fails here with ENOSPC instead of with SIGBUS at the first
 * write through a mapping. Returns 0 or the error number. */
JNIEXPORT jint JNICALL Java_org_multitables4j_internal_workers_ShmReserve_fallocate(JNIEnv *env, jclass cls, jstring path,
                                                                           jlong offset, jlong len) {
    const char *p = (*env)->GetStringUTFChars(env, path, NULL);
    if (p == NULL) {
        return ENOMEM;
    }
    int fd = open(p, O_RDWR | O_CLOEXEC);
    int err = fd < 0 ? errno : 0;
    (*env)->ReleaseStringUTFChars(env, path, p);
    if (fd < 0) {
        return err;
    }
    int r;
    do {
        r = posix_fallocate(fd, (off_t) offset, (off_t) len);
    } while (r == EINTR);
    close(fd);
    return r;
}

/* Copies n bytes with non-temporal (streaming) stores for the aligned middle: rows scattered
 * into slots are not read again by the copying core, and streaming stores skip the read for
 * ownership of every destination line (SSE2, part of every x86-64). */
static void copy_streaming(uint8_t *d, const uint8_t *s, size_t n) {
    if (n < 256) {
        memcpy(d, s, n);
        return;
    }
    size_t head = (16 - ((uintptr_t) d & 15)) & 15;
    memcpy(d, s, head);
    d += head;
    s += head;
    n -= head;
    size_t m = n & ~(size_t) 63;
    for (size_t i = 0; i < m; i += 64) {
        __m128i a = _mm_loadu_si128((const __m128i *) (s + i));
        __m128i b = _mm_loadu_si128((const __m128i *) (s + i + 16));
        __m128i c = _mm_loadu_si128((const __m128i *) (s + i + 32));
        __m128i e = _mm_loadu_si128((const __m128i *) (s + i + 48));
        _mm_stream_si128((__m128i *) (d + i), a);
        _mm_stream_si128((__m128i *) (d + i + 16), b);
        _mm_stream_si128((__m128i *) (d + i + 32), c);
        _mm_stream_si128((__m128i *) (d + i + 48), e);
    }
    memcpy(d + m, s + m, n - m);
}

/* Copies rows i in [0, n) of src (rowBytes apart from srcOff) to dsts[dst[i]] at byte offset
 * at[i]; rows with dst[i] < 0 are skipped. Returns 0, -4 when a buffer cannot be accessed, -5
 * when a row would fall outside its buffer. */
JNIEXPORT jint JNICALL Java_org_multitables4j_internal_workers_RowScatter_scatter(JNIEnv *env, jclass cls,
        jobject src, jint srcOff, jint rowBytes, jint n, jobjectArray dsts, jintArray dst, jintArray at) {
    uint8_t *in = (*env)->GetDirectBufferAddress(env, src);
    jlong inCap = (*env)->GetDirectBufferCapacity(env, src);
    jsize nd = (*env)->GetArrayLength(env, dsts);
    if (in == NULL || nd > 1024 || srcOff < 0 || rowBytes < 0 || n < 0
            || (jlong) srcOff + (jlong) n * rowBytes > inCap
            || (*env)->GetArrayLength(env, dst) < n || (*env)->GetArrayLength(env, at) < n) {
        return -4;
    }
    uint8_t *base[1024];
    jlong cap[1024];
    for (jsize j = 0; j < nd; j++) {
        jobject b = (*env)->GetObjectArrayElement(env, dsts, j);
        base[j] = b == NULL ? NULL : (*env)->GetDirectBufferAddress(env, b);
        cap[j] = b == NULL ? 0 : (*env)->GetDirectBufferCapacity(env, b);
        if (b != NULL) {
            (*env)->DeleteLocalRef(env, b);
        }
    }
    jint *which = (*env)->GetPrimitiveArrayCritical(env, dst, NULL);
    if (which == NULL) {
        return -4;
    }
    jint *off = (*env)->GetPrimitiveArrayCritical(env, at, NULL);
    if (off == NULL) {
        (*env)->ReleasePrimitiveArrayCritical(env, dst, which, JNI_ABORT);
        return -4;
    }
    jint r = 0;
    for (jint i = 0; i < n; i++) {
        jint j = which[i];
        if (j < 0) {
            continue;
        }
        if (j >= nd || base[j] == NULL || off[i] < 0 || (jlong) off[i] + rowBytes > cap[j]) {
            r = -5;
            break;
        }
        copy_streaming(base[j] + off[i], in + srcOff + (size_t) i * rowBytes, (size_t) rowBytes);
    }
    _mm_sfence();
    (*env)->ReleasePrimitiveArrayCritical(env, at, off, JNI_ABORT);
    (*env)->ReleasePrimitiveArrayCritical(env, dst, which, JNI_ABORT);
    return r;
}
