package dev.jollama.engine.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SamplerPenaltiesTest {

    static Stream<Arguments> penalties() {
        return Stream.of(
                Arguments.of("repeat divides positive, multiplies negative logits",
                        TestOptions.unfiltered().repeatPenalty(2f), 64, new int[] {0, 1},
                        new float[] {4, -4, 4}, new float[] {2, -8, 4}),
                Arguments.of("repeat leaves a zero logit at zero",
                        TestOptions.unfiltered().repeatPenalty(2f), 64, new int[] {0},
                        new float[] {0, 1}, new float[] {0, 1}),
                Arguments.of("a token repeated in the window is penalised once",
                        TestOptions.unfiltered().repeatPenalty(2f), 64, new int[] {0, 0, 0},
                        new float[] {4}, new float[] {2}),
                Arguments.of("frequency counts occurrences",
                        TestOptions.unfiltered().frequencyPenalty(0.5f), 64, new int[] {1, 1, 1, 2},
                        new float[] {1, 1, 1}, new float[] {1, -0.5f, 0.5f}),
                Arguments.of("presence counts once",
                        TestOptions.unfiltered().presencePenalty(0.25f), 64, new int[] {1, 1, 2},
                        new float[] {1, 1, 1}, new float[] {1, 0.75f, 0.75f}),
                Arguments.of("repeat, then frequency and presence",
                        TestOptions.unfiltered().repeatPenalty(2f).frequencyPenalty(1f).presencePenalty(0.5f), 64,
                        new int[] {0, 0}, new float[] {3}, new float[] {-1}),
                Arguments.of("tokens older than the window are forgotten",
                        TestOptions.unfiltered().repeatPenalty(2f), 2, new int[] {0, 1, 2},
                        new float[] {4, 4, 4}, new float[] {4, 2, 2}),
                Arguments.of("a token leaving the window lowers its count",
                        TestOptions.unfiltered().frequencyPenalty(1f), 3, new int[] {1, 1, 2, 2},
                        new float[] {0, 0, 0}, new float[] {0, -1, -2}),
                Arguments.of("a window of 0 turns the penalties off",
                        TestOptions.unfiltered().repeatPenalty(2f).presencePenalty(1f), 0, new int[] {0},
                        new float[] {4}, new float[] {4}),
                Arguments.of("neutral values change nothing",
                        TestOptions.unfiltered(), 64, new int[] {0},
                        new float[] {4}, new float[] {4}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void penalties(String name, TestOptions options, int window, int[] accepted, float[] logits, float[] expected) {
        RepetitionPenalty penalty = new RepetitionPenalty(options.build(), window, logits.length);
        for (int token : accepted) {
            penalty.accept(token);
        }

        float[] penalised = logits.clone();
        penalty.apply(penalised);

        assertThat(penalised).containsExactly(expected, within(1e-6f));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("penalties")
    void applyingTwiceGivesTheSameResultFromFreshLogits(
            String name, TestOptions options, int window, int[] accepted, float[] logits, float[] expected) {
        RepetitionPenalty penalty = new RepetitionPenalty(options.build(), window, logits.length);
        for (int token : accepted) {
            penalty.accept(token);
        }
        penalty.apply(logits.clone());

        float[] second = logits.clone();
        penalty.apply(second);

        assertThat(second).containsExactly(expected, within(1e-6f));
    }
}
