package dev.jollama.engine.model;

/** The BERT-style text encoders: their token-type embedding, embedding norm and post-norm layer. */
abstract class TextEncoder extends Encoder {
    /** A post-norm layer: each block reads the residual stream, and the stream plus its output is layer-normalised. */
    record PostNormLayer(AttentionWeights attention, LayerNorm attentionNorm, FeedForwardWeights feedForward, LayerNorm outputNorm) {
    }

    /** Every token is of type 0: row 0 of {@code token_types.weight}. */
    final float[] tokenType;
    final LayerNorm embeddingNorm;
    final float layerNormEpsilon;

    TextEncoder(WeightReader r, ModelConfig c) {
        super(r, c);
        int dim = c.embeddingLength();
        layerNormEpsilon = r.file().getFloat(c.architecture() + ".attention.layer_norm_epsilon", 1e-12f);
        tokenType = new float[dim];
        r.matrix("token_types.weight", dim, r.file().getInt("tokenizer.ggml.token_type_count", 2, 1)).copyTo(0, tokenType, 0, dim);
        embeddingNorm = LayerNorm.read(r, "token_embd_norm", dim, layerNormEpsilon);
    }

    /** A post-norm layer's norms, as BERT-style files name them, around the given blocks. */
    PostNormLayer postNormLayer(WeightReader r, String blk, AttentionWeights attention, FeedForwardWeights feedForward) {
        int dim = config.embeddingLength();
        return new PostNormLayer(attention, LayerNorm.read(r, blk + "attn_output_norm", dim, layerNormEpsilon), feedForward,
                LayerNorm.read(r, blk + "layer_output_norm", dim, layerNormEpsilon));
    }

    /** @param rope null when positions come from a position embedding */
    static void postNormLayer(ForwardPass p, PostNormLayer l, Rope rope, Activation activation) {
        p.inputFromResidual();
        p.attention(l.attention(), rope, 0);
        p.addOutput();
        p.layerNormResidual(l.attentionNorm());
        p.inputFromResidual();
        p.feedForward(l.feedForward(), activation);
        p.addOutput();
        p.layerNormResidual(l.outputNorm());
    }
}
