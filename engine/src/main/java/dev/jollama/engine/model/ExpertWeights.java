package dev.jollama.engine.model;

import dev.jollama.engine.tensor.FloatTensor;

/**
 * The weights of a mixture-of-experts block: the router (one score per expert, F32 in every file the reference
 * writes) and each expert's gated feed-forward, one view per expert of the file's 3-D tensors. Biases are null in
 * families without them (Qwen3-MoE); gpt-oss has one on the router and on each expert's three projections.
 */
record ExpertWeights(FloatTensor router, float[] routerBias, FloatTensor[] gate, FloatTensor[] up, FloatTensor[] down,
                     float[][] gateBias, float[][] upBias, float[][] downBias) {

    /** The router and experts of layer {@code blk} ("blk.N."), without biases. */
    static ExpertWeights read(WeightReader r, String blk, ModelConfig c) {
        int dim = c.embeddingLength(), hidden = c.expertFeedForwardLength(), experts = c.expertCount();
        return new ExpertWeights(
                r.matrix(blk + "ffn_gate_inp.weight", dim, experts), null,
                r.experts(blk + "ffn_gate_exps.weight", dim, hidden, experts),
                r.experts(blk + "ffn_up_exps.weight", dim, hidden, experts),
                r.experts(blk + "ffn_down_exps.weight", hidden, dim, experts),
                null, null, null);
    }

    /** The router and experts of layer {@code blk} with their biases. */
    static ExpertWeights readWithBiases(WeightReader r, String blk, ModelConfig c) {
        int dim = c.embeddingLength(), hidden = c.expertFeedForwardLength(), experts = c.expertCount();
        ExpertWeights w = read(r, blk, c);
        return new ExpertWeights(w.router, r.vector(blk + "ffn_gate_inp.bias", experts), w.gate, w.up, w.down,
                r.expertVectors(blk + "ffn_gate_exps.bias", hidden, experts),
                r.expertVectors(blk + "ffn_up_exps.bias", hidden, experts),
                r.expertVectors(blk + "ffn_down_exps.bias", dim, experts));
    }
}
