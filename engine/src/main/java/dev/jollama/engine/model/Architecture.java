package dev.jollama.engine.model;

import dev.jollama.engine.gguf.GgufFile;
import dev.jollama.engine.gguf.GgufFormatException;

/** The transformer families the engine runs, by their GGUF {@code general.architecture} name. */
public enum Architecture {
    /** Llama 2/3, TinyLlama, Mistral, SmolLM: RoPE on adjacent pairs, SwiGLU. */
    LLAMA("llama", RopeStyle.ADJACENT_PAIRS),
    /** Qwen2/2.5: NEOX RoPE, q/k/v biases. */
    QWEN2("qwen2", RopeStyle.HALVES),
    /** Qwen3: NEOX RoPE, per-head RMSNorm on q and k. */
    QWEN3("qwen3", RopeStyle.HALVES),
    /** Gemma 3 (text): scaled embeddings, GeGLU, q/k norms, post-norms, sliding-window layers. */
    GEMMA3("gemma3", RopeStyle.HALVES);

    public final String ggufName;
    public final RopeStyle ropeStyle;

    Architecture(String ggufName, RopeStyle ropeStyle) {
        this.ggufName = ggufName;
        this.ropeStyle = ropeStyle;
    }

    /** How RoPE pairs up the dimensions of a head. */
    public enum RopeStyle {
        /** Rotate (2i, 2i+1): llama.cpp's "normal" RoPE. */
        ADJACENT_PAIRS,
        /** Rotate (i, i + n/2): llama.cpp's NEOX RoPE. */
        HALVES
    }

    static Architecture of(GgufFile file) {
        String name = file.requireString("general.architecture");
        for (Architecture a : values()) {
            if (a.ggufName.equals(name)) {
                return a;
            }
        }
        throw new GgufFormatException(file.path(), "architecture '" + name + "' is not supported (supported: llama, qwen2, qwen3, gemma3)");
    }
}
