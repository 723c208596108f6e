package dev.jollama.engine.model;

import dev.jollama.engine.tensor.FloatTensor;

/**
 * The weights of one transformer block. Matrices stay in their file type, memory-mapped; norms and biases are small
 * and read into float arrays. Optional parts are null when the architecture has none.
 */
public record LayerWeights(
        float[] attentionNorm,
        FloatTensor query, FloatTensor key, FloatTensor value, FloatTensor attentionOutput,
        float[] queryBias, float[] keyBias, float[] valueBias,
        float[] queryNorm, float[] keyNorm,
        float[] postAttentionNorm,
        float[] ffnNorm,
        FloatTensor ffnGate, FloatTensor ffnUp, FloatTensor ffnDown,
        float[] postFfnNorm) {
}
