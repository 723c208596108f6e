package dev.jollama.engine.model;

/**
 * Gemma 2: Gemma 3's blocks without query and key norms, every other layer sliding (from the first), attention
 * logits soft-capped before the softmax and output logits soft-capped at the end.
 */
final class Gemma2 extends Gemma3 {
    /** The 27b model (46 layers) scales queries by its query_pre_attn_scalar, which files do not store. */
    private static final int LAYERS_OF_27B = 46;

    private final float attentionScale;
    private final float attentionLogitCap;
    private final float logitCap;

    Gemma2(WeightReader r, ModelConfig c) {
        super(r, c, r.file().getInt(c.architecture() + ".attention.sliding_window", 4096, 0),
                r.file().getInt(c.architecture() + ".attention.sliding_window_pattern", 2, 1),
                new Rope(c, Rope.Style.HALVES, r.file().getFloat(c.architecture() + ".rope.freq_base_swa", c.ropeBase()),
                        null, c.ropeScale()),
                AttentionWeights::read);
        String p = c.architecture() + ".";
        attentionScale = (float) (1.0 / Math.sqrt(c.blockCount() == LAYERS_OF_27B
                ? (double) c.embeddingLength() / c.headCount() : c.headDim()));
        attentionLogitCap = r.file().getFloat(p + "attn_logit_softcapping", 50f);
        logitCap = r.file().getFloat(p + "final_logit_softcapping", 30f);
    }

    @Override
    float attentionScale() {
        return attentionScale;
    }

    @Override
    float attentionLogitCap() {
        return attentionLogitCap;
    }

    @Override
    float logitCap() {
        return logitCap;
    }
}
