package dev.jollama.engine.model;

/**
 * Gemma 3 (text): embeddings scaled by √dim, per-head query and key norms, a norm after each block as well as
 * before, GeGLU, and five sliding-window layers (their own RoPE base, unscaled) to each global one. Gemma 2 composes
 * the same blocks with settings of its own.
 */
class Gemma3 extends Decoder {
    private static final int SLIDING_WINDOW_PATTERN = 6;
    private static final float LOCAL_ROPE_BASE = 10_000f;

    record Layer(float[] attentionNorm, AttentionWeights attention, float[] postAttentionNorm,
                 float[] ffnNorm, FeedForwardWeights feedForward, float[] postFfnNorm) {
    }

    private final Layer[] layers;
    private final Rope globalRope;
    private final Rope localRope;
    /** Keys a sliding-window layer sees, itself included; 0 when no layer slides. */
    private final int slidingWindow;
    /** Layer i slides when i mod pattern < pattern − 1: the last layer of every pattern is global. */
    private final int slidingWindowPattern;
    private final float embeddingScale;

    Gemma3(WeightReader r, ModelConfig c) {
        this(r, c, r.file().getInt(c.architecture() + ".attention.sliding_window", 0, 0), SLIDING_WINDOW_PATTERN,
                new Rope(c, Rope.Style.HALVES, r.file().getFloat(c.architecture() + ".rope.local.freq_base", LOCAL_ROPE_BASE), null, 1f),
                (reader, blk, config) -> AttentionWeights.read(reader, blk, config).withHeadNorms(reader, blk, config));
    }

    Gemma3(WeightReader r, ModelConfig c, int slidingWindow, int slidingWindowPattern, Rope localRope,
           AttentionWeights.Reader attention) {
        super(r, c);
        int dim = c.embeddingLength();
        this.slidingWindow = slidingWindow;
        this.slidingWindowPattern = slidingWindowPattern;
        this.localRope = localRope;
        globalRope = new Rope(c, Rope.Style.HALVES);
        embeddingScale = (float) Math.sqrt(dim);
        layers = new Layer[c.blockCount()];
        for (int i = 0; i < layers.length; i++) {
            String blk = "blk." + i + ".";
            layers[i] = new Layer(
                    r.vector(blk + "attn_norm.weight", dim),
                    attention.read(r, blk, c),
                    r.vector(blk + "post_attention_norm.weight", dim),
                    r.vector(blk + "ffn_norm.weight", dim),
                    FeedForwardWeights.read(r, blk, c),
                    r.vector(blk + "post_ffw_norm.weight", dim));
        }
    }

    @Override
    void embed(ForwardPass p) {
        super.embed(p);
        p.scaleTokenRows(embeddingScale);
    }

    @Override
    void layer(ForwardPass p, int layer) {
        Layer l = layers[layer];
        boolean sliding = slidingWindow > 0 && layer % slidingWindowPattern < slidingWindowPattern - 1;
        p.normalize(l.attentionNorm());
        p.attention(l.attention(), sliding ? localRope : globalRope, sliding ? slidingWindow : 0);
        p.normalizeOutput(l.postAttentionNorm());
        p.addOutput();
        p.normalize(l.ffnNorm());
        p.feedForward(l.feedForward(), Activation.GELU);
        p.normalizeOutput(l.postFfnNorm());
        p.addOutput();
    }
}
