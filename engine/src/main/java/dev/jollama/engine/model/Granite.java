package dev.jollama.engine.model;

/**
 * Granite 3 (dense): Llama's blocks with four multipliers from the file: embeddings times embedding_scale, each
 * block's output times residual_scale, attention logits times attention.scale (in place of 1/√head size) and
 * output logits divided by logit_scale. A multiplier whose key is 0 (or absent, except logit_scale) is not applied.
 */
final class Granite extends Llama {
    private final float embeddingScale;
    private final float residualScale;
    private final float attentionScale;
    private final float logitScale;

    Granite(WeightReader r, ModelConfig c) {
        // RoPE is left out only by a file that says its RoPE scaling was not fine-tuned.
        super(r, c, r.file().getBoolean(c.architecture() + ".rope.scaling.finetuned", true) ? rope(r, c) : null,
                AttentionWeights::read);
        String p = c.architecture() + ".";
        embeddingScale = r.file().getFloat(p + "embedding_scale", 0f);
        residualScale = r.file().getFloat(p + "residual_scale", 0f);
        attentionScale = r.file().getFloat(p + "attention.scale", 0f);
        float divisor = r.file().requireFloat(p + "logit_scale");
        logitScale = divisor == 0 ? 1 : 1 / divisor;
    }

    @Override
    void embed(ForwardPass p) {
        super.embed(p);
        if (embeddingScale != 0) {
            p.scaleTokenRows(embeddingScale);
        }
    }

    @Override
    float residualScale() {
        return residualScale == 0 ? 1 : residualScale;
    }

    @Override
    float attentionScale() {
        return attentionScale == 0 ? super.attentionScale() : attentionScale;
    }

    @Override
    float logitScale() {
        return logitScale;
    }
}
