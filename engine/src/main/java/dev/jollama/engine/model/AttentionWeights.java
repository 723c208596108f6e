package dev.jollama.engine.model;

import dev.jollama.engine.tensor.FloatTensor;

/**
 * The weights of a self-attention block. Biases (Qwen2; BERT also on the output) and RMSNorms of queries and keys
 * are null in families without them; a norm covers one head (Qwen3, Gemma 3) or the whole projection (OLMo 2), as
 * long as its weight. Sinks (gpt-oss) are one logit per query head that joins its softmax without a value.
 */
record AttentionWeights(FloatTensor query, FloatTensor key, FloatTensor value, FloatTensor output,
                        float[] queryBias, float[] keyBias, float[] valueBias, float[] outputBias,
                        float[] queryNorm, float[] keyNorm, float[] sinks) {

    /** Reads a layer's attention weights: the plain projections, or with a family's extras. */
    interface Reader {
        AttentionWeights read(WeightReader r, String blk, ModelConfig c);
    }

    /** The four projections of layer {@code blk} ("blk.N."). */
    static AttentionWeights read(WeightReader r, String blk, ModelConfig c) {
        int dim = c.embeddingLength();
        return new AttentionWeights(
                r.matrix(blk + "attn_q.weight", dim, c.queryDim()),
                r.matrix(blk + "attn_k.weight", dim, c.kvDim()),
                r.matrix(blk + "attn_v.weight", dim, c.kvDim()),
                r.matrix(blk + "attn_output.weight", c.queryDim(), dim),
                null, null, null, null, null, null, null);
    }

    AttentionWeights withBiases(WeightReader r, String blk, ModelConfig c) {
        return new AttentionWeights(query, key, value, output,
                r.vector(blk + "attn_q.bias", c.queryDim()), r.vector(blk + "attn_k.bias", c.kvDim()),
                r.vector(blk + "attn_v.bias", c.kvDim()), outputBias, queryNorm, keyNorm, sinks);
    }

    AttentionWeights withProjectionNorms(WeightReader r, String blk, ModelConfig c) {
        return new AttentionWeights(query, key, value, output, queryBias, keyBias, valueBias, outputBias,
                r.vector(blk + "attn_q_norm.weight", c.queryDim()), r.vector(blk + "attn_k_norm.weight", c.kvDim()), sinks);
    }

    AttentionWeights withHeadNorms(WeightReader r, String blk, ModelConfig c) {
        return new AttentionWeights(query, key, value, output, queryBias, keyBias, valueBias, outputBias,
                r.vector(blk + "attn_q_norm.weight", c.headDim()), r.vector(blk + "attn_k_norm.weight", c.headDim()), sinks);
    }

    AttentionWeights withSinks(WeightReader r, String blk, ModelConfig c) {
        return new AttentionWeights(query, key, value, output, queryBias, keyBias, valueBias, outputBias,
                queryNorm, keyNorm, r.vector(blk + "attn_sinks.weight", c.headCount()));
    }

    AttentionWeights withOutputBias(WeightReader r, String blk, ModelConfig c) {
        return new AttentionWeights(query, key, value, output, queryBias, keyBias, valueBias,
                r.vector(blk + "attn_output.bias", c.embeddingLength()), queryNorm, keyNorm, sinks);
    }
}
