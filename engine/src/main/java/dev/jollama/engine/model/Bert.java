package dev.jollama.engine.model;

import dev.jollama.engine.tensor.FloatTensor;

/**
 * BERT encoders (all-minilm, mxbai-embed-large, bge): token, token-type and absolute position embeddings under a
 * LayerNorm, then post-norm layers: attention both ways with biases and no RoPE, and a plain GELU feed-forward with
 * biases.
 */
final class Bert extends TextEncoder {
    private final FloatTensor positionEmbedding;
    private final PostNormLayer[] layers;

    Bert(WeightReader r, ModelConfig c) {
        super(r, c);
        positionEmbedding = r.matrix("position_embd.weight", c.embeddingLength(), c.contextLength());
        layers = new PostNormLayer[c.blockCount()];
        for (int i = 0; i < layers.length; i++) {
            String blk = "blk." + i + ".";
            layers[i] = postNormLayer(r, blk, AttentionWeights.read(r, blk, c).withBiases(r, blk, c).withOutputBias(r, blk, c),
                    FeedForwardWeights.readPlainWithBiases(r, blk, c));
        }
    }

    @Override
    void embed(ForwardPass p) {
        super.embed(p);
        p.addToRows(tokenType);
        p.addPositionEmbeddings(positionEmbedding);
        p.layerNormResidual(embeddingNorm);
    }

    @Override
    void layer(ForwardPass p, int layer) {
        postNormLayer(p, layers[layer], null, Activation.GELU);
    }
}
