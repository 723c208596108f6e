package dev.jollama.engine.model;

/** SmolLM3: Llama's blocks, except that every fourth layer (3, 7, 11, ...) applies no RoPE (NoPE). */
final class SmolLm3 extends Llama {
    /** Fixed in the reference, not read from the file. */
    private static final int NO_ROPE_PERIOD = 4;

    SmolLm3(WeightReader r, ModelConfig c) {
        super(r, c);
    }

    @Override
    Rope layerRope(int layer) {
        return (layer + 1) % NO_ROPE_PERIOD == 0 ? null : super.layerRope(layer);
    }
}
