package dev.jollama.engine.model;

/** Qwen3 (dense): Llama's blocks with NEOX RoPE and a per-head RMSNorm of queries and keys. */
final class Qwen3 extends Llama {
    Qwen3(WeightReader r, ModelConfig c) {
        super(r, c, new Rope(c, Rope.Style.HALVES),
                (reader, blk, config) -> AttentionWeights.read(reader, blk, config).withHeadNorms(reader, blk, config));
    }
}
