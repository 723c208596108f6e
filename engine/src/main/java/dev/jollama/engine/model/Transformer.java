package dev.jollama.engine.model;

import dev.jollama.engine.tensor.FloatKernels;

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

    /**
     * Feeds {@code count} tokens (at most the sequence's batch capacity) from {@code tokens[offset]} at the
     * sequence's next positions and returns the logits for the position after the last. All tokens of the batch go
     * through each weight matrix together (a matrix-matrix product); only the last position computes logits.
     */
    float[] forward(Sequence s, int[] tokens, int offset, int count) {
        int position = s.length();
        if (count < 1 || count > s.batchCapacity) {
            throw new IllegalArgumentException("a batch holds 1.." + s.batchCapacity + " tokens, not " + count);
        }
        if (position + count > s.contextLength()) {
            throw new IllegalStateException("the sequence is full (" + s.contextLength() + " tokens)");
        }
        embed(s, tokens, offset, count);
        layers(s, null, position, count);
        int dim = c.embeddingLength();
        rmsNorm(s.normed.values(), 0, s.x, (count - 1) * dim, w.outputNorm());
        s.normed.count(1);
        s.matmul.multiply(w.output(), s.normed, s.logits, c.vocabularySize());
        for (int t = 0; t < count; t++) {
            s.append(tokens[offset + t]);
        }
        return s.logits;
    }

    /**
     * Feeds {@code tokens[t]} to {@code sequences[t]} at its next position, for t below {@code count} (at most the
     * first sequence's batch capacity; each sequence has room for one more token), all through each weight matrix
     * together, and leaves each sequence's next-token logits in its {@link Sequence#logits}. The first sequence's
     * buffers hold the batch; {@code batchLogits} holds count·vocabulary floats.
     */
    void forwardEach(Sequence[] sequences, int[] tokens, int count, float[] batchLogits) {
        Sequence s = sequences[0];
        if (count < 1 || count > s.batchCapacity) {
            throw new IllegalArgumentException("a batch holds 1.." + s.batchCapacity + " tokens, not " + count);
        }
        embed(s, tokens, 0, count);
        layers(s, sequences, 0, count);
        rmsNorm(s.normed.values(), s.x, w.outputNorm(), count);
        s.normed.count(count);
        int vocabulary = c.vocabularySize();
        s.matmul.multiply(w.output(), s.normed, batchLogits, vocabulary);
        for (int t = 0; t < count; t++) {
            System.arraycopy(batchLogits, t * vocabulary, sequences[t].logits, 0, vocabulary);
            sequences[t].append(tokens[t]);
        }
    }

    /** The embeddings of {@code count} tokens from {@code tokens[offset]} into the rows of {@code s.x}. */
    private void embed(Sequence s, int[] tokens, int offset, int count) {
        int dim = c.embeddingLength();
        for (int t = 0; t < count; t++) {
            w.tokenEmbedding().copyTo((long) tokens[offset + t] * dim, s.x, t * dim, dim);
        }
        if (gemma) {
            scale(s.x, count * dim, (float) Math.sqrt(dim));
        }
    }

    /**
     * Every layer over the {@code count} rows in {@code s}'s buffers: rows of {@code s} itself at positions
     * {@code position} on when {@code rowSequences} is null, else row t of {@code rowSequences[t]} at its next
     * position.
     */
    private void layers(Sequence s, Sequence[] rowSequences, int position, int count) {
        int dim = c.embeddingLength();
        for (int layer = 0; layer < c.blockCount(); layer++) {
            LayerWeights l = w.layers()[layer];
            rmsNorm(s.normed.values(), s.x, l.attentionNorm(), count);
            s.normed.count(count);
            attention(s, rowSequences, layer, l, position, count);
            s.attentionOut.count(count);
            s.matmul.multiply(l.attentionOutput(), s.attentionOut, s.projected, dim);
            if (l.postAttentionNorm() != null) {
                rmsNorm(s.projected, s.projected, l.postAttentionNorm(), count);
            }
            add(s.x, s.projected, count * dim);

            rmsNorm(s.normed.values(), s.x, l.ffnNorm(), count);
            s.normed.count(count);
            feedForward(s, l, count);
            if (l.postFfnNorm() != null) {
                rmsNorm(s.projected, s.projected, l.postFfnNorm(), count);
            }
            add(s.x, s.projected, count * dim);
        }
    }

    private void attention(Sequence s, Sequence[] rowSequences, int layer, LayerWeights l, int position, int count) {
        int headDim = c.headDim();
        int kvDim = c.kvDim();
        int queryDim = c.queryDim();
        s.matmul.multiply(l.query(), s.normed, s.query, queryDim);
        s.matmul.multiply(l.key(), s.normed, s.key, kvDim);
        s.matmul.multiply(l.value(), s.normed, s.value, kvDim);
        boolean sliding = c.isSlidingWindowLayer(layer);
        // Gemma's local layers rotate with their own base and without the global layers' position scaling.
        float[] frequencies = sliding ? localFrequencies : globalFrequencies;
        float positionScale = sliding ? 1f : c.ropeScale();
        for (int t = 0; t < count; t++) {
            int q0 = t * queryDim, kv0 = t * kvDim;
            int rowPosition = rowSequences == null ? position + t : rowSequences[t].length();
            if (l.queryBias() != null) {
                add(s.query, q0, l.queryBias());
                add(s.key, kv0, l.keyBias());
                add(s.value, kv0, l.valueBias());
            }
            if (l.queryNorm() != null) {
                for (int h = 0; h < c.headCount(); h++) {
                    rmsNorm(s.query, q0 + h * headDim, s.query, q0 + h * headDim, l.queryNorm());
                }
                for (int h = 0; h < c.headCountKv(); h++) {
                    rmsNorm(s.key, kv0 + h * headDim, s.key, kv0 + h * headDim, l.keyNorm());
                }
            }
            rope(s.query, q0, c.headCount(), frequencies, rowPosition * positionScale);
            rope(s.key, kv0, c.headCountKv(), frequencies, rowPosition * positionScale);
        }
        int window = sliding ? c.slidingWindow() : 0;
        if (rowSequences == null) {
            s.cacheKeysAndValues(layer, position, count, s.key, s.value, 0);
            s.attention.run(s.query, 0, s.keyCache[layer], s.valueCache[layer], s.attentionOut.values(), position, count, window);
        } else {
            // Each row attends over its own sequence's cache.
            for (int t = 0; t < count; t++) {
                Sequence r = rowSequences[t];
                int rowPosition = r.length();
                r.cacheKeysAndValues(layer, rowPosition, 1, s.key, s.value, t);
                r.attention.run(s.query, t, r.keyCache[layer], r.valueCache[layer], s.attentionOut.values(), rowPosition, 1, window);
            }
        }
    }

    private void feedForward(Sequence s, LayerWeights l, int count) {
        int hidden = c.feedForwardLength();
        s.matmul.multiply(l.ffnGate(), s.normed, s.gate, hidden);
        s.matmul.multiply(l.ffnUp(), s.normed, s.up, hidden);
        float[] product = s.ffnProduct.values();
        if (gemma) {
            for (int i = 0; i < count * hidden; i++) {
                product[i] = gelu(s.gate[i]) * s.up[i];
            }
        } else {
            FloatKernels.siluTimes(s.gate, s.up, product, count * hidden);
        }
        s.ffnProduct.count(count);
        s.matmul.multiply(l.ffnDown(), s.ffnProduct, s.projected, c.embeddingLength());
    }

    /** Rotates the first ropeDimensions of every head by position·frequency. */
    private void rope(float[] v, int offset, int heads, float[] frequencies, float position) {
        int headDim = c.headDim();
        int pairs = frequencies.length;
        boolean halves = c.architecture().ropeStyle == Architecture.RopeStyle.HALVES;
        for (int i = 0; i < pairs; i++) {
            float angle = position * frequencies[i];
            float cos = (float) Math.cos(angle);
            float sin = (float) Math.sin(angle);
            for (int h = 0; h < heads; h++) {
                int a = offset + h * headDim + (halves ? i : 2 * i);
                int b = halves ? a + pairs : a + 1;
                float x0 = v[a];
                float x1 = v[b];
                v[a] = x0 * cos - x1 * sin;
                v[b] = x0 * sin + x1 * cos;
            }
        }
    }

    /** RMS-normalises each of the first {@code count} vectors of x (weight.length wide) into out. */
    private void rmsNorm(float[] out, float[] x, float[] weight, int count) {
        for (int t = 0; t < count; t++) {
            rmsNorm(out, t * weight.length, x, t * weight.length, weight);
        }
    }

    /** RMS-normalises the weight.length values of x from xOffset into out from outOffset (in place allowed). */
    private void rmsNorm(float[] out, int outOffset, float[] x, int xOffset, float[] weight) {
        int n = weight.length;
        double sumOfSquares = 0;
        for (int i = 0; i < n; i++) {
            sumOfSquares += x[xOffset + i] * x[xOffset + i];
        }
        float inverse = (float) (1.0 / Math.sqrt(sumOfSquares / n + c.rmsNormEps()));
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = x[xOffset + i] * inverse * weight[i];
        }
    }

    private static void add(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) {
            x[i] += y[i];
        }
    }

    private static void add(float[] x, int offset, float[] y) {
        for (int i = 0; i < y.length; i++) {
            x[offset + i] += y[i];
        }
    }

    private static void scale(float[] x, int n, float factor) {
        for (int i = 0; i < n; i++) {
            x[i] *= factor;
        }
    }

    /** GELU with the tanh approximation, as Gemma uses it. */
    private static float gelu(float x) {
        return 0.5f * x * (1f + (float) Math.tanh(0.7978845608028654 * (x + 0.044715f * x * x * x)));
    }
}
