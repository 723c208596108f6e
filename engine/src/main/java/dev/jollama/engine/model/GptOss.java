package dev.jollama.engine.model;

/**
 * gpt-oss: attention with biases, a sink logit per head and YaRN RoPE (NEOX pairs), sliding on the even layers of
 * each window pattern; then a mixture of experts whose router and experts have biases, the K highest-scoring
 * experts weighted by the softmax of their scores, each a clamped SwiGLU. The output projection is never tied.
 */
final class GptOss extends Decoder {
    record Layer(float[] attentionNorm, AttentionWeights attention, float[] ffnNorm, ExpertWeights experts) {
    }

    private final Layer[] layers;
    private final Rope rope;
    private final Rope windowRope;
    private final int window;
    private final int windowPattern;

    GptOss(WeightReader r, ModelConfig c) {
        super(r, c, false);
        String p = c.architecture() + ".";
        var file = r.file();
        window = file.requireInt(p + "attention.sliding_window", 1);
        windowPattern = file.getInt(p + "attention.sliding_window_pattern", 2, 1);
        // Without YaRN keys the factor is 1: every pair keeps its frequency and the magnitude is 1.
        float factor = file.getFloat(p + "rope.scaling.factor", 1f);
        int original = file.getInt(p + "rope.scaling.original_context_length", c.contextLength(), 1);
        rope = Rope.yarn(c, Rope.Style.HALVES, c.ropeBase(), factor, original);
        windowRope = Rope.yarn(c, Rope.Style.HALVES, file.getFloat(p + "rope.freq_base_swa", c.ropeBase()), factor, original);
        int dim = c.embeddingLength();
        layers = new Layer[c.blockCount()];
        for (int i = 0; i < layers.length; i++) {
            String blk = "blk." + i + ".";
            layers[i] = new Layer(r.vector(blk + "attn_norm.weight", dim),
                    AttentionWeights.read(r, blk, c).withBiases(r, blk, c).withOutputBias(r, blk, c).withSinks(r, blk, c),
                    // Named post_attention_norm in the file, it is the norm in front of the experts.
                    r.vector(blk + "post_attention_norm.weight", dim), ExpertWeights.readWithBiases(r, blk, c));
        }
    }

    @Override
    void layer(ForwardPass p, int layer) {
        Layer l = layers[layer];
        boolean windowed = layer % windowPattern < windowPattern - 1;
        p.normalize(l.attentionNorm());
        p.attention(l.attention(), windowed ? windowRope : rope, windowed ? window : 0);
        p.addOutput();
        p.normalize(l.ffnNorm());
        p.mixtureOfExperts(l.experts(), Routing.TOP_K_THEN_SOFTMAX, Activation.CLAMPED_SWIGLU);
        p.addOutput();
    }
}
