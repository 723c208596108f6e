package dev.jollama.engine.model;

import dev.jollama.engine.tensor.FloatKernels;

/** The activation of a feed-forward block: gated, {@code out = act(gate) · up}, or plain, {@code out = act(up)}. */
enum Activation {
    /** SwiGLU: silu(g) = g / (1 + e^-g). */
    SILU {
        @Override
        void gatedProduct(float[] gate, float[] up, float[] out, int n) {
            FloatKernels.siluTimes(gate, up, out, n);
        }

        @Override
        float apply(float x) {
            return x / (1f + (float) Math.exp(-x));
        }
    },
    /**
     * gpt-oss's SwiGLU: the gate clamped from above at 7 and up to [-7, 7], then g·sigmoid(1.702·g)·(u + 1). The
     * constants are fixed in the reference, not read from the file.
     */
    CLAMPED_SWIGLU {
        private static final float LIMIT = 7f;
        private static final float ALPHA = 1.702f;

        @Override
        void gatedProduct(float[] gate, float[] up, float[] out, int n) {
            for (int i = 0; i < n; i++) {
                float g = Math.min(gate[i], LIMIT);
                float u = Math.clamp(up[i], -LIMIT, LIMIT);
                out[i] = g / (1f + (float) Math.exp(-ALPHA * g)) * (u + 1f);
            }
        }

        @Override
        float apply(float x) {
            throw new UnsupportedOperationException("gpt-oss's SwiGLU needs its up projection: gated blocks only");
        }
    },
    /** CLIP's quick GELU, x·sigmoid(1.702·x). */
    QUICK_GELU {
        @Override
        float apply(float x) {
            return x / (1f + (float) Math.exp(-1.702f * x));
        }
    },
    /** GELU with the tanh approximation, as Gemma (GeGLU) and the reference's BERT use it. */
    GELU {
        @Override
        float apply(float x) {
            return 0.5f * x * (1f + (float) Math.tanh(0.7978845608028654 * (x + 0.044715f * x * x * x)));
        }
    };

    void gatedProduct(float[] gate, float[] up, float[] out, int n) {
        for (int i = 0; i < n; i++) {
            out[i] = apply(gate[i]) * up[i];
        }
    }

    abstract float apply(float x);
}
