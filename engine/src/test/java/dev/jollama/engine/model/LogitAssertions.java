package dev.jollama.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Logits that should be equal up to float rounding: the largest difference within 1e-4 of the largest logit. Models
 * with Q4_0 or Q4_K matrices quantize those products' inputs to 8 bits (as ggml does), where a rounding difference
 * upstream can flip a value by a whole step: for them within 2e-2 (measured up to 1.0e-2 on the synthetic files,
 * where a batching mistake moves logits by a good part of their range).
 */
final class LogitAssertions {
    private LogitAssertions() {
    }

    static void assertClose(float[] expected, float[] actual, String what) {
        assertClose(expected, actual, what, false);
    }

    /** As {@link #assertClose(float[], float[], String)}, for the model in {@code modelFile}. */
    static void assertClose(float[] expected, float[] actual, String what, String modelFile) {
        assertClose(expected, actual, what, modelFile.contains("q4_0") || modelFile.contains("q4_k"));
    }

    private static void assertClose(float[] expected, float[] actual, String what, boolean quantizedActivations) {
        double largest = 0, worst = 0;
        for (int k = 0; k < expected.length; k++) {
            largest = Math.max(largest, Math.abs(expected[k]));
            worst = Math.max(worst, Math.abs(expected[k] - actual[k]));
        }
        System.out.printf("%-48s max |Δlogit| %.2e of max |logit| %.2f%n", what, worst, largest);
        double bound = quantizedActivations ? 2e-2 : 1e-4;
        assertThat(worst).as("largest logit difference, " + what).isLessThanOrEqualTo(bound * largest);
    }
}
