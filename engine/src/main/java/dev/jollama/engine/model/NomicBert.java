package dev.jollama.engine.model;

import dev.jollama.engine.tensor.FloatTensor;

/**
 * nomic-bert (nomic-embed-text): BERT's token-type embedding and post-norm layers, but NEOX RoPE instead of position
 * embeddings, one fused query-key-value projection and a SwiGLU feed-forward, no biases.
 */
final class NomicBert extends Encoder {
    record Layer(AttentionWeights attention, LayerNorm attentionNorm, FeedForwardWeights feedForward, LayerNorm outputNorm) {
    }

    private final float[] tokenType;
    private final LayerNorm embeddingNorm;
    private final Layer[] layers;
    private final Rope rope;

    NomicBert(WeightReader r, ModelConfig c) {
        super(r, c);
        int dim = c.embeddingLength();
        float epsilon = r.file().getFloat(c.architecture() + ".attention.layer_norm_epsilon", 1e-12f);
        tokenType = new float[dim];
        r.matrix("token_types.weight", dim, r.file().getInt("tokenizer.ggml.token_type_count", 2, 1)).copyTo(0, tokenType, 0, dim);
        embeddingNorm = LayerNorm.read(r, "token_embd_norm", dim, epsilon);
        rope = new Rope(c, Rope.Style.HALVES);
        layers = new Layer[c.blockCount()];
        for (int i = 0; i < layers.length; i++) {
            String blk = "blk." + i + ".";
            FloatTensor[] qkv = r.splitRows(blk + "attn_qkv.weight", dim, c.queryDim(), c.kvDim(), c.kvDim());
            layers[i] = new Layer(
                    new AttentionWeights(qkv[0], qkv[1], qkv[2], r.matrix(blk + "attn_output.weight", c.queryDim(), dim),
                            null, null, null, null, null, null, null),
                    LayerNorm.read(r, blk + "attn_output_norm", dim, epsilon),
                    FeedForwardWeights.read(r, blk, c),
                    LayerNorm.read(r, blk + "layer_output_norm", dim, epsilon));
        }
    }

    @Override
    void embed(ForwardPass p, int[] tokens) {
        super.embed(p, tokens);
        p.addToRows(tokenType);
        p.layerNormResidual(embeddingNorm);
    }

    @Override
    void layer(ForwardPass p, int layer) {
        Layer l = layers[layer];
        p.inputFromResidual();
        p.attention(l.attention(), rope, 0);
        p.addOutput();
        p.layerNormResidual(l.attentionNorm());
        p.inputFromResidual();
        p.feedForward(l.feedForward(), Activation.SILU);
        p.addOutput();
        p.layerNormResidual(l.outputNorm());
    }
}
