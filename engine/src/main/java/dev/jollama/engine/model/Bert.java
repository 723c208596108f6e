package dev.jollama.engine.model;

import dev.jollama.engine.tensor.FloatTensor;

/**
 * BERT encoders (all-minilm, mxbai-embed-large, bge): token, token-type and absolute position embeddings under a
 * LayerNorm, then post-norm layers: attention both ways with biases and no RoPE, and a plain GELU feed-forward with
 * biases; each block's output is added to the residual stream, which is then layer-normalised.
 */
final class Bert extends Encoder {
    record Layer(AttentionWeights attention, LayerNorm attentionNorm, FeedForwardWeights feedForward, LayerNorm outputNorm) {
    }

    private final FloatTensor positionEmbedding;
    /** Every token is of type 0. */
    private final float[] tokenType;
    private final LayerNorm embeddingNorm;
    private final Layer[] layers;

    Bert(WeightReader r, ModelConfig c) {
        super(r, c);
        int dim = c.embeddingLength();
        float epsilon = r.file().getFloat(c.architecture() + ".attention.layer_norm_epsilon", 1e-12f);
        positionEmbedding = r.matrix("position_embd.weight", dim, c.contextLength());
        tokenType = new float[dim];
        r.matrix("token_types.weight", dim, r.file().getInt("tokenizer.ggml.token_type_count", 2, 1)).copyTo(0, tokenType, 0, dim);
        embeddingNorm = LayerNorm.read(r, "token_embd_norm", dim, epsilon);
        layers = new Layer[c.blockCount()];
        for (int i = 0; i < layers.length; i++) {
            String blk = "blk." + i + ".";
            layers[i] = new Layer(
                    AttentionWeights.read(r, blk, c).withBiases(r, blk, c).withOutputBias(r, blk, c),
                    LayerNorm.read(r, blk + "attn_output_norm", dim, epsilon),
                    FeedForwardWeights.readPlainWithBiases(r, blk, c),
                    LayerNorm.read(r, blk + "layer_output_norm", dim, epsilon));
        }
    }

    @Override
    void embed(ForwardPass p, int[] tokens) {
        super.embed(p, tokens);
        p.addToRows(tokenType);
        p.addPositionEmbeddings(positionEmbedding);
        p.layerNormResidual(embeddingNorm);
    }

    @Override
    void layer(ForwardPass p, int layer) {
        Layer l = layers[layer];
        p.inputFromResidual();
        p.attention(l.attention(), null, 0); // positions come from the position embedding
        p.addOutput();
        p.layerNormResidual(l.attentionNorm());
        p.inputFromResidual();
        p.feedForward(l.feedForward(), Activation.GELU);
        p.addOutput();
        p.layerNormResidual(l.outputNorm());
    }
}
