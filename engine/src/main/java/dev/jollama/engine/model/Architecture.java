package dev.jollama.engine.model;

import dev.jollama.engine.tensor.FloatTensor;

/**
 * A transformer family: its settings, its weights (read by their GGUF tensor names) and how its forward pass
 * composes the blocks of {@link ForwardPass}. Each family is one subclass of {@link Decoder} (generation) or
 * {@link Encoder} (embeddings), found by its {@code general.architecture} name in {@link Architectures}.
 */
abstract sealed class Architecture permits Decoder, Encoder {
    final ModelConfig config;
    final FloatTensor tokenEmbedding;

    /**
     * @param tiedOutput whether the token embedding is also the output matrix: only then is it a matrix of products
     *                   (with a copy in a layout of its own, see {@code Repacker}); otherwise its rows are only looked
     *                   up, and such a copy was memory for nothing (295 MB of the 8B shape's Q4_K_M)
     */
    Architecture(WeightReader r, ModelConfig c, boolean tiedOutput) {
        this(c, tiedOutput ? r.matrix("token_embd.weight", c.embeddingLength(), c.vocabularySize())
                : r.tensor("token_embd.weight", c.embeddingLength(), c.vocabularySize()));
    }

    /** @param tokenEmbedding null for a family whose rows are all fed as vectors (the image encoder) */
    Architecture(ModelConfig c, FloatTensor tokenEmbedding) {
        this.config = c;
        this.tokenEmbedding = tokenEmbedding;
    }

    /** The pass's rows into its residual stream: token rows' embeddings, vector rows' vectors. */
    void embed(ForwardPass p) {
        p.embedRows(tokenEmbedding);
    }

    /** Layer {@code layer} over the pass's rows. */
    abstract void layer(ForwardPass p, int layer);

    /** The final hidden states of the pass's rows, from its residual stream into the input of the next product. */
    abstract void finalHiddenStates(ForwardPass p);

    /** Whether each position attends to every position of its input (encoders) instead of those up to itself. */
    abstract boolean attendsBothWays();

    /** What attention multiplies each query·key product by: 1/√(head size) unless the family sets its own. */
    float attentionScale() {
        return (float) (1.0 / Math.sqrt(config.headDim()));
    }

    /** The cap of attention logits, soft-capped as cap·tanh(s/cap) before the softmax (Gemma 2); 0: not capped. */
    float attentionLogitCap() {
        return 0;
    }

    /**
     * Layers of keys and values the KV cache holds: one per block, or 1 for a family whose input always goes
     * through whole in one pass (each block's keys and values serve only that block, so all share one layer).
     */
    int cacheLayers() {
        return config.blockCount();
    }

    /** What each block's output is multiplied by as it joins the residual stream (Granite's residual scale). */
    float residualScale() {
        return 1;
    }
}
