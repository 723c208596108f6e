package dev.jollama.engine.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float kernels: the dot product and the element-wise work of a forward pass (attention's softmax and weighted sum
 * of values, the gated activation), and what every weight type shares once its values are dequantized: the product
 * of a tile of weight rows with a batch of input vectors, in two forms: row-major inputs, where each weight value
 * loaded is used for four inputs, and groups of 64 transposed inputs (lanes are inputs), where each value loaded from
 * the inputs is used for twelve rows and nothing is summed across lanes (with eight rows, measured alone on a
 * 2048-wide tile: 165-170 GFLOPS per core against 90-115 for the row-major form; this machine's peak is 240).
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
     * {@code out[outOffset + i] += Σ weights[p] · values[first + (p - from)·stride + i]} for p from {@code from} below
     * {@code to} and i below n: attention's weighted sum of value vectors, added to what {@code out} holds so that a
     * cache kept in blocks sums into one output block by block. Four float vectors of the result stay in registers
     * while the positions go by (an axpy per position loaded and stored the result every time); a vector left over
     * keeps four sums, positions p to p + 3 apart, so that it does not wait on one chain of dependent multiply-adds.
     */
    public static void weightedSum(float[] weights, int from, int to, float[] values, int first, int stride, float[] out, int outOffset, int n) {
        final int l = F.length();
        int i = 0;
        for (; i + 4 * l <= n; i += 4 * l) {
            int o = outOffset + i;
            FloatVector a0 = FloatVector.fromArray(F, out, o), a1 = FloatVector.fromArray(F, out, o + l);
            FloatVector a2 = FloatVector.fromArray(F, out, o + 2 * l), a3 = FloatVector.fromArray(F, out, o + 3 * l);
            for (int p = from, at = first + i; p < to; p++, at += stride) {
                FloatVector w = FloatVector.broadcast(F, weights[p]);
                a0 = FloatVector.fromArray(F, values, at).fma(w, a0);
                a1 = FloatVector.fromArray(F, values, at + l).fma(w, a1);
                a2 = FloatVector.fromArray(F, values, at + 2 * l).fma(w, a2);
                a3 = FloatVector.fromArray(F, values, at + 3 * l).fma(w, a3);
            }
            a0.intoArray(out, o);
            a1.intoArray(out, o + l);
            a2.intoArray(out, o + 2 * l);
            a3.intoArray(out, o + 3 * l);
        }
        for (; i + l <= n; i += l) {
            FloatVector a0 = FloatVector.fromArray(F, out, outOffset + i), a1 = FloatVector.zero(F), a2 = a1, a3 = a1;
            int p = from, at = first + i;
            for (; p + 4 <= to; p += 4, at += 4 * stride) {
                a0 = FloatVector.fromArray(F, values, at).fma(FloatVector.broadcast(F, weights[p]), a0);
                a1 = FloatVector.fromArray(F, values, at + stride).fma(FloatVector.broadcast(F, weights[p + 1]), a1);
                a2 = FloatVector.fromArray(F, values, at + 2 * stride).fma(FloatVector.broadcast(F, weights[p + 2]), a2);
                a3 = FloatVector.fromArray(F, values, at + 3 * stride).fma(FloatVector.broadcast(F, weights[p + 3]), a3);
            }
            for (; p < to; p++, at += stride) {
                a0 = FloatVector.fromArray(F, values, at).fma(FloatVector.broadcast(F, weights[p]), a0);
            }
            a0.add(a1).add(a2.add(a3)).intoArray(out, outOffset + i);
        }
        scalarWeightedSum(weights, from, to, values, first + i, stride, out, outOffset + i, n - i);
    }

    /** {@link #weightedSum} one value at a time: the reference its vector loops are tested against, and its rest. */
    static void scalarWeightedSum(float[] weights, int from, int to, float[] values, int first, int stride, float[] out, int outOffset, int n) {
        for (int i = 0; i < n; i++) {
            float sum = out[outOffset + i];
            for (int p = from, at = first + i; p < to; p++, at += stride) {
                sum += weights[p] * values[at];
            }
            out[outOffset + i] = sum;
        }
    }

    /**
     * Scores of one query against a block of transposed keys: {@code out[outOffset + p] = Σ_d q[qOffset + d] ·
     * keys[d·positions + p]} for d below n and p below {@code positions}, a multiple of four float vectors (a KV cache
     * block): positions in vector lanes and no sums across lanes (a dot product per position and its reduction made
     * the scores 11% of a 1024-token prompt), four vectors at a time so that four chains of multiply-adds are in
     * flight. For the queries of a tile past its last four ({@link #columnDotsFour}).
     */
    public static void columnDots(float[] q, int qOffset, int n, float[] keys, int positions, float[] out, int outOffset) {
        final int l = F.length();
        for (int p = 0; p < positions; p += 4 * l) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int d = 0, at = p; d < n; d++, at += positions) {
                FloatVector b = FloatVector.broadcast(F, q[qOffset + d]);
                a0 = FloatVector.fromArray(F, keys, at).fma(b, a0);
                a1 = FloatVector.fromArray(F, keys, at + l).fma(b, a1);
                a2 = FloatVector.fromArray(F, keys, at + 2 * l).fma(b, a2);
                a3 = FloatVector.fromArray(F, keys, at + 3 * l).fma(b, a3);
            }
            a0.intoArray(out, outOffset + p);
            a1.intoArray(out, outOffset + p + l);
            a2.intoArray(out, outOffset + p + 2 * l);
            a3.intoArray(out, outOffset + p + 3 * l);
        }
    }

    /** {@link #columnDots} one position at a time: the reference the vector kernels are tested against. */
    static void scalarColumnDots(float[] q, int qOffset, int n, float[] keys, int positions, float[] out, int outOffset) {
        for (int p = 0; p < positions; p++) {
            float sum = 0f;
            for (int d = 0; d < n; d++) {
                sum += q[qOffset + d] * keys[d * positions + p];
            }
            out[outOffset + p] = sum;
        }
    }

    /**
     * Scores of four queries against a block of transposed keys: {@code out[outOffset + m·outStride + p] = Σ_d
     * q[qOffset + m·qStride + d] · keys[d·positions + p]} for m below 4, d below n and p below {@code positions}, a
     * multiple of two float vectors (a KV cache block). Each pair of key vectors loaded serves the four queries: with
     * one query per pass over the keys ({@link #columnDots}), every multiply-add waited on its own load, and a prompt
     * chunk after a long prefix spent most of its time reading the cache.
     */
    public static void columnDotsFour(float[] q, int qOffset, int qStride, int n, float[] keys, int positions, float[] out, int outOffset, int outStride) {
        final int l = F.length();
        int q0 = qOffset, q1 = q0 + qStride, q2 = q1 + qStride, q3 = q2 + qStride;
        for (int p = 0; p < positions; p += 2 * l) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, e0 = a0, e1 = a0;
            for (int d = 0, at = p; d < n; d++, at += positions) {
                FloatVector k0 = FloatVector.fromArray(F, keys, at), k1 = FloatVector.fromArray(F, keys, at + l);
                FloatVector x = FloatVector.broadcast(F, q[q0 + d]);
                a0 = k0.fma(x, a0);
                a1 = k1.fma(x, a1);
                x = FloatVector.broadcast(F, q[q1 + d]);
                b0 = k0.fma(x, b0);
                b1 = k1.fma(x, b1);
                x = FloatVector.broadcast(F, q[q2 + d]);
                c0 = k0.fma(x, c0);
                c1 = k1.fma(x, c1);
                x = FloatVector.broadcast(F, q[q3 + d]);
                e0 = k0.fma(x, e0);
                e1 = k1.fma(x, e1);
            }
            int o = outOffset + p;
            a0.intoArray(out, o);
            a1.intoArray(out, o + l);
            b0.intoArray(out, o + outStride);
            b1.intoArray(out, o + outStride + l);
            c0.intoArray(out, o + 2 * outStride);
            c1.intoArray(out, o + 2 * outStride + l);
            e0.intoArray(out, o + 3 * outStride);
            e1.intoArray(out, o + 3 * outStride + l);
        }
    }

    /**
     * Weighted sums of value rows for four sets of weights: {@code out[outOffset + m·outStride + i] += Σ_p
     * weights[wOffset + m·wStride + p] · values[vOffset + p·n + i]} for m below 4, p below {@code count} and i below
     * n. Two float vectors of each of the four results stay in registers while the positions go by, so each value
     * vector loaded serves four sums; what is left of n under two vectors goes one vector, then one value, at a time.
     */
    public static void weightedSumFour(float[] weights, int wOffset, int wStride, int count, float[] values, int vOffset, int n,
                                       float[] out, int outOffset, int outStride) {
        final int l = F.length();
        int w0 = wOffset, w1 = w0 + wStride, w2 = w1 + wStride, w3 = w2 + wStride;
        int o0 = outOffset, o1 = o0 + outStride, o2 = o1 + outStride, o3 = o2 + outStride;
        int i = 0;
        for (; i + 2 * l <= n; i += 2 * l) {
            FloatVector a0 = FloatVector.fromArray(F, out, o0 + i), a1 = FloatVector.fromArray(F, out, o0 + i + l);
            FloatVector b0 = FloatVector.fromArray(F, out, o1 + i), b1 = FloatVector.fromArray(F, out, o1 + i + l);
            FloatVector c0 = FloatVector.fromArray(F, out, o2 + i), c1 = FloatVector.fromArray(F, out, o2 + i + l);
            FloatVector e0 = FloatVector.fromArray(F, out, o3 + i), e1 = FloatVector.fromArray(F, out, o3 + i + l);
            for (int p = 0, at = vOffset + i; p < count; p++, at += n) {
                FloatVector v0 = FloatVector.fromArray(F, values, at), v1 = FloatVector.fromArray(F, values, at + l);
                FloatVector x = FloatVector.broadcast(F, weights[w0 + p]);
                a0 = v0.fma(x, a0);
                a1 = v1.fma(x, a1);
                x = FloatVector.broadcast(F, weights[w1 + p]);
                b0 = v0.fma(x, b0);
                b1 = v1.fma(x, b1);
                x = FloatVector.broadcast(F, weights[w2 + p]);
                c0 = v0.fma(x, c0);
                c1 = v1.fma(x, c1);
                x = FloatVector.broadcast(F, weights[w3 + p]);
                e0 = v0.fma(x, e0);
                e1 = v1.fma(x, e1);
            }
            a0.intoArray(out, o0 + i);
            a1.intoArray(out, o0 + i + l);
            b0.intoArray(out, o1 + i);
            b1.intoArray(out, o1 + i + l);
            c0.intoArray(out, o2 + i);
            c1.intoArray(out, o2 + i + l);
            e0.intoArray(out, o3 + i);
            e1.intoArray(out, o3 + i + l);
        }
        if (i < n) {
            valuesRestFour(weights, wOffset, wStride, count, values, vOffset, n, out, outOffset, outStride, i);
        }
    }

    /**
     * {@link #weightedSumFour} from value i on (less than two float vectors' worth), a method of its own for C2's
     * inlining budget: one set of weights at a time through {@link #weightedSum}.
     */
    private static void valuesRestFour(float[] weights, int wOffset, int wStride, int count, float[] values, int vOffset, int n,
                                       float[] out, int outOffset, int outStride, int i) {
        for (int m = 0; m < 4; m++) {
            int w = wOffset + m * wStride;
            weightedSum(weights, w, w + count, values, vOffset + i, n, out, outOffset + m * outStride + i, n - i);
        }
    }

    /**
     * Softmax of {@code x[from..to)} in place: the exponentials in vector lanes (as scalar {@link Math#exp} calls
     * they cost more than the scores themselves for short heads).
     */
    public static void softmax(float[] x, int from, int to) {
        softmax(x, from, to, Float.NEGATIVE_INFINITY);
    }

    /**
     * The softmax of x[from..to) with one more logit, {@code sink}, that joins the sum but has no entry of its own
     * (gpt-oss's attention sinks), so the weights sum to less than 1; {@code -∞}: a plain softmax.
     */
    public static void softmax(float[] x, int from, int to, float sink) {
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
        max = Math.max(max, sink);
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
        sum += (float) Math.exp(sink - max);
        FloatVector inverse = FloatVector.broadcast(F, 1f / sum);
        for (i = 0; i < bound; i += F.length()) {
            FloatVector.fromArray(F, x, from + i).mul(inverse).intoArray(x, from + i);
        }
        for (; i < n; i++) {
            x[from + i] *= 1f / sum;
        }
    }

    /**
     * Soft-capping of {@code x[from..to)} in place: {@code x = cap · tanh(x / cap)}, which bounds the values to
     * ±cap while leaving small ones almost as they are (Gemma 2's attention and output logits).
     */
    public static void softCap(float[] x, int from, int to, float cap) {
        int n = to - from;
        int bound = F.loopBound(n);
        float inverse = 1f / cap;
        int i = 0;
        for (; i < bound; i += F.length()) {
            FloatVector.fromArray(F, x, from + i).mul(inverse).lanewise(VectorOperators.TANH).mul(cap).intoArray(x, from + i);
        }
        for (; i < n; i++) {
            x[from + i] = cap * (float) Math.tanh(x[from + i] * inverse);
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
    static final int GROUP_ROWS = 12;
    /**
     * Values of each row that {@link #tileTimesGroup}'s tile holds together: the tile is stored a chunk at a time,
     * value k of row i at {@code (k / GROUP_CHUNK)·GROUP_ROWS·GROUP_CHUNK + i·GROUP_CHUNK + k % GROUP_CHUNK}, so that
     * the rows of a chunk lie a constant distance apart: the compiled loop reaches every row from one index with a
     * fixed displacement instead of computing (and, short of registers, reloading) an address per row.
     */
    static final int GROUP_CHUNK = 256;
    /**
     * Float vectors of input vectors {@link #tileTimesGroup} takes per step: two where vectors have 16 lanes (AVX-512,
     * whose 32 registers hold 24 accumulators), one elsewhere (AVX2 has 16 registers: 24 accumulators spilled, and
     * prompt processing ran at 53-55 t/s under -XX:UseAVX=2 against 73-75 with one vector per step, which in turn
     * would cost AVX-512 a fifth).
     */
    static final int GROUP_VECTORS = F.length() >= 16 ? 2 : 1;
    private static final boolean TWO_VECTORS = GROUP_VECTORS == 2;
    /** Input vectors {@link #tileTimesGroup} takes per step. */
    static final int GROUP_STEP = GROUP_VECTORS * F.length();
    /**
     * Whether {@link #tileTimesGroup} can run here: its groups of {@link MatmulInput#WIDE_GROUP} vectors are a whole
     * number of steps.
     */
    static final boolean GROUPS = MatmulInput.WIDE_GROUP % GROUP_STEP == 0;

    /**
     * How many of {@code count} input vectors go through {@link #tileTimesGroup}, in groups of
     * {@link MatmulInput#WIDE_GROUP} and one partial group; the rest go through {@link #tileTimesBatch}, which was 0.6
     * times as fast (prompts of 48 tokens against 128). A last step at least half full also goes through the group
     * kernel, padded with zero vectors: half its work wasted still beats the row-major kernel.
     */
    static int groupedCount(int count) {
        if (!GROUPS) {
            return 0;
        }
        int rest = count % GROUP_STEP;
        return 2 * rest >= GROUP_STEP ? count : count - rest;
    }

    /** Floats of scratch {@link #tileTimesGroup} needs besides its tile. */
    static final int GROUP_SCRATCH = GROUP_ROWS * MatmulInput.WIDE_GROUP;

    /** Floats of a tile of {@link #GROUP_ROWS} rows {@code n} wide stored by chunks (the last chunk padded). */
    static int chunkedTileFloats(int n) {
        return (n + GROUP_CHUNK - 1) / GROUP_CHUNK * GROUP_ROWS * GROUP_CHUNK;
    }

    /**
     * {@code out[o + t·outStride + i] = w row i · vector t of the group} for the rows of the chunked tile {@code w}
     * (see {@link #GROUP_CHUNK}; rows {@code n} wide) and the first {@code vectors} vectors (the group zero up to the
     * next multiple of {@link #GROUP_STEP}) of a transposed group, which starts at {@code xT[group]} (value k of vector t at
     * {@code group + k·WIDE_GROUP + t}). The lanes are
     * vectors, not values: each step loads value k of {@link #GROUP_VECTORS} float vectors' worth of input vectors and
     * broadcasts value k of each row (with two, 24 fused multiply-adds for two loads and 12 broadcasts), and the sums
     * need no reduction across lanes. Twelve rows rather than eight (prompt processing +5-12%, the input loaded once
     * per 24 multiply-adds instead of 16); fourteen measured the same. Four rows of four float vectors (four loads,
     * four broadcasts) was slower; rows interleaved value by value (one cache line for value k of every row) gained in
     * the kernel but lost more to interleaving each tile. The sums go through {@code tmp} (from {@code tmpOffset},
     * {@link #GROUP_SCRATCH} floats) to their places in {@code out}.
     */
    static void tileTimesGroup(float[] w, int n, float[] xT, int group, int vectors, float[] out, int o, int outStride, float[] tmp, int tmpOffset) {
        final int g = MatmulInput.WIDE_GROUP;
        final int l = F.length();
        final int c = GROUP_CHUNK;
        for (int t = 0; t < vectors; t += GROUP_STEP) {
            FloatVector a000 = FloatVector.zero(F), a001 = a000, a010 = a000, a011 = a000, a020 = a000, a021 = a000, a030 = a000, a031 = a000;
            FloatVector a040 = a000, a041 = a000, a050 = a000, a051 = a000, a060 = a000, a061 = a000, a070 = a000, a071 = a000;
            FloatVector a080 = a000, a081 = a000, a090 = a000, a091 = a000, a100 = a000, a101 = a000, a110 = a000, a111 = a000;
            for (int k0 = 0, w0 = 0; k0 < n; k0 += c, w0 += GROUP_ROWS * c) {
                int end = w0 + Math.min(c, n - k0);
                for (int k = w0, xo = group + t + k0 * g; k < end; k++, xo += g) {
                    FloatVector x0 = FloatVector.fromArray(F, xT, xo);
                    FloatVector x1 = TWO_VECTORS ? FloatVector.fromArray(F, xT, xo + l) : x0;
                    FloatVector b = FloatVector.broadcast(F, w[k]);
                    a000 = x0.fma(b, a000);
                    a001 = TWO_VECTORS ? x1.fma(b, a001) : a001;
                    b = FloatVector.broadcast(F, w[k + 1 * c]);
                    a010 = x0.fma(b, a010);
                    a011 = TWO_VECTORS ? x1.fma(b, a011) : a011;
                    b = FloatVector.broadcast(F, w[k + 2 * c]);
                    a020 = x0.fma(b, a020);
                    a021 = TWO_VECTORS ? x1.fma(b, a021) : a021;
                    b = FloatVector.broadcast(F, w[k + 3 * c]);
                    a030 = x0.fma(b, a030);
                    a031 = TWO_VECTORS ? x1.fma(b, a031) : a031;
                    b = FloatVector.broadcast(F, w[k + 4 * c]);
                    a040 = x0.fma(b, a040);
                    a041 = TWO_VECTORS ? x1.fma(b, a041) : a041;
                    b = FloatVector.broadcast(F, w[k + 5 * c]);
                    a050 = x0.fma(b, a050);
                    a051 = TWO_VECTORS ? x1.fma(b, a051) : a051;
                    b = FloatVector.broadcast(F, w[k + 6 * c]);
                    a060 = x0.fma(b, a060);
                    a061 = TWO_VECTORS ? x1.fma(b, a061) : a061;
                    b = FloatVector.broadcast(F, w[k + 7 * c]);
                    a070 = x0.fma(b, a070);
                    a071 = TWO_VECTORS ? x1.fma(b, a071) : a071;
                    b = FloatVector.broadcast(F, w[k + 8 * c]);
                    a080 = x0.fma(b, a080);
                    a081 = TWO_VECTORS ? x1.fma(b, a081) : a081;
                    b = FloatVector.broadcast(F, w[k + 9 * c]);
                    a090 = x0.fma(b, a090);
                    a091 = TWO_VECTORS ? x1.fma(b, a091) : a091;
                    b = FloatVector.broadcast(F, w[k + 10 * c]);
                    a100 = x0.fma(b, a100);
                    a101 = TWO_VECTORS ? x1.fma(b, a101) : a101;
                    b = FloatVector.broadcast(F, w[k + 11 * c]);
                    a110 = x0.fma(b, a110);
                    a111 = TWO_VECTORS ? x1.fma(b, a111) : a111;
                }
            }
            // Row i's sums for vectors t.. at tmp[tmpOffset + i·g + t..].
            int s = tmpOffset + t;
            a000.intoArray(tmp, s);
            a010.intoArray(tmp, s + 1 * g);
            a020.intoArray(tmp, s + 2 * g);
            a030.intoArray(tmp, s + 3 * g);
            a040.intoArray(tmp, s + 4 * g);
            a050.intoArray(tmp, s + 5 * g);
            a060.intoArray(tmp, s + 6 * g);
            a070.intoArray(tmp, s + 7 * g);
            a080.intoArray(tmp, s + 8 * g);
            a090.intoArray(tmp, s + 9 * g);
            a100.intoArray(tmp, s + 10 * g);
            a110.intoArray(tmp, s + 11 * g);
            if (TWO_VECTORS) {
                a001.intoArray(tmp, s + l);
                a011.intoArray(tmp, s + 1 * g + l);
                a021.intoArray(tmp, s + 2 * g + l);
                a031.intoArray(tmp, s + 3 * g + l);
                a041.intoArray(tmp, s + 4 * g + l);
                a051.intoArray(tmp, s + 5 * g + l);
                a061.intoArray(tmp, s + 6 * g + l);
                a071.intoArray(tmp, s + 7 * g + l);
                a081.intoArray(tmp, s + 8 * g + l);
                a091.intoArray(tmp, s + 9 * g + l);
                a101.intoArray(tmp, s + 10 * g + l);
                a111.intoArray(tmp, s + 11 * g + l);
            }
        }
        for (int t = 0; t < vectors; t++) {
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
