package dev.jollama.engine.tensor;

import dev.jollama.engine.gguf.GgmlType;

/**
 * Float values to a storage type, for writing model files (the synthetic benchmark models). Each type's quantizer
 * lives in its tensor class beside its layout; this is the entry point and the helpers they share.
 */
public final class Quantizers {
    private Quantizers() {
    }

    /** Whether {@link #quantize} can write this type. */
    public static boolean canWrite(GgmlType type) {
        return switch (type) {
            case F32, F16, Q8_0, Q4_0, Q5_0, Q4_K, Q6_K -> true;
            default -> false;
        };
    }

    /**
     * Writes {@code n} values (a whole number of blocks) from {@code src[srcOffset]} in {@code type}'s layout to
     * {@code dst[dstOffset]}, taking {@code type.byteSize(n)} bytes.
     */
    public static void quantize(GgmlType type, float[] src, int srcOffset, int n, byte[] dst, int dstOffset) {
        if (n % type.blockSize != 0) {
            throw new IllegalArgumentException(n + " values are not whole " + type + " blocks");
        }
        int blocks = n / type.blockSize;
        switch (type) {
            case F32 -> {
                for (int i = 0; i < n; i++) {
                    putInt(dst, dstOffset + 4 * i, Float.floatToRawIntBits(src[srcOffset + i]));
                }
            }
            case F16 -> F16Tensor.quantize(src, srcOffset, n, dst, dstOffset);
            case Q8_0 -> Q8_0Tensor.quantize(src, srcOffset, blocks, dst, dstOffset);
            case Q4_0 -> Q4_0Tensor.quantize(src, srcOffset, blocks, dst, dstOffset);
            case Q5_0 -> Q5_0Tensor.quantize(src, srcOffset, blocks, dst, dstOffset);
            case Q4_K -> Q4KTensor.quantize(src, srcOffset, blocks, dst, dstOffset);
            case Q6_K -> Q6KTensor.quantize(src, srcOffset, blocks, dst, dstOffset);
            default -> throw new IllegalArgumentException("no quantizer for " + type);
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
