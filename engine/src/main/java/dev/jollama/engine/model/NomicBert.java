package dev.jollama.engine.model;

import dev.jollama.engine.tensor.FloatTensor;

/**
 * nomic-bert (nomic-embed-text): BERT's token-type embedding and post-norm layers, but NEOX RoPE instead of position
 * embeddings, one fused query-key-value projection and a SwiGLU feed-forward, no biases.
 */
final class NomicBert extends TextEncoder {
    private final PostNormLayer[] layers;
    private final Rope rope;

    NomicBert(WeightReader r, ModelConfig c) {
        super(r, c);
        int dim = c.embeddingLength();
        rope = new Rope(c, Rope.Style.HALVES);
        layers = new PostNormLayer[c.blockCount()];
        for (int i = 0; i < layers.length; i++) {
            String blk = "blk." + i + ".";
            FloatTensor[] qkv = r.splitRows(blk + "attn_qkv.weight", dim, c.queryDim(), c.kvDim(), c.kvDim());
            AttentionWeights attention = new AttentionWeights(qkv[0], qkv[1], qkv[2],
                    r.matrix(blk + "attn_output.weight", c.queryDim(), dim), null, null, null, null, null, null, null);
            layers[i] = postNormLayer(r, blk, attention, FeedForwardWeights.read(r, blk, c));
        }
    }

    @Override
    void embed(ForwardPass p) {
        super.embed(p);
        p.addToRows(tokenType);
        p.layerNormResidual(embeddingNorm);
    }

    @Override
    void layer(ForwardPass p, int layer) {
        postNormLayer(p, layers[layer], rope, Activation.SILU);
    }
}
