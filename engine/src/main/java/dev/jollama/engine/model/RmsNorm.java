package dev.jollama.engine.model;

/** Root-mean-square normalisation with a learned scale per value. */
final class RmsNorm {
    private RmsNorm() {
    }

    /** Normalises the weight.length values of x from xOffset, times weight, into out from outOffset (in place allowed). */
    static void apply(float[] out, int outOffset, float[] x, int xOffset, float[] weight, float epsilon) {
        int n = weight.length;
        double sumOfSquares = 0;
        for (int i = 0; i < n; i++) {
            sumOfSquares += x[xOffset + i] * x[xOffset + i];
        }
        float inverse = (float) (1.0 / Math.sqrt(sumOfSquares / n + epsilon));
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = x[xOffset + i] * inverse * weight[i];
        }
    }
}
