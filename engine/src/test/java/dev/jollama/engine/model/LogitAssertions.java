package dev.jollama.engine.model;

import static org.assertj.core.api.Assertions.assertThat;

/** Logits that should be equal up to float rounding: the largest difference within 1e-4 of the largest logit. */
final class LogitAssertions {
    private LogitAssertions() {
    }

    static void assertClose(float[] expected, float[] actual, String what) {
        double largest = 0, worst = 0;
        for (int k = 0; k < expected.length; k++) {
            largest = Math.max(largest, Math.abs(expected[k]));
            worst = Math.max(worst, Math.abs(expected[k] - actual[k]));
        }
        System.out.printf("%-48s max |Δlogit| %.2e of max |logit| %.2f%n", what, worst, largest);
        assertThat(worst).as("largest logit difference, " + what).isLessThanOrEqualTo(1e-4 * largest);
    }
}
