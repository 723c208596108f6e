package dev.jollama.engine.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Attention's kernels over rows of q8_0 values (a q8_0 KV cache): each row, one position's key or value, is blocks of
 * 32 signed bytes, each block with a float scale (rounded through fp16, as q8_0 stores it); value i of row p is
 * {@code quants[first + p·stride + i] · scales[scaleFirst + p·stride/32 + i/32]}. Bytes become float lanes with one
 * conversion per vector (sign extension and int-to-float); each has a scalar twin that tests hold it to.
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
     * {@code out[outOffset + p] = factor · Σ_i q[qOffset + i] · row(p)[i]} for p from {@code from} below {@code to}
     * and i below n (a multiple of 32): attention's scores against keys.
     */
    public static void dots(float[] q, int qOffset, int n, byte[] quants, int first, float[] scales, int scaleFirst, int stride,
                            int from, int to, float factor, float[] out, int outOffset) {
        int l = F.length();
        for (int p = from; p < to; p++) {
            int row = first + p * stride, scaleRow = scaleFirst + p * (stride / BLOCK);
            FloatVector acc = FloatVector.zero(F);
            for (int b = 0; b < n / BLOCK; b++) {
                FloatVector block = FloatVector.zero(F);
                for (int i = b * BLOCK; i < (b + 1) * BLOCK; i += l) {
                    block = floats(quants, row + i).fma(FloatVector.fromArray(F, q, qOffset + i), block);
                }
                acc = block.fma(FloatVector.broadcast(F, scales[scaleRow + b]), acc);
            }
            out[outOffset + p] = acc.reduceLanes(VectorOperators.ADD) * factor;
        }
    }

    static void scalarDots(float[] q, int qOffset, int n, byte[] quants, int first, float[] scales, int scaleFirst, int stride,
                           int from, int to, float factor, float[] out, int outOffset) {
        for (int p = from; p < to; p++) {
            int row = first + p * stride, scaleRow = scaleFirst + p * (stride / BLOCK);
            float sum = 0f;
            for (int i = 0; i < n; i++) {
                sum += q[qOffset + i] * quants[row + i] * scales[scaleRow + i / BLOCK];
            }
            out[outOffset + p] = sum * factor;
        }
    }

    /**
     * Adds {@code Σ_p weights[p] · row(p)[i]} for p from {@code from} below {@code to} to {@code out[outOffset + i]}
     * for i below n (a multiple of 32): attention's weighted sum of values. A block's float vectors stay in
     * registers while the positions go by.
     */
    public static void addWeighted(float[] weights, int from, int to, byte[] quants, int first, float[] scales, int scaleFirst,
                                   int stride, float[] out, int outOffset, int n) {
        if (F.length() == 16) {
            for (int b = 0; b < n / BLOCK; b++) {
                int o = outOffset + b * BLOCK;
                FloatVector a0 = FloatVector.fromArray(F, out, o), a1 = FloatVector.fromArray(F, out, o + 16);
                for (int p = from; p < to; p++) {
                    int at = first + p * stride + b * BLOCK;
                    FloatVector c = FloatVector.broadcast(F, weights[p] * scales[scaleFirst + p * (stride / BLOCK) + b]);
                    a0 = floats(quants, at).fma(c, a0);
                    a1 = floats(quants, at + 16).fma(c, a1);
                }
                a0.intoArray(out, o);
                a1.intoArray(out, o + 16);
            }
            return;
        }
        for (int b = 0; b < n / BLOCK; b++) {
            int o = outOffset + b * BLOCK;
            FloatVector a0 = FloatVector.fromArray(F, out, o), a1 = FloatVector.fromArray(F, out, o + 8);
            FloatVector a2 = FloatVector.fromArray(F, out, o + 16), a3 = FloatVector.fromArray(F, out, o + 24);
            for (int p = from; p < to; p++) {
                int at = first + p * stride + b * BLOCK;
                FloatVector c = FloatVector.broadcast(F, weights[p] * scales[scaleFirst + p * (stride / BLOCK) + b]);
                a0 = floats(quants, at).fma(c, a0);
                a1 = floats(quants, at + 8).fma(c, a1);
                a2 = floats(quants, at + 16).fma(c, a2);
                a3 = floats(quants, at + 24).fma(c, a3);
            }
            a0.intoArray(out, o);
            a1.intoArray(out, o + 8);
            a2.intoArray(out, o + 16);
            a3.intoArray(out, o + 24);
        }
    }

    static void scalarAddWeighted(float[] weights, int from, int to, byte[] quants, int first, float[] scales, int scaleFirst,
                                  int stride, float[] out, int outOffset, int n) {
        for (int i = 0; i < n; i++) {
            float sum = 0f;
            for (int p = from; p < to; p++) {
                sum += weights[p] * quants[first + p * stride + i] * scales[scaleFirst + p * (stride / BLOCK) + i / BLOCK];
            }
            out[outOffset + i] += sum;
        }
    }

    /** F.length() signed bytes from {@code at} as float lanes. */
    private static FloatVector floats(byte[] quants, int at) {
        return (FloatVector) ByteVector.fromArray(B, quants, at).convertShape(VectorOperators.B2F, F, 0);
    }
}
