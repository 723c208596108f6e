package dev.jollama.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Logits that should be equal up to float rounding: the largest difference within 1e-4 of the largest logit. A
 * product of one row with Q4_0 or Q4_K weights quantizes its input to 8 bits (as ggml does), a product of several
 * keeps floats; where one side of a comparison may have such a product of one row that the other has with more (a
 * decode step alone, a prompt's last row through the output matrix, an expert one row chose), those models' logits are
 * held within 4e-2 (measured up to 1.9e-2 on the synthetic files, where a batching mistake moves logits by a good part
 * of their range).
 */
final class LogitAssertions {
    private LogitAssertions() {
    }

    static void assertClose(float[] expected, float[] actual, String what) {
        assertClose(expected, actual, what, 1e-4);
    }

    /** As {@link #assertClose(float[], float[], String)}, for the model in {@code modelFile} (see the class doc). */
    static void assertClose(float[] expected, float[] actual, String what, String modelFile) {
        assertClose(expected, actual, what, quantizesOneRowInput(modelFile) ? 4e-2 : 1e-4);
    }

    /**
     * Whether the model in {@code modelFile} has matrices whose products of one row quantize their input: Q4_0, Q4_K
     * and Q6_K ones (the test files of Q5_K_M and Q6_K have Q6_K matrices).
     */
    static boolean quantizesOneRowInput(String modelFile) {
        return modelFile.contains("q4_0") || modelFile.contains("q4_k") || modelFile.contains("q5_k") || modelFile.contains("q6_k");
    }

    private static void assertClose(float[] expected, float[] actual, String what, double bound) {
        double largest = 0, worst = 0;
        for (int k = 0; k < expected.length; k++) {
            largest = Math.max(largest, Math.abs(expected[k]));
            worst = Math.max(worst, Math.abs(expected[k] - actual[k]));
        }
        System.out.printf("%-48s max |Δlogit| %.2e of max |logit| %.2f%n", what, worst, largest);
        assertThat(worst).as("largest logit difference, " + what).isLessThanOrEqualTo(bound * largest);
    }
}
