package dev.jollama.engine.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Float kernels every weight type shares once its values are dequantized: the dot product, and the product of a
 * tile of weight rows with a batch of input vectors, where each weight value loaded is used for four inputs.
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

    /** {@code y[yOffset + i] += factor * x[xOffset + i]} for i below n. */
    public static void axpy(float factor, float[] x, int xOffset, float[] y, int yOffset, int n) {
        int bound = F.loopBound(n);
        FloatVector f = FloatVector.broadcast(F, factor);
        int i = 0;
        for (; i < bound; i += F.length()) {
            FloatVector.fromArray(F, x, xOffset + i).fma(f, FloatVector.fromArray(F, y, yOffset + i)).intoArray(y, yOffset + i);
        }
        for (; i < n; i++) {
            y[yOffset + i] += factor * x[xOffset + i];
        }
    }

    /**
     * {@code out[t·outStride + firstRow + r] = w row r · x vector t} for the {@code rows} rows of the tile {@code w}
     * (row-major, {@code n} wide) and the {@code count} vectors of {@code x} (also n wide). Four rows times four
     * vectors at a time: sixteen accumulators, eight loads per sixteen fused multiply-adds.
     */
    static void tileTimesBatch(float[] w, int rows, float[] x, int count, int n, float[] out, int outStride, int firstRow) {
        int r = 0;
        for (; r + 4 <= rows; r += 4) {
            int t = 0;
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
            for (int t = 0; t < count; t++) {
                out[t * outStride + firstRow + r] = dot(w, r * n, x, t * n, n);
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
        out[o] = sum(a00, w, w0, x, x0, i, n);
        out[o + 1] = sum(a10, w, w0 + n, x, x0, i, n);
        out[o + 2] = sum(a20, w, w0 + 2 * n, x, x0, i, n);
        out[o + 3] = sum(a30, w, w0 + 3 * n, x, x0, i, n);
        out[o + xs] = sum(a01, w, w0, x, x0 + n, i, n);
        out[o + xs + 1] = sum(a11, w, w0 + n, x, x0 + n, i, n);
        out[o + xs + 2] = sum(a21, w, w0 + 2 * n, x, x0 + n, i, n);
        out[o + xs + 3] = sum(a31, w, w0 + 3 * n, x, x0 + n, i, n);
        out[o + 2 * xs] = sum(a02, w, w0, x, x0 + 2 * n, i, n);
        out[o + 2 * xs + 1] = sum(a12, w, w0 + n, x, x0 + 2 * n, i, n);
        out[o + 2 * xs + 2] = sum(a22, w, w0 + 2 * n, x, x0 + 2 * n, i, n);
        out[o + 2 * xs + 3] = sum(a32, w, w0 + 3 * n, x, x0 + 2 * n, i, n);
        out[o + 3 * xs] = sum(a03, w, w0, x, x0 + 3 * n, i, n);
        out[o + 3 * xs + 1] = sum(a13, w, w0 + n, x, x0 + 3 * n, i, n);
        out[o + 3 * xs + 2] = sum(a23, w, w0 + 2 * n, x, x0 + 3 * n, i, n);
        out[o + 3 * xs + 3] = sum(a33, w, w0 + 3 * n, x, x0 + 3 * n, i, n);
    }

    /** The lanes of an accumulator plus the products past the last whole vector (from {@code from} to n). */
    private static float sum(FloatVector acc, float[] w, int wOffset, float[] x, int xOffset, int from, int n) {
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (int j = from; j < n; j++) {
            sum += w[wOffset + j] * x[xOffset + j];
        }
        return sum;
    }
}
