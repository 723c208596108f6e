package dev.jollama.engine.model;

/** Qwen2 and 2.5: Llama's blocks with NEOX RoPE and biases on the query, key and value projections. */
final class Qwen2 extends Llama {
    Qwen2(WeightReader r, ModelConfig c) {
        super(r, c, new Rope(c, Rope.Style.HALVES),
                (reader, blk, config) -> AttentionWeights.read(reader, blk, config).withBiases(reader, blk, config));
    }
}
