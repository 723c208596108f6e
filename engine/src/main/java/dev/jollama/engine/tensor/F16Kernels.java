package dev.jollama.engine.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Attention's kernels over a cache of IEEE 754 half-precision values (binary16 bits in short arrays: half the memory
 * of floats): {@link #columnDots} and {@link #weightedSum} as {@link FloatKernels}' over floats, and {@link #toHalf}
 * to store new positions. The halves become floats in vector lanes ({@link #widened}): the Vector API has no
 * half-precision conversion. Each kernel has a scalar twin converting with {@link Float#float16ToFloat}.
 */
public final class F16Kernels {
    // The weight kernels' species: shorts as many as float lanes, each class's own constants (see FloatTensor).
    private static final VectorSpecies<Float> F = FloatTensor.F;
    private static final VectorSpecies<Integer> I = FloatTensor.I;
    private static final VectorSpecies<Short> SH = FloatTensor.SH;

    /**
     * A widened half is its value times 2^-112 ({@link #widened}). The kernels put 2^56 on the other factor (query
     * or weight) and 2^56 on the result rather than 2^112 on either: then neither a factor above 2^16 overflows nor
     * do small products and sums fall below float's normal range, and no lane pays a multiplication.
     */
    private static final float UP = 0x1p56f, DOWN = 0x1p-56f;

    private F16Kernels() {
    }

    /**
     * {@code out[outOffset + p] = scale · Σ q[qOffset + d] · columns[first + d·stride + p]} for d below n and p from
     * {@code from} below {@code to}, as {@link FloatKernels#columnDots}. A last partial vector of positions reads a
     * whole vector's columns, ending at {@code to} or, near the array's start, beginning at its first position (or,
     * with neither inside the array, goes one by one), and stores only its own lanes: ShortVector's masked loads are
     * not instructions with AVX2 (shorts have no masked move before AVX-512), and a scalar rest of up to 15
     * positions cost as much as a whole block.
     */
    public static void columnDots(float[] q, int qOffset, int n, short[] columns, int first, int stride, int from, int to, float scale, float[] out, int outOffset) {
        final int l = F.length();
        float outScale = scale * UP;
        int p = from;
        for (; p + 2 * l <= to; p += 2 * l) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, b0 = a0, b1 = a0;
            int d = 0, at = first + p;
            for (; d + 2 <= n; d += 2, at += 2 * stride) {
                FloatVector q0 = FloatVector.broadcast(F, q[qOffset + d] * UP), q1 = FloatVector.broadcast(F, q[qOffset + d + 1] * UP);
                a0 = widened(columns, at).fma(q0, a0);
                a1 = widened(columns, at + l).fma(q0, a1);
                b0 = widened(columns, at + stride).fma(q1, b0);
                b1 = widened(columns, at + stride + l).fma(q1, b1);
            }
            if (d < n) {
                FloatVector q0 = FloatVector.broadcast(F, q[qOffset + d] * UP);
                a0 = widened(columns, at).fma(q0, a0);
                a1 = widened(columns, at + l).fma(q0, a1);
            }
            a0.add(b0).mul(outScale).intoArray(out, outOffset + p);
            a1.add(b1).mul(outScale).intoArray(out, outOffset + p + l);
        }
        for (; p + l <= to; p += l) {
            columnVector(q, qOffset, n, columns, first + p, stride).mul(outScale).intoArray(out, outOffset + p);
        }
        if (p < to) {
            int start;
            if (first + to - l >= 0) {
                start = to - l;
            } else if (first + (n - 1) * stride + p + l <= columns.length) {
                start = p;
            } else {
                scalarColumnDots(q, qOffset, n, columns, first, stride, p, to, scale, out, outOffset);
                return;
            }
            columnVector(q, qOffset, n, columns, first + start, stride).mul(outScale)
                    .intoArray(out, outOffset + start, F.indexInRange(start - p, to - p));
        }
    }

    /**
     * {@code Σ q[qOffset + d]·2^56 · widened(columns from at + d·stride)} for one float vector of positions, in four
     * sums, values d to d + 3 apart: one chain of dependent multiply-adds would wait out each one's latency.
     */
    private static FloatVector columnVector(float[] q, int qOffset, int n, short[] columns, int at, int stride) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int d = 0;
        for (; d + 4 <= n; d += 4, at += 4 * stride) {
            a0 = widened(columns, at).fma(FloatVector.broadcast(F, q[qOffset + d] * UP), a0);
            a1 = widened(columns, at + stride).fma(FloatVector.broadcast(F, q[qOffset + d + 1] * UP), a1);
            a2 = widened(columns, at + 2 * stride).fma(FloatVector.broadcast(F, q[qOffset + d + 2] * UP), a2);
            a3 = widened(columns, at + 3 * stride).fma(FloatVector.broadcast(F, q[qOffset + d + 3] * UP), a3);
        }
        for (; d < n; d++, at += stride) {
            a0 = widened(columns, at).fma(FloatVector.broadcast(F, q[qOffset + d] * UP), a0);
        }
        return a0.add(a1).add(a2.add(a3));
    }

    /** {@link #columnDots} one position at a time: the reference its vector loops are tested against. */
    static void scalarColumnDots(float[] q, int qOffset, int n, short[] columns, int first, int stride, int from, int to, float scale, float[] out, int outOffset) {
        for (int p = from; p < to; p++) {
            float sum = 0f;
            for (int d = 0, at = first + p; d < n; d++, at += stride) {
                sum += q[qOffset + d] * Float.float16ToFloat(columns[at]);
            }
            out[outOffset + p] = sum * scale;
        }
    }

    /**
     * {@code out[outOffset + i] += Σ weights[p] · values[first + (p - from)·stride + i]} for p from {@code from} below
     * {@code to} and i below n, as {@link FloatKernels#weightedSum}: four float vectors of the result in registers
     * while the positions go by, then a vector at a time in four sums, positions p to p + 3 apart, then one by one.
     */
    public static void weightedSum(float[] weights, int from, int to, short[] values, int first, int stride, float[] out, int outOffset, int n) {
        final int l = F.length();
        int i = 0;
        for (; i + 4 * l <= n; i += 4 * l) {
            int o = outOffset + i;
            FloatVector a0 = FloatVector.fromArray(F, out, o).mul(DOWN), a1 = FloatVector.fromArray(F, out, o + l).mul(DOWN);
            FloatVector a2 = FloatVector.fromArray(F, out, o + 2 * l).mul(DOWN), a3 = FloatVector.fromArray(F, out, o + 3 * l).mul(DOWN);
            for (int p = from, at = first + i; p < to; p++, at += stride) {
                FloatVector w = FloatVector.broadcast(F, weights[p] * UP);
                a0 = widened(values, at).fma(w, a0);
                a1 = widened(values, at + l).fma(w, a1);
                a2 = widened(values, at + 2 * l).fma(w, a2);
                a3 = widened(values, at + 3 * l).fma(w, a3);
            }
            a0.mul(UP).intoArray(out, o);
            a1.mul(UP).intoArray(out, o + l);
            a2.mul(UP).intoArray(out, o + 2 * l);
            a3.mul(UP).intoArray(out, o + 3 * l);
        }
        for (; i + l <= n; i += l) {
            FloatVector a0 = FloatVector.fromArray(F, out, outOffset + i).mul(DOWN), a1 = FloatVector.zero(F), a2 = a1, a3 = a1;
            int p = from, at = first + i;
            for (; p + 4 <= to; p += 4, at += 4 * stride) {
                a0 = widened(values, at).fma(FloatVector.broadcast(F, weights[p] * UP), a0);
                a1 = widened(values, at + stride).fma(FloatVector.broadcast(F, weights[p + 1] * UP), a1);
                a2 = widened(values, at + 2 * stride).fma(FloatVector.broadcast(F, weights[p + 2] * UP), a2);
                a3 = widened(values, at + 3 * stride).fma(FloatVector.broadcast(F, weights[p + 3] * UP), a3);
            }
            for (; p < to; p++, at += stride) {
                a0 = widened(values, at).fma(FloatVector.broadcast(F, weights[p] * UP), a0);
            }
            a0.add(a1).add(a2.add(a3)).mul(UP).intoArray(out, outOffset + i);
        }
        scalarWeightedSum(weights, from, to, values, first + i, stride, out, outOffset + i, n - i);
    }

    /** {@link #weightedSum} one value at a time: the reference its vector loops are tested against, and its rest. */
    static void scalarWeightedSum(float[] weights, int from, int to, short[] values, int first, int stride, float[] out, int outOffset, int n) {
        for (int i = 0; i < n; i++) {
            float sum = out[outOffset + i];
            for (int p = from, at = first + i; p < to; p++, at += stride) {
                sum += weights[p] * Float.float16ToFloat(values[at]);
            }
            out[outOffset + i] = sum;
        }
    }

    /**
     * Writes {@code n} floats from {@code src[srcOffset]} as halves to {@code dst[dstOffset]}, rounded to nearest even
     * (values beyond the half range become infinities). A position's keys and values once per layer: few enough for
     * scalar code.
     */
    public static void toHalf(float[] src, int srcOffset, short[] dst, int dstOffset, int n) {
        for (int i = 0; i < n; i++) {
            dst[dstOffset + i] = Float.floatToFloat16(src[srcOffset + i]);
        }
    }

    private static FloatVector widened(short[] halves, int at) {
        return widened(ShortVector.fromArray(SH, halves, at));
    }

    /**
     * Halves as floats times 2^-112, by bit arithmetic: sign-extended to ints and shifted so that sign, exponent and
     * mantissa land in float position, the sign's copies masked off: three instructions (extension, shift, and)
     * besides the load. Exact for normal and subnormal halves, whose exponent this leaves 112 short
     * of float's bias; infinities and NaNs come out as large finite values.
     */
    static FloatVector widened(ShortVector halves) {
        IntVector h = (IntVector) halves.convertShape(VectorOperators.S2I, I, 0);
        return h.lanewise(VectorOperators.LSHL, 13).and(0x8fffffff).reinterpretAsFloats();
    }
}
