package dev.jollama.engine.model;

import dev.jollama.engine.tensor.FloatKernels;

/** How a mixture-of-experts block turns a row's router scores into its chosen experts and their weights. */
enum Routing {
    /**
     * Qwen3-MoE: softmax over all experts, the K most probable, their probabilities divided by their sum (floored
     * at 6.1035e-5, as the reference does, so a sum that underflows cannot blow the weights up).
     */
    SOFTMAX_THEN_TOP_K {
        @Override
        void choose(float[] scores, int from, int experts, int used, int[] chosen, float[] weights, int at) {
            FloatKernels.softmax(scores, from, from + experts);
            float sum = pickLargest(scores, from, experts, used, chosen, weights, at);
            float scale = 1f / Math.max(sum, MIN_WEIGHT_SUM);
            for (int k = at; k < at + used; k++) {
                weights[k] *= scale;
            }
        }
    },
    /** gpt-oss: the K highest scores, weighted by the softmax of those K scores alone. */
    TOP_K_THEN_SOFTMAX {
        @Override
        void choose(float[] scores, int from, int experts, int used, int[] chosen, float[] weights, int at) {
            pickLargest(scores, from, experts, used, chosen, weights, at);
            FloatKernels.softmax(weights, at, at + used);
        }
    };

    private static final float MIN_WEIGHT_SUM = 6.1035e-5f;

    /**
     * From the scores of {@code experts} experts at {@code from} (overwritten), writes the {@code used} chosen experts
     * and their weights at {@code at} of {@code chosen} and {@code weights}.
     */
    abstract void choose(float[] scores, int from, int experts, int used, int[] chosen, float[] weights, int at);

    /** The {@code used} largest scores, largest first (ties: the lower expert), and their sum; marks them taken. */
    private static float pickLargest(float[] scores, int from, int experts, int used, int[] chosen, float[] weights, int at) {
        float sum = 0;
        for (int k = 0; k < used; k++) {
            int best = 0;
            for (int e = 1; e < experts; e++) {
                if (scores[from + e] > scores[from + best]) {
                    best = e;
                }
            }
            chosen[at + k] = best;
            weights[at + k] = scores[from + best];
            sum += scores[from + best];
            scores[from + best] = Float.NEGATIVE_INFINITY;
        }
        return sum;
    }
}
