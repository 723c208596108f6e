package dev.jollama.engine.model;

/** Layer normalisation: zero mean and unit variance, then a learned scale and bias per value (BERT's norms). */
record LayerNorm(float[] weight, float[] bias, float epsilon) {

    static LayerNorm read(WeightReader r, String name, int length, float epsilon) {
        return new LayerNorm(r.vector(name + ".weight", length), r.vector(name + ".bias", length), epsilon);
    }

    /** Normalises the weight.length values of x from offset, in place. */
    void apply(float[] x, int offset) {
        apply(x, offset, x, offset);
    }

    /** Normalises the weight.length values of x from offset into out from outOffset. */
    void apply(float[] x, int offset, float[] out, int outOffset) {
        int n = weight.length;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += x[offset + i];
        }
        float mean = (float) (sum / n);
        double squares = 0;
        for (int i = 0; i < n; i++) {
            float d = x[offset + i] - mean;
            squares += d * d;
        }
        float inverse = (float) (1.0 / Math.sqrt(squares / n + epsilon));
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = (x[offset + i] - mean) * inverse * weight[i] + bias[i];
        }
    }
}
