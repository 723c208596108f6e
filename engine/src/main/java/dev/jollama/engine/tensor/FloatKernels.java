package dev.jollama.engine.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float kernels: the dot product and the element-wise work of a forward pass (attention's softmax and weighted sum
 * of values, the gated activation), and what every weight type shares once its values are dequantized: the product
 * of a tile of weight rows with a batch of input vectors, in two forms: row-major inputs, where each weight value
 * loaded is used for four inputs, and groups of 64 transposed inputs (lanes are inputs), where each value loaded from
 * the inputs is used for eight rows and nothing is summed across lanes (measured alone on a 2048-wide tile: 165-170
 * GFLOPS per core against 90-115 for the row-major form; this machine's peak is 240).
 */
public final class FloatKernels {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private FloatKernels() {
    }

    /** Sum of {@code a[aOffset + i] * b[bOffset + i]} for i below n. */
    public static float dot(float[] a, int aOffset, float[] b, int bOffset, int n) {
        int bound = F.loopBound(n);
        FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
        int i = 0;
        for (; i + F.length() < bound; i += 2 * F.length()) {
            acc0 = FloatVector.fromArray(F, a, aOffset + i).fma(FloatVector.fromArray(F, b, bOffset + i), acc0);
            acc1 = FloatVector.fromArray(F, a, aOffset + i + F.length()).fma(FloatVector.fromArray(F, b, bOffset + i + F.length()), acc1);
        }
        for (; i < bound; i += F.length()) {
            acc0 = FloatVector.fromArray(F, a, aOffset + i).fma(FloatVector.fromArray(F, b, bOffset + i), acc0);
        }
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += a[aOffset + i] * b[bOffset + i];
        }
        return sum;
    }

    /**
     * {@code out[outOffset + i] = Σ weights[p] · values[first + (p - from)·stride + i]} for p from {@code from} below
     * {@code to} and i below n: attention's weighted sum of value vectors. Four float vectors of the result stay in
     * registers while the positions go by (an axpy per position loaded and stored the result every time).
     */
    public static void weightedSum(float[] weights, int from, int to, float[] values, int first, int stride, float[] out, int outOffset, int n) {
        final int l = F.length();
        int i = 0;
        for (; i + 4 * l <= n; i += 4 * l) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int p = from, at = first + i; p < to; p++, at += stride) {
                FloatVector w = FloatVector.broadcast(F, weights[p]);
                a0 = FloatVector.fromArray(F, values, at).fma(w, a0);
                a1 = FloatVector.fromArray(F, values, at + l).fma(w, a1);
                a2 = FloatVector.fromArray(F, values, at + 2 * l).fma(w, a2);
                a3 = FloatVector.fromArray(F, values, at + 3 * l).fma(w, a3);
            }
            a0.intoArray(out, outOffset + i);
            a1.intoArray(out, outOffset + i + l);
            a2.intoArray(out, outOffset + i + 2 * l);
            a3.intoArray(out, outOffset + i + 3 * l);
        }
        for (; i + l <= n; i += l) {
            FloatVector a = FloatVector.zero(F);
            for (int p = from, at = first + i; p < to; p++, at += stride) {
                a = FloatVector.fromArray(F, values, at).fma(FloatVector.broadcast(F, weights[p]), a);
            }
            a.intoArray(out, outOffset + i);
        }
        for (; i < n; i++) {
            float sum = 0f;
            for (int p = from, at = first + i; p < to; p++, at += stride) {
                sum += weights[p] * values[at];
            }
            out[outOffset + i] = sum;
        }
    }

    /**
     * Softmax of {@code x[from..to)} in place: the exponentials in vector lanes (as scalar {@link Math#exp} calls
     * they cost more than the scores themselves for short heads).
     */
    public static void softmax(float[] x, int from, int to) {
        int n = to - from;
        int bound = F.loopBound(n);
        FloatVector maxes = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (; i < bound; i += F.length()) {
            maxes = maxes.max(FloatVector.fromArray(F, x, from + i));
        }
        float max = maxes.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) {
            max = Math.max(max, x[from + i]);
        }
        FloatVector shift = FloatVector.broadcast(F, max);
        FloatVector sums = FloatVector.zero(F);
        for (i = 0; i < bound; i += F.length()) {
            FloatVector e = FloatVector.fromArray(F, x, from + i).sub(shift).lanewise(VectorOperators.EXP);
            e.intoArray(x, from + i);
            sums = sums.add(e);
        }
        float sum = sums.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            x[from + i] = (float) Math.exp(x[from + i] - max);
            sum += x[from + i];
        }
        FloatVector inverse = FloatVector.broadcast(F, 1f / sum);
        for (i = 0; i < bound; i += F.length()) {
            FloatVector.fromArray(F, x, from + i).mul(inverse).intoArray(x, from + i);
        }
        for (; i < n; i++) {
            x[from + i] *= 1f / sum;
        }
    }

    /**
     * {@code out[i] = silu(gate[i]) · up[i]} for i below n, where silu(g) = g / (1 + e^-g): the gated activation of
     * the feed-forward layer, a vector exponential per lane (as the scalar {@link Math#exp} per value it took 2-3% of
     * prompt processing).
     */
    public static void siluTimes(float[] gate, float[] up, float[] out, int n) {
        int bound = F.loopBound(n);
        int i = 0;
        for (; i < bound; i += F.length()) {
            FloatVector g = FloatVector.fromArray(F, gate, i);
            g.div(g.neg().lanewise(VectorOperators.EXP).add(1f)).mul(FloatVector.fromArray(F, up, i)).intoArray(out, i);
        }
        for (; i < n; i++) {
            out[i] = gate[i] / (1f + (float) Math.exp(-gate[i])) * up[i];
        }
    }

    /**
     * {@code out[t·outStride + firstRow + r] = w row r · x vector t} for the {@code rows} rows of the tile {@code w}
     * (row-major, {@code n} wide) and the vectors of {@code x} (also n wide) from {@code firstVector} to {@code count}.
     * Four rows times four vectors at a time: sixteen accumulators, eight loads per sixteen fused multiply-adds.
     */
    static void tileTimesBatch(float[] w, int rows, float[] x, int firstVector, int count, int n, float[] out, int outStride, int firstRow) {
        int r = 0;
        for (; r + 4 <= rows; r += 4) {
            int t = firstVector;
            for (; t + 4 <= count; t += 4) {
                block4x4(w, r * n, x, t * n, n, out, t * outStride + firstRow + r, outStride);
            }
            for (; t < count; t++) {
                for (int i = 0; i < 4; i++) {
                    out[t * outStride + firstRow + r + i] = dot(w, (r + i) * n, x, t * n, n);
                }
            }
        }
        for (; r < rows; r++) {
            for (int t = firstVector; t < count; t++) {
                out[t * outStride + firstRow + r] = dot(w, r * n, x, t * n, n);
            }
        }
    }

    /** Rows of the tile {@link #tileTimesGroup} multiplies at once. */
    static final int GROUP_ROWS = 8;
    /**
     * Whether {@link #tileTimesGroup} can run here: its groups of {@link MatmulInput#WIDE_GROUP} vectors are a whole
     * number of two float vectors.
     */
    static final boolean GROUPS = MatmulInput.WIDE_GROUP % (2 * F.length()) == 0;

    /** Floats of scratch {@link #tileTimesGroup} needs. */
    static final int GROUP_SCRATCH = GROUP_ROWS * MatmulInput.WIDE_GROUP;

    /**
     * {@code out[o + t·outStride + i] = w row i · vector t of the group} for the eight rows of the tile {@code w}
     * (row-major, {@code n} wide) and the {@link MatmulInput#WIDE_GROUP} vectors of a transposed group, which starts
     * at {@code xT[group]} (value k of vector t at {@code group + k·WIDE_GROUP + t}). The lanes are vectors, not
     * values: each step loads value k of two float vectors' worth of input vectors and broadcasts value k of each row,
     * sixteen fused multiply-adds for two loads and eight broadcasts, and the sums need no reduction across lanes.
     * Measured alone on a 2048-wide tile: 165-170 GFLOPS per core, against 150-158 for four rows of four float
     * vectors (four loads and four broadcasts). Rows interleaved (value k of every row in one cache line) reached 190
     * alone, but interleaving each tile, even with vector permutations, cost more than that gained (pp128 113 against
     * 119). They go through {@code tmp} (from {@code tmpOffset}, {@link #GROUP_SCRATCH} floats) to their places in
     * {@code out}.
     */
    static void tileTimesGroup(float[] w, int n, float[] xT, int group, float[] out, int o, int outStride, float[] tmp, int tmpOffset) {
        final int g = MatmulInput.WIDE_GROUP;
        final int l = F.length();
        for (int t = 0; t < g; t += 2 * l) {
            FloatVector a00 = FloatVector.zero(F), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
            FloatVector a40 = a00, a41 = a00, a50 = a00, a51 = a00, a60 = a00, a61 = a00, a70 = a00, a71 = a00;
            for (int k = 0, xo = group + t; k < n; k++, xo += g) {
                FloatVector x0 = FloatVector.fromArray(F, xT, xo);
                FloatVector x1 = FloatVector.fromArray(F, xT, xo + l);
                FloatVector b = FloatVector.broadcast(F, w[k]);
                a00 = x0.fma(b, a00);
                a01 = x1.fma(b, a01);
                b = FloatVector.broadcast(F, w[k + 1 * n]);
                a10 = x0.fma(b, a10);
                a11 = x1.fma(b, a11);
                b = FloatVector.broadcast(F, w[k + 2 * n]);
                a20 = x0.fma(b, a20);
                a21 = x1.fma(b, a21);
                b = FloatVector.broadcast(F, w[k + 3 * n]);
                a30 = x0.fma(b, a30);
                a31 = x1.fma(b, a31);
                b = FloatVector.broadcast(F, w[k + 4 * n]);
                a40 = x0.fma(b, a40);
                a41 = x1.fma(b, a41);
                b = FloatVector.broadcast(F, w[k + 5 * n]);
                a50 = x0.fma(b, a50);
                a51 = x1.fma(b, a51);
                b = FloatVector.broadcast(F, w[k + 6 * n]);
                a60 = x0.fma(b, a60);
                a61 = x1.fma(b, a61);
                b = FloatVector.broadcast(F, w[k + 7 * n]);
                a70 = x0.fma(b, a70);
                a71 = x1.fma(b, a71);
            }
            // Row i's sums for vectors t.. at tmp[tmpOffset + i·g + t..].
            int s = tmpOffset + t;
            a00.intoArray(tmp, s);
            a01.intoArray(tmp, s + l);
            a10.intoArray(tmp, s + g);
            a11.intoArray(tmp, s + g + l);
            a20.intoArray(tmp, s + 2 * g);
            a21.intoArray(tmp, s + 2 * g + l);
            a30.intoArray(tmp, s + 3 * g);
            a31.intoArray(tmp, s + 3 * g + l);
            a40.intoArray(tmp, s + 4 * g);
            a41.intoArray(tmp, s + 4 * g + l);
            a50.intoArray(tmp, s + 5 * g);
            a51.intoArray(tmp, s + 5 * g + l);
            a60.intoArray(tmp, s + 6 * g);
            a61.intoArray(tmp, s + 6 * g + l);
            a70.intoArray(tmp, s + 7 * g);
            a71.intoArray(tmp, s + 7 * g + l);
        }
        for (int t = 0; t < g; t++) {
            int at = o + t * outStride;
            for (int i = 0; i < GROUP_ROWS; i++) {
                out[at + i] = tmp[tmpOffset + i * g + t];
            }
        }
    }

    private static void block4x4(float[] w, int w0, float[] x, int x0, int n, float[] out, int o, int outStride) {
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        int bound = F.loopBound(n);
        int i = 0;
        for (; i < bound; i += F.length()) {
            FloatVector w0v = FloatVector.fromArray(F, w, w0 + i);
            FloatVector w1v = FloatVector.fromArray(F, w, w0 + n + i);
            FloatVector w2v = FloatVector.fromArray(F, w, w0 + 2 * n + i);
            FloatVector w3v = FloatVector.fromArray(F, w, w0 + 3 * n + i);
            FloatVector xv = FloatVector.fromArray(F, x, x0 + i);
            a00 = w0v.fma(xv, a00);
            a10 = w1v.fma(xv, a10);
            a20 = w2v.fma(xv, a20);
            a30 = w3v.fma(xv, a30);
            xv = FloatVector.fromArray(F, x, x0 + n + i);
            a01 = w0v.fma(xv, a01);
            a11 = w1v.fma(xv, a11);
            a21 = w2v.fma(xv, a21);
            a31 = w3v.fma(xv, a31);
            xv = FloatVector.fromArray(F, x, x0 + 2 * n + i);
            a02 = w0v.fma(xv, a02);
            a12 = w1v.fma(xv, a12);
            a22 = w2v.fma(xv, a22);
            a32 = w3v.fma(xv, a32);
            xv = FloatVector.fromArray(F, x, x0 + 3 * n + i);
            a03 = w0v.fma(xv, a03);
            a13 = w1v.fma(xv, a13);
            a23 = w2v.fma(xv, a23);
            a33 = w3v.fma(xv, a33);
        }
        int xs = outStride;
        out[o] = sum(a00.reduceLanes(VectorOperators.ADD), w, w0, x, x0, i, n);
        out[o + 1] = sum(a10.reduceLanes(VectorOperators.ADD), w, w0 + n, x, x0, i, n);
        out[o + 2] = sum(a20.reduceLanes(VectorOperators.ADD), w, w0 + 2 * n, x, x0, i, n);
        out[o + 3] = sum(a30.reduceLanes(VectorOperators.ADD), w, w0 + 3 * n, x, x0, i, n);
        out[o + xs] = sum(a01.reduceLanes(VectorOperators.ADD), w, w0, x, x0 + n, i, n);
        out[o + xs + 1] = sum(a11.reduceLanes(VectorOperators.ADD), w, w0 + n, x, x0 + n, i, n);
        out[o + xs + 2] = sum(a21.reduceLanes(VectorOperators.ADD), w, w0 + 2 * n, x, x0 + n, i, n);
        out[o + xs + 3] = sum(a31.reduceLanes(VectorOperators.ADD), w, w0 + 3 * n, x, x0 + n, i, n);
        out[o + 2 * xs] = sum(a02.reduceLanes(VectorOperators.ADD), w, w0, x, x0 + 2 * n, i, n);
        out[o + 2 * xs + 1] = sum(a12.reduceLanes(VectorOperators.ADD), w, w0 + n, x, x0 + 2 * n, i, n);
        out[o + 2 * xs + 2] = sum(a22.reduceLanes(VectorOperators.ADD), w, w0 + 2 * n, x, x0 + 2 * n, i, n);
        out[o + 2 * xs + 3] = sum(a32.reduceLanes(VectorOperators.ADD), w, w0 + 3 * n, x, x0 + 2 * n, i, n);
        out[o + 3 * xs] = sum(a03.reduceLanes(VectorOperators.ADD), w, w0, x, x0 + 3 * n, i, n);
        out[o + 3 * xs + 1] = sum(a13.reduceLanes(VectorOperators.ADD), w, w0 + n, x, x0 + 3 * n, i, n);
        out[o + 3 * xs + 2] = sum(a23.reduceLanes(VectorOperators.ADD), w, w0 + 2 * n, x, x0 + 3 * n, i, n);
        out[o + 3 * xs + 3] = sum(a33.reduceLanes(VectorOperators.ADD), w, w0 + 3 * n, x, x0 + 3 * n, i, n);
    }

    /** The lanes of an accumulator plus the products past the last whole vector (from {@code from} to n). */
    private static float sum(float lanes, float[] w, int wOffset, float[] x, int xOffset, int from, int n) {
        float sum = lanes;
        for (int j = from; j < n; j++) {
            sum += w[wOffset + j] * x[xOffset + j];
        }
        return sum;
    }
}
