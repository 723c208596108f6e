package dev.jollama.engine.model;

/**
 * Phi-3, Phi-3.5 and Phi-4-mini: Llama's blocks with fused weights (one matrix for query, key and value, one for
 * gate and up, each read as row views of the file's tensor; query, key and value also as three tensors, which some
 * converters write and the reference accepts) and NEOX RoPE on the first rope.dimension_count values
 * of each head, with LongRoPE: per-pair frequency divisors and a magnitude factor (attn_factor), the long factors
 * when a sequence's context is above the original training context and the short ones otherwise.
 */
final class Phi3 extends Llama {
    Phi3(WeightReader r, ModelConfig c) {
        super(r, c, longRope(r, c), Phi3::attention, Phi3::feedForward);
    }

    /** LongRoPE with the factors for the engine's context per sequence (4k-context models have none). */
    private static Rope longRope(WeightReader r, ModelConfig c) {
        String p = c.architecture() + ".";
        int original = r.file().getInt(p + "rope.scaling.original_context_length", c.contextLength(), 1);
        String factors = c.sequenceLength() > original ? "rope_factors_long.weight" : "rope_factors_short.weight";
        return new Rope(c, Rope.Style.HALVES, c.ropeBase(), r.has(factors) ? r.vector(factors, c.ropeDimensions() / 2) : null,
                c.ropeScale(), r.file().getFloat(p + "rope.scaling.attn_factor", 1f));
    }

    private static AttentionWeights attention(WeightReader r, String blk, ModelConfig c) {
        if (!r.has(blk + "attn_qkv.weight") && r.has(blk + "attn_q.weight")) {
            return AttentionWeights.read(r, blk, c);
        }
        int dim = c.embeddingLength();
        var qkv = r.splitRows(blk + "attn_qkv.weight", dim, c.queryDim(), c.kvDim(), c.kvDim());
        return new AttentionWeights(qkv[0], qkv[1], qkv[2], r.matrix(blk + "attn_output.weight", c.queryDim(), dim),
                null, null, null, null, null, null, null);
    }

    private static FeedForwardWeights feedForward(WeightReader r, String blk, ModelConfig c) {
        int dim = c.embeddingLength(), hidden = c.feedForwardLength();
        var gateUp = r.splitRows(blk + "ffn_up.weight", dim, hidden, hidden);
        return new FeedForwardWeights(gateUp[0], gateUp[1], r.matrix(blk + "ffn_down.weight", hidden, dim), null, null);
    }
}
