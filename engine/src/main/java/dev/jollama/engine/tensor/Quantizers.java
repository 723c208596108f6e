package dev.jollama.engine.tensor;

import dev.jollama.engine.gguf.GgmlType;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/**
 * Float values to a storage type, for writing model files (the synthetic benchmark models). Each type's quantizer
 * lives in its tensor class beside its layout; this is the entry point and the helpers they share.
 */
public final class Quantizers {
    private Quantizers() {
    }

    /** Writes {@code blocks} whole blocks of one type from {@code src[srcOffset]} to {@code dst[dstOffset]}. */
    private interface BlockWriter {
        void write(float[] src, int srcOffset, int blocks, byte[] dst, int dstOffset);
    }

    /**
     * The types {@link #quantize} writes, each with its writer (F32's and F16's blocks are single values): the one list
     * of them.
     */
    private static final Map<GgmlType, BlockWriter> WRITERS = new EnumMap<>(Map.ofEntries(
            Map.entry(GgmlType.F32, Quantizers::f32),
            Map.entry(GgmlType.F16, F16Tensor::quantize),
            Map.entry(GgmlType.BF16, BF16Tensor::quantize),
            Map.entry(GgmlType.Q8_0, Q8_0Tensor::quantize),
            Map.entry(GgmlType.Q4_0, Q4_0Tensor::quantize),
            Map.entry(GgmlType.Q5_0, Q5_0Tensor::quantize),
            Map.entry(GgmlType.Q4_K, Q4KTensor::quantize),
            Map.entry(GgmlType.Q5_K, Q5KTensor::quantize),
            Map.entry(GgmlType.Q6_K, Q6KTensor::quantize),
            Map.entry(GgmlType.Q4_1, Q4_1Tensor::quantize),
            Map.entry(GgmlType.Q5_1, Q5_1Tensor::quantize),
            Map.entry(GgmlType.IQ4_NL, IQ4_NLTensor::quantize),
            Map.entry(GgmlType.MXFP4, MXFP4Tensor::quantize),
            Map.entry(GgmlType.IQ4_XS, IQ4_XSTensor::quantize),
            Map.entry(GgmlType.Q2_K, Q2KTensor::quantize),
            Map.entry(GgmlType.Q3_K, Q3KTensor::quantize)));

    /** The types {@link #quantize} can write, in {@link GgmlType}'s order. */
    public static Set<GgmlType> writableTypes() {
        return Collections.unmodifiableSet(WRITERS.keySet());
    }

    /**
     * Writes {@code n} values (a whole number of blocks) from {@code src[srcOffset]} in {@code type}'s layout to
     * {@code dst[dstOffset]}, taking {@code type.byteSize(n)} bytes.
     */
    public static void quantize(GgmlType type, float[] src, int srcOffset, int n, byte[] dst, int dstOffset) {
        BlockWriter writer = WRITERS.get(type);
        if (writer == null) {
            throw new IllegalArgumentException("no quantizer for " + type + " (there are for " + writableTypes() + ")");
        }
        if (n % type.blockSize != 0) {
            throw new IllegalArgumentException(n + " values are not whole " + type + " blocks");
        }
        writer.write(src, srcOffset, n / type.blockSize, dst, dstOffset);
    }

    private static void f32(float[] src, int srcOffset, int n, byte[] dst, int dstOffset) {
        for (int i = 0; i < n; i++) {
            putInt(dst, dstOffset + 4 * i, Float.floatToRawIntBits(src[srcOffset + i]));
        }
    }

    static float maxMagnitude(float[] x, int from, int n) {
        float max = 0f;
        for (int i = from; i < from + n; i++) {
            max = Math.max(max, Math.abs(x[i]));
        }
        return max;
    }

    /** The value of largest magnitude, with its sign (the first one on ties). */
    static float signedMax(float[] x, int from, int n) {
        float amax = 0f, max = 0f;
        for (int i = from; i < from + n; i++) {
            if (Math.abs(x[i]) > amax) {
                amax = Math.abs(x[i]);
                max = x[i];
            }
        }
        return max;
    }

    /** The lowest value, compared as the reference does ({@code v < min}: the first of equals, -0 after 0 kept out). */
    static float lowest(float[] x, int from, int n) {
        float min = Float.MAX_VALUE;
        for (int i = from; i < from + n; i++) {
            if (x[i] < min) {
                min = x[i];
            }
        }
        return min;
    }

    /** The highest value, compared as the reference does. */
    static float highest(float[] x, int from, int n) {
        float max = -Float.MAX_VALUE;
        for (int i = from; i < from + n; i++) {
            if (x[i] > max) {
                max = x[i];
            }
        }
        return max;
    }

    /** C's {@code roundf}: to nearest, halves away from zero (Java's Math.round takes them up). */
    static int roundHalfAway(float x) {
        return x < 0f ? -Math.round(-x) : Math.round(x);
    }

    static void putShort(byte[] b, int at, short v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >> 8);
    }

    static void putInt(byte[] b, int at, int v) {
        for (int i = 0; i < 4; i++) {
            b[at + i] = (byte) (v >> (8 * i));
        }
    }
}
