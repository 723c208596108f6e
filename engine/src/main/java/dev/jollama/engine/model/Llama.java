package dev.jollama.engine.model;

/**
 * Llama 2/3, TinyLlama, Mistral, SmolLM: pre-norm attention with grouped-query heads and RoPE on adjacent pairs
 * (with Llama 3.1's frequency factors when the file has rope_freqs), then a SwiGLU feed-forward block. Qwen2, Qwen3,
 * Granite, SmolLM3 and Phi-3 compose the same blocks with weights, RoPE or settings of their own.
 */
class Llama extends Decoder {
    record Layer(float[] attentionNorm, AttentionWeights attention, float[] ffnNorm, FeedForwardWeights feedForward) {
    }

    private final Layer[] layers;
    private final Rope rope;

    Llama(WeightReader r, ModelConfig c) {
        this(r, c, rope(r, c), AttentionWeights::read);
    }

    Llama(WeightReader r, ModelConfig c, Rope rope, AttentionWeights.Reader attention) {
        this(r, c, rope, attention, FeedForwardWeights::read);
    }

    Llama(WeightReader r, ModelConfig c, Rope rope, AttentionWeights.Reader attention, FeedForwardWeights.Reader feedForward) {
        super(r, c);
        this.rope = rope;
        int dim = c.embeddingLength();
        layers = new Layer[c.blockCount()];
        for (int i = 0; i < layers.length; i++) {
            String blk = "blk." + i + ".";
            layers[i] = new Layer(r.vector(blk + "attn_norm.weight", dim), attention.read(r, blk, c),
                    r.vector(blk + "ffn_norm.weight", dim), feedForward.read(r, blk, c));
        }
    }

    /** Llama's RoPE: on adjacent pairs, with Llama 3.1's frequency factors when the file has rope_freqs. */
    static Rope rope(WeightReader r, ModelConfig c) {
        return new Rope(c, Rope.Style.ADJACENT_PAIRS, c.ropeBase(),
                r.has("rope_freqs.weight") ? r.vector("rope_freqs.weight", c.ropeDimensions() / 2) : null, c.ropeScale());
    }

    /** The RoPE of a layer's queries and keys: the model's, in every layer; null for none. */
    Rope layerRope(int layer) {
        return rope;
    }

    @Override
    void layer(ForwardPass p, int layer) {
        Layer l = layers[layer];
        p.normalize(l.attentionNorm());
        p.attention(l.attention(), layerRope(layer), 0);
        p.addOutput();
        p.normalize(l.ffnNorm());
        p.feedForward(l.feedForward(), Activation.SILU);
        p.addOutput();
    }
}
