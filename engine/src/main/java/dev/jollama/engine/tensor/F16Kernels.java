package dev.jollama.engine.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Attention's kernels over a cache of IEEE 754 half-precision values (binary16 bits in short arrays: half the memory
 * of floats): {@link #columnDots} and {@link #weightedSum} as {@link FloatKernels}' over floats, and {@link #toHalf}
 * to store new positions. The halves become floats in vector lanes ({@link #widened}): JDK 25's Vector API has no
 * half-precision conversion. Each kernel has a scalar twin converting with {@link Float#float16ToFloat}.
 */
public final class F16Kernels {
    // The weight kernels' species: shorts as many as float lanes, each class's own constants (see FloatTensor).
    private static final VectorSpecies<Float> F = FloatTensor.F;
    private static final VectorSpecies<Integer> I = FloatTensor.I;
    private static final VectorSpecies<Short> SH = FloatTensor.SH;

    /**
     * A widened half is its value times 2^-112 ({@link #widened}); the kernels put 2^96 of the 2^112 on the other
     * factor (query or weight, a scalar per position or value: no lane pays a multiplication) and 2^16 on the sums.
     * Not all of it on the sums: products and sums below 2^-126 are subnormal floats, and on Intel every vector
     * instruction with a subnormal input or result takes a microcode assist (with all of 2^112 on the scores, keys
     * and queries of magnitude 0.1 took 3.6 times as long). Not all of it on the factor: that overflows above 2^16,
     * this above 2^32.
     */
    private static final float FACTOR = 0x1p96f, SUMS = 0x1p16f, SUMS_INVERSE = 0x1p-16f;

    private F16Kernels() {
    }

    /**
     * {@code out[outOffset + p] = scale · Σ q[qOffset + d] · columns[first + d·stride + p]} for d below n and p from
     * {@code from} below {@code to}, as {@link FloatKernels#columnDots}: two float vectors of positions at a time,
     * values d and d + 1 in separate sums.
     */
    public static void columnDots(float[] q, int qOffset, int n, short[] columns, int first, int stride, int from, int to, float scale, float[] out, int outOffset) {
        final int l = F.length();
        float outScale = scale * SUMS;
        int p = from;
        for (; p + 2 * l <= to; p += 2 * l) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, b0 = a0, b1 = a0;
            int d = 0, at = first + p;
            for (; d + 2 <= n; d += 2, at += 2 * stride) {
                FloatVector q0 = FloatVector.broadcast(F, q[qOffset + d] * FACTOR), q1 = FloatVector.broadcast(F, q[qOffset + d + 1] * FACTOR);
                a0 = widened(columns, at).fma(q0, a0);
                a1 = widened(columns, at + l).fma(q0, a1);
                b0 = widened(columns, at + stride).fma(q1, b0);
                b1 = widened(columns, at + stride + l).fma(q1, b1);
            }
            if (d < n) {
                FloatVector q0 = FloatVector.broadcast(F, q[qOffset + d] * FACTOR);
                a0 = widened(columns, at).fma(q0, a0);
                a1 = widened(columns, at + l).fma(q0, a1);
            }
            a0.add(b0).mul(outScale).intoArray(out, outOffset + p);
            a1.add(b1).mul(outScale).intoArray(out, outOffset + p + l);
        }
        if (p < to) {
            columnRest(q, qOffset, n, columns, first, stride, p, to, scale, out, outOffset);
        }
    }

    /**
     * {@link #columnDots} from position p on (less than two float vectors' worth), a vector at a time in four sums,
     * values d to d + 3 apart. The last, partial vector reads a whole vector's halves, past {@code to} where the array
     * goes on, else ending at {@code to} (one by one if it cannot), and stores only its own lanes: AVX2 has no masked
     * loads of shorts, and ShortVector's masked loads at the array's end ran as calls that allocate; 15 positions one
     * by one took 4-7 times as long. A method of its own: in one with the loops before, C2 ran out of inlining budget
     * and left vector operations as calls that allocate.
     */
    private static void columnRest(float[] q, int qOffset, int n, short[] columns, int first, int stride, int p, int to, float scale, float[] out, int outOffset) {
        final int l = F.length();
        float outScale = scale * SUMS;
        for (; p < to; p += l) {
            int start = p;
            if (p + l > to && first + (n - 1) * stride + p + l > columns.length) {
                if (first + to - l < 0) {
                    scalarColumnDots(q, qOffset, n, columns, first, stride, p, to, scale, out, outOffset);
                    return;
                }
                start = to - l;
            }
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            int d = 0, at = first + start;
            for (; d + 4 <= n; d += 4, at += 4 * stride) {
                a0 = widened(columns, at).fma(FloatVector.broadcast(F, q[qOffset + d] * FACTOR), a0);
                a1 = widened(columns, at + stride).fma(FloatVector.broadcast(F, q[qOffset + d + 1] * FACTOR), a1);
                a2 = widened(columns, at + 2 * stride).fma(FloatVector.broadcast(F, q[qOffset + d + 2] * FACTOR), a2);
                a3 = widened(columns, at + 3 * stride).fma(FloatVector.broadcast(F, q[qOffset + d + 3] * FACTOR), a3);
            }
            for (; d < n; d++, at += stride) {
                a0 = widened(columns, at).fma(FloatVector.broadcast(F, q[qOffset + d] * FACTOR), a0);
            }
            a0.add(a1).add(a2.add(a3)).mul(outScale).intoArray(out, outOffset + start, F.indexInRange(start - p, to - p));
        }
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
            FloatVector a0 = FloatVector.fromArray(F, out, o).mul(SUMS_INVERSE), a1 = FloatVector.fromArray(F, out, o + l).mul(SUMS_INVERSE);
            FloatVector a2 = FloatVector.fromArray(F, out, o + 2 * l).mul(SUMS_INVERSE), a3 = FloatVector.fromArray(F, out, o + 3 * l).mul(SUMS_INVERSE);
            for (int p = from, at = first + i; p < to; p++, at += stride) {
                FloatVector w = FloatVector.broadcast(F, weights[p] * FACTOR);
                a0 = widened(values, at).fma(w, a0);
                a1 = widened(values, at + l).fma(w, a1);
                a2 = widened(values, at + 2 * l).fma(w, a2);
                a3 = widened(values, at + 3 * l).fma(w, a3);
            }
            a0.mul(SUMS).intoArray(out, o);
            a1.mul(SUMS).intoArray(out, o + l);
            a2.mul(SUMS).intoArray(out, o + 2 * l);
            a3.mul(SUMS).intoArray(out, o + 3 * l);
        }
        if (i < n) {
            valueRest(weights, from, to, values, first, stride, out, outOffset, i, n);
        }
    }

    /**
     * {@link #weightedSum} from value i on (less than four float vectors' worth): a vector at a time in four sums,
     * positions p to p + 3 apart, then one by one. A method of its own for C2's inlining budget (see
     * {@link #columnRest}).
     */
    private static void valueRest(float[] weights, int from, int to, short[] values, int first, int stride, float[] out, int outOffset, int i, int n) {
        final int l = F.length();
        for (; i + l <= n; i += l) {
            FloatVector a0 = FloatVector.fromArray(F, out, outOffset + i).mul(SUMS_INVERSE), a1 = FloatVector.zero(F), a2 = a1, a3 = a1;
            int p = from, at = first + i;
            for (; p + 4 <= to; p += 4, at += 4 * stride) {
                a0 = widened(values, at).fma(FloatVector.broadcast(F, weights[p] * FACTOR), a0);
                a1 = widened(values, at + stride).fma(FloatVector.broadcast(F, weights[p + 1] * FACTOR), a1);
                a2 = widened(values, at + 2 * stride).fma(FloatVector.broadcast(F, weights[p + 2] * FACTOR), a2);
                a3 = widened(values, at + 3 * stride).fma(FloatVector.broadcast(F, weights[p + 3] * FACTOR), a3);
            }
            for (; p < to; p++, at += stride) {
                a0 = widened(values, at).fma(FloatVector.broadcast(F, weights[p] * FACTOR), a0);
            }
            a0.add(a1).add(a2.add(a3)).mul(SUMS).intoArray(out, outOffset + i);
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
     * Writes {@code n} floats from {@code src[srcOffset]} as halves to {@code dst[dstOffset]} (see {@link #half}). A
     * position's keys and values once per layer: few enough for scalar code.
     */
    public static void toHalf(float[] src, int srcOffset, short[] dst, int dstOffset, int n) {
        for (int i = 0; i < n; i++) {
            dst[dstOffset + i] = half(src[srcOffset + i]);
        }
    }

    /**
     * A float as a half, rounded to nearest even (values beyond the half range become infinities), except that a
     * magnitude below the smallest normal half, 2^-14, becomes 0 or ±2^-14, whichever is nearer: a subnormal half
     * would make the kernels read subnormal floats (see {@link #widened}), and this changes a cached value by less
     * than 2^-15, far below what attention notices.
     */
    public static short half(float x) {
        short h = Float.floatToFloat16(x);
        if ((h & 0x7c00) == 0 && (h & 0x03ff) != 0) {
            return (short) ((h & 0x8000) | (Math.abs(x) >= 0x1p-15f ? 0x0400 : 0));
        }
        return h;
    }

    private static FloatVector widened(short[] halves, int at) {
        return widened(ShortVector.fromArray(SH, halves, at));
    }

    /**
     * Halves as floats times 2^-112, by bit arithmetic: sign-extended to ints and shifted so that sign, exponent and
     * mantissa land in float position, the sign's copies masked off: three instructions (extension, shift, and)
     * besides the load. Exact for normal and subnormal halves, whose exponent this leaves 112 short of float's bias;
     * infinities and NaNs come out as large finite values. A subnormal half becomes a subnormal float, and on Intel
     * each vector instruction reading one takes a microcode assist: with keys, values and queries of magnitude 0.01
     * (one half in 200 subnormal) the kernels took 6-9 times as long in cache, 1.7 times from memory. Correcting
     * those lanes instead (a compare and a masked subtraction, no subnormal floats) took three times as long for
     * every vector.
     */
    static FloatVector widened(ShortVector halves) {
        IntVector h = (IntVector) halves.convertShape(VectorOperators.S2I, I, 0);
        return h.lanewise(VectorOperators.LSHL, 13).and(0x8fffffff).reinterpretAsFloats();
    }
}
