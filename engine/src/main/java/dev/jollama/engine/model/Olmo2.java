package dev.jollama.engine.model;

/**
 * OLMo 2: no norm before a block; the queries and keys are RMS-normalised over their whole projection before NEOX
 * RoPE, and each block's output is normalised before it joins the residual stream. SwiGLU; its own output matrix.
 */
final class Olmo2 extends Decoder {
    record Layer(AttentionWeights attention, float[] postAttentionNorm, FeedForwardWeights feedForward, float[] postFfnNorm) {
    }

    private final Layer[] layers;
    private final Rope rope;

    Olmo2(WeightReader r, ModelConfig c) {
        super(r, c, false);
        int dim = c.embeddingLength();
        rope = new Rope(c, Rope.Style.HALVES);
        layers = new Layer[c.blockCount()];
        for (int i = 0; i < layers.length; i++) {
            String blk = "blk." + i + ".";
            layers[i] = new Layer(
                    AttentionWeights.read(r, blk, c).withProjectionNorms(r, blk, c),
                    r.vector(blk + "post_attention_norm.weight", dim),
                    FeedForwardWeights.read(r, blk, c),
                    r.vector(blk + "post_ffw_norm.weight", dim));
        }
    }

    @Override
    void layer(ForwardPass p, int layer) {
        Layer l = layers[layer];
        p.useResidual();
        p.attention(l.attention(), rope, 0);
        p.normalizeOutput(l.postAttentionNorm());
        p.addOutput();
        p.useResidual();
        p.feedForward(l.feedForward(), Activation.SILU);
        p.normalizeOutput(l.postFfnNorm());
        p.addOutput();
    }
}
