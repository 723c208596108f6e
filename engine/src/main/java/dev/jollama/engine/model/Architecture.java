package dev.jollama.engine.model;

import dev.jollama.engine.tensor.FloatTensor;

/**
 * A transformer family: its settings, its weights (read by their GGUF tensor names) and how its forward pass
 * composes the blocks of {@link ForwardPass}. Each family is one subclass, found by its {@code general.architecture}
 * name in {@link Architectures}.
 */
abstract class Architecture {
    final ModelConfig config;
    final FloatTensor tokenEmbedding;
    final float[] outputNorm;
    /** The output projection; the token embedding itself when the file ties them (no output.weight). */
    final FloatTensor output;

    /** A family whose output projection is the token embedding when the file has no output.weight. */
    Architecture(WeightReader r, ModelConfig c) {
        this(r, c, true);
    }

    /** @param mayTie whether a file without output.weight ties it to the token embedding; if not, it is malformed */
    Architecture(WeightReader r, ModelConfig c, boolean mayTie) {
        int dim = c.embeddingLength();
        this.config = c;
        this.tokenEmbedding = r.matrix("token_embd.weight", dim, c.vocabularySize());
        this.outputNorm = r.vector("output_norm.weight", dim);
        this.output = mayTie && !r.has("output.weight") ? tokenEmbedding : r.matrix("output.weight", dim, c.vocabularySize());
    }

    /** The pass's tokens into its residual stream. */
    void embed(ForwardPass p, int[] tokens) {
        p.embedTokens(tokenEmbedding, tokens);
    }

    /** Layer {@code layer} over the pass's rows. */
    abstract void layer(ForwardPass p, int layer);

    /** What attention multiplies each query·key product by: 1/√(head size) unless the family sets its own. */
    float attentionScale() {
        return (float) (1.0 / Math.sqrt(config.headDim()));
    }

    /** The cap of attention logits, soft-capped as cap·tanh(s/cap) before the softmax (Gemma 2); 0: not capped. */
    float attentionLogitCap() {
        return 0;
    }

    /** What each block's output is multiplied by as it joins the residual stream (Granite's residual scale). */
    float residualScale() {
        return 1;
    }

    /** What the output logits are multiplied by (Granite divides them by its logit scale). */
    float logitScale() {
        return 1;
    }

    /** The cap of the output logits, soft-capped after {@link #logitScale} (Gemma 2); 0: not capped. */
    float logitCap() {
        return 0;
    }
}
