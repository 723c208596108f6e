package dev.jollama.engine.model;

/**
 * Qwen3-MoE (Qwen3-30B-A3B, Qwen3-235B-A22B): Qwen3's attention (per-head query and key norms, NEOX RoPE) with the
 * feed-forward block replaced by a mixture of experts: softmax routing over all experts, the K most probable with
 * their probabilities renormalised, each a SwiGLU feed-forward.
 */
final class Qwen3Moe extends Decoder {
    record Layer(float[] attentionNorm, AttentionWeights attention, float[] ffnNorm, ExpertWeights experts) {
    }

    private final Layer[] layers;
    private final Rope rope;

    Qwen3Moe(WeightReader r, ModelConfig c) {
        super(r, c);
        rope = new Rope(c, Rope.Style.HALVES);
        int dim = c.embeddingLength();
        layers = new Layer[c.blockCount()];
        for (int i = 0; i < layers.length; i++) {
            String blk = "blk." + i + ".";
            layers[i] = new Layer(r.vector(blk + "attn_norm.weight", dim),
                    AttentionWeights.read(r, blk, c).withHeadNorms(r, blk, c),
                    r.vector(blk + "ffn_norm.weight", dim), ExpertWeights.read(r, blk, c));
        }
    }

    @Override
    void layer(ForwardPass p, int layer) {
        Layer l = layers[layer];
        p.normalize(l.attentionNorm());
        p.attention(l.attention(), rope, 0);
        p.addOutput();
        p.normalize(l.ffnNorm());
        p.mixtureOfExperts(l.experts(), Routing.SOFTMAX_THEN_TOP_K, Activation.SILU);
        p.addOutput();
    }
}
