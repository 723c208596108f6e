package dev.jollama.engine.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Rows of q8_0 values (a q8_0 KV cache): each row, one position's key or value, is blocks of 32 signed bytes, each
 * block with a float scale (rounded through fp16, as q8_0 stores it). Bytes become float lanes with one conversion
 * per vector (sign extension and int-to-float); the dequantization has a scalar twin that tests hold it to.
 */
public final class Q8Kernels {
    public static final int BLOCK = 32;
    private static final VectorSpecies<Float> F = FloatKernels.F;
    /** As many bytes as F has floats: one load converts to one float vector. */
    private static final VectorSpecies<Byte> B = F.length() == 16 ? ByteVector.SPECIES_128 : ByteVector.SPECIES_64;

    private Q8Kernels() {
    }

    /** Quantizes {@code n} values (a multiple of 32) of src to q8_0 blocks as llama.cpp's reference does. */
    public static void quantize(float[] src, int srcOffset, byte[] quants, int quantsOffset, float[] scales, int scalesOffset, int n) {
        for (int b = 0; b < n / BLOCK; b++) {
            int at = srcOffset + b * BLOCK;
            float max = 0f;
            for (int i = 0; i < BLOCK; i++) {
                max = Math.max(max, Math.abs(src[at + i]));
            }
            float d = max / 127f;
            float inverse = d != 0f ? 1f / d : 0f;
            scales[scalesOffset + b] = Float.float16ToFloat(Float.floatToFloat16(d));
            for (int i = 0; i < BLOCK; i++) {
                quants[quantsOffset + b * BLOCK + i] = (byte) Math.round(src[at + i] * inverse);
            }
        }
    }

    /**
     * {@code out[outOffset + i] = quants[first + i] · scales[scaleFirst + i/32]} for i below n (a multiple of 32): one
     * position's key or value as floats, for attention's float kernels.
     */
    public static void dequantize(byte[] quants, int first, float[] scales, int scaleFirst, float[] out, int outOffset, int n) {
        int l = F.length();
        for (int b = 0; b < n / BLOCK; b++) {
            FloatVector scale = FloatVector.broadcast(F, scales[scaleFirst + b]);
            for (int i = b * BLOCK; i < (b + 1) * BLOCK; i += l) {
                floats(quants, first + i).mul(scale).intoArray(out, outOffset + i);
            }
        }
    }

    /** {@link #dequantize} one value at a time: the reference its vector loop is tested against. */
    static void scalarDequantize(byte[] quants, int first, float[] scales, int scaleFirst, float[] out, int outOffset, int n) {
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = quants[first + i] * scales[scaleFirst + i / BLOCK];
        }
    }

    /** F.length() signed bytes from {@code at} as float lanes. */
    private static FloatVector floats(byte[] quants, int at) {
        return (FloatVector) ByteVector.fromArray(B, quants, at).convertShape(VectorOperators.B2F, F, 0);
    }
}
