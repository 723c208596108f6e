package dev.jollama.engine.model;

import dev.jollama.engine.tensor.FloatTensor;

/** The weights of a gated feed-forward block. */
record FeedForwardWeights(FloatTensor gate, FloatTensor up, FloatTensor down) {

    /** Reads a layer's feed-forward weights. */
    interface Reader {
        FeedForwardWeights read(WeightReader r, String blk, ModelConfig c);
    }

    static FeedForwardWeights read(WeightReader r, String blk, ModelConfig c) {
        int dim = c.embeddingLength(), hidden = c.feedForwardLength();
        return new FeedForwardWeights(
                r.matrix(blk + "ffn_gate.weight", dim, hidden),
                r.matrix(blk + "ffn_up.weight", dim, hidden),
                r.matrix(blk + "ffn_down.weight", hidden, dim));
    }
}
