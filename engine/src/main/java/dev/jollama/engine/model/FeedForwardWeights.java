package dev.jollama.engine.model;

import dev.jollama.engine.tensor.FloatTensor;

/**
 * The weights of a feed-forward block: gated (gate, up, down) or plain (up, down; BERT) with biases on up and down.
 * Parts a family does not have are null.
 */
record FeedForwardWeights(FloatTensor gate, FloatTensor up, FloatTensor down, float[] upBias, float[] downBias) {

    /** Reads a layer's feed-forward weights. */
    interface Reader {
        FeedForwardWeights read(WeightReader r, String blk, ModelConfig c);
    }

    static FeedForwardWeights read(WeightReader r, String blk, ModelConfig c) {
        int dim = c.embeddingLength(), hidden = c.feedForwardLength();
        return new FeedForwardWeights(
                r.matrix(blk + "ffn_gate.weight", dim, hidden),
                r.matrix(blk + "ffn_up.weight", dim, hidden),
                r.matrix(blk + "ffn_down.weight", hidden, dim),
                null, null);
    }

    /** Up and down projections with biases and no gate. */
    static FeedForwardWeights readPlainWithBiases(WeightReader r, String blk, ModelConfig c) {
        int dim = c.embeddingLength(), hidden = c.feedForwardLength();
        return new FeedForwardWeights(null,
                r.matrix(blk + "ffn_up.weight", dim, hidden),
                r.matrix(blk + "ffn_down.weight", hidden, dim),
                r.vector(blk + "ffn_up.bias", hidden),
                r.vector(blk + "ffn_down.bias", dim));
    }
}
