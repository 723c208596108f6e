package dev.jollama.engine.model;

import dev.jollama.engine.tensor.FloatKernels;

/** The activation of a gated feed-forward block: {@code out = act(gate) · up}. */
enum Activation {
    /** SwiGLU: silu(g) = g / (1 + e^-g). */
    SILU {
        @Override
        void gatedProduct(float[] gate, float[] up, float[] out, int n) {
            FloatKernels.siluTimes(gate, up, out, n);
        }
    },
    /** GeGLU with the tanh approximation of GELU, as Gemma uses it. */
    GELU {
        @Override
        void gatedProduct(float[] gate, float[] up, float[] out, int n) {
            for (int i = 0; i < n; i++) {
                float g = gate[i];
                out[i] = 0.5f * g * (1f + (float) Math.tanh(0.7978845608028654 * (g + 0.044715f * g * g * g))) * up[i];
            }
        }
    };

    abstract void gatedProduct(float[] gate, float[] up, float[] out, int n);
}
