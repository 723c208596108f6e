package dev.jollama.engine.model;

import java.util.Arrays;

/**
 * The forward pass shared by the supported families: pre-norm attention with grouped-query heads and RoPE, then a
 * gated feed-forward block. Family differences are data (biases, q/k norms, post-norms, sliding windows) or a flag
 * (GeGLU and embedding scaling for Gemma).
 */
final class Transformer {
    private final ModelConfig c;
    private final ModelWeights w;
    private final float[] globalFrequencies;
    private final float[] localFrequencies;
    private final boolean gemma;

    Transformer(ModelConfig config, ModelWeights weights) {
        this.c = config;
        this.w = weights;
        this.gemma = config.architecture() == Architecture.GEMMA3;
        this.globalFrequencies = ropeFrequencies(config.ropeBase(), weights.ropeFrequencyFactors());
        this.localFrequencies = gemma ? ropeFrequencies(config.localRopeBase(), null) : globalFrequencies;
    }

    private float[] ropeFrequencies(float base, float[] factors) {
        int pairs = c.ropeDimensions() / 2;
        float[] f = new float[pairs];
        for (int i = 0; i < pairs; i++) {
            double frequency = Math.pow(base, -2.0 * i / c.ropeDimensions());
            f[i] = (float) (factors == null ? frequency : frequency / factors[i]);
        }
        return f;
    }

    /** Feeds one token at the sequence's next position and returns the logits for the position after it. */
    float[] forward(Sequence s, int token) {
        int position = s.length();
        if (position >= s.contextLength()) {
            throw new IllegalStateException("the sequence is full (" + s.contextLength() + " tokens)");
        }
        int dim = c.embeddingLength();
        w.tokenEmbedding().copyTo((long) token * dim, s.x, 0, dim);
        if (gemma) {
            scale(s.x, (float) Math.sqrt(dim));
        }
        for (int layer = 0; layer < c.blockCount(); layer++) {
            LayerWeights l = w.layers()[layer];
            rmsNorm(s.normed.values(), s.x, l.attentionNorm());
            s.normed.count(1);
            attention(s, layer, l, position);
            s.attentionOut.count(1);
            s.matmul.multiply(l.attentionOutput(), s.attentionOut, s.projected, dim);
            if (l.postAttentionNorm() != null) {
                rmsNorm(s.projected, s.projected, l.postAttentionNorm());
            }
            add(s.x, s.projected);

            rmsNorm(s.normed.values(), s.x, l.ffnNorm());
            s.normed.count(1);
            feedForward(s, l);
            if (l.postFfnNorm() != null) {
                rmsNorm(s.projected, s.projected, l.postFfnNorm());
            }
            add(s.x, s.projected);
        }
        rmsNorm(s.normed.values(), s.x, w.outputNorm());
        s.normed.count(1);
        s.matmul.multiply(w.output(), s.normed, s.logits, c.vocabularySize());
        s.append(token);
        return s.logits;
    }

    private void attention(Sequence s, int layer, LayerWeights l, int position) {
        int dim = c.embeddingLength();
        int headDim = c.headDim();
        int kvDim = c.kvDim();
        s.matmul.multiply(l.query(), s.normed, s.query, c.queryDim());
        s.matmul.multiply(l.key(), s.normed, s.key, kvDim);
        s.matmul.multiply(l.value(), s.normed, s.value, kvDim);
        if (l.queryBias() != null) {
            add(s.query, l.queryBias());
            add(s.key, l.keyBias());
            add(s.value, l.valueBias());
        }
        if (l.queryNorm() != null) {
            for (int h = 0; h < c.headCount(); h++) {
                rmsNorm(s.query, h * headDim, l.queryNorm());
            }
            for (int h = 0; h < c.headCountKv(); h++) {
                rmsNorm(s.key, h * headDim, l.keyNorm());
            }
        }
        boolean sliding = c.isSlidingWindowLayer(layer);
        // Gemma's local layers rotate with their own base and without the global layers' position scaling.
        float[] frequencies = sliding ? localFrequencies : globalFrequencies;
        float positionScale = sliding ? 1f : c.ropeScale();
        rope(s.query, c.headCount(), frequencies, position * positionScale);
        rope(s.key, c.headCountKv(), frequencies, position * positionScale);

        System.arraycopy(s.key, 0, s.keyCache[layer], position * kvDim, kvDim);
        System.arraycopy(s.value, 0, s.valueCache[layer], position * kvDim, kvDim);

        int first = sliding ? Math.max(0, position - c.slidingWindow() + 1) : 0;
        int groupSize = c.headCount() / c.headCountKv();
        float scale = (float) (1.0 / Math.sqrt(headDim));
        float[] keys = s.keyCache[layer];
        float[] values = s.valueCache[layer];
        for (int h = 0; h < c.headCount(); h++) {
            int qOffset = h * headDim;
            int kvOffset = (h / groupSize) * headDim;
            for (int t = first; t <= position; t++) {
                s.scores[t] = dot(s.query, qOffset, keys, t * kvDim + kvOffset, headDim) * scale;
            }
            softmax(s.scores, first, position + 1);
            Arrays.fill(s.attentionOut.values(), qOffset, qOffset + headDim, 0f);
            for (int t = first; t <= position; t++) {
                float weight = s.scores[t];
                int vOffset = t * kvDim + kvOffset;
                for (int i = 0; i < headDim; i++) {
                    s.attentionOut.values()[qOffset + i] += weight * values[vOffset + i];
                }
            }
        }
    }

    private void feedForward(Sequence s, LayerWeights l) {
        int hidden = c.feedForwardLength();
        s.matmul.multiply(l.ffnGate(), s.normed, s.gate, hidden);
        s.matmul.multiply(l.ffnUp(), s.normed, s.up, hidden);
        float[] product = s.ffnProduct.values();
        for (int i = 0; i < hidden; i++) {
            float g = s.gate[i];
            product[i] = (gemma ? gelu(g) : silu(g)) * s.up[i];
        }
        s.ffnProduct.count(1);
        s.matmul.multiply(l.ffnDown(), s.ffnProduct, s.projected, c.embeddingLength());
    }

    /** Rotates the first ropeDimensions of every head by position·frequency. */
    private void rope(float[] v, int heads, float[] frequencies, float position) {
        int headDim = c.headDim();
        int pairs = frequencies.length;
        boolean halves = c.architecture().ropeStyle == Architecture.RopeStyle.HALVES;
        for (int i = 0; i < pairs; i++) {
            float angle = position * frequencies[i];
            float cos = (float) Math.cos(angle);
            float sin = (float) Math.sin(angle);
            for (int h = 0; h < heads; h++) {
                int a = h * headDim + (halves ? i : 2 * i);
                int b = halves ? a + pairs : a + 1;
                float x0 = v[a];
                float x1 = v[b];
                v[a] = x0 * cos - x1 * sin;
                v[b] = x0 * sin + x1 * cos;
            }
        }
    }

    private void rmsNorm(float[] out, float[] x, float[] weight) {
        double sumOfSquares = 0;
        for (float v : x) {
            sumOfSquares += v * v;
        }
        float inverse = (float) (1.0 / Math.sqrt(sumOfSquares / x.length + c.rmsNormEps()));
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] * inverse * weight[i];
        }
    }

    /** RMS-normalises, in place, the weight.length values starting at offset (one head). */
    private void rmsNorm(float[] x, int offset, float[] weight) {
        int n = weight.length;
        double sumOfSquares = 0;
        for (int i = 0; i < n; i++) {
            sumOfSquares += x[offset + i] * x[offset + i];
        }
        float inverse = (float) (1.0 / Math.sqrt(sumOfSquares / n + c.rmsNormEps()));
        for (int i = 0; i < n; i++) {
            x[offset + i] = x[offset + i] * inverse * weight[i];
        }
    }

    private static float dot(float[] a, int aOffset, float[] b, int bOffset, int n) {
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            sum += a[aOffset + i] * b[bOffset + i];
        }
        return sum;
    }

    private static void softmax(float[] x, int from, int to) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = from; i < to; i++) {
            max = Math.max(max, x[i]);
        }
        float sum = 0f;
        for (int i = from; i < to; i++) {
            x[i] = (float) Math.exp(x[i] - max);
            sum += x[i];
        }
        for (int i = from; i < to; i++) {
            x[i] /= sum;
        }
    }

    private static void add(float[] x, float[] y) {
        for (int i = 0; i < x.length; i++) {
            x[i] += y[i];
        }
    }

    private static void scale(float[] x, float factor) {
        for (int i = 0; i < x.length; i++) {
            x[i] *= factor;
        }
    }

    private static float silu(float x) {
        return x / (1f + (float) Math.exp(-x));
    }

    /** GELU with the tanh approximation, as Gemma uses it. */
    private static float gelu(float x) {
        return 0.5f * x * (1f + (float) Math.tanh(0.7978845608028654 * (x + 0.044715f * x * x * x)));
    }
}
