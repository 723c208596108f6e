package dev.jollama.engine.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SamplingOptionsTest {

    @Test
    void defaultsAreOllamas() {
        SamplingOptions defaults = SamplingOptions.defaults();

        assertThat(defaults.temperature()).isEqualTo(0.8f);
        assertThat(defaults.topK()).isEqualTo(40);
        assertThat(defaults.topP()).isEqualTo(0.9f);
        assertThat(defaults.minP()).isEqualTo(0.0f);
        assertThat(defaults.typicalP()).isEqualTo(1.0f);
        assertThat(defaults.repeatPenalty()).isEqualTo(1.0f); // 1.1 before Ollama v0.32.10
        assertThat(defaults.repeatLastN()).isEqualTo(64);
        assertThat(defaults.presencePenalty()).isEqualTo(0.0f);
        assertThat(defaults.frequencyPenalty()).isEqualTo(0.0f);
        assertThat(defaults.seed()).isEqualTo(SamplingOptions.RANDOM_SEED);
        assertThat(defaults.greedy()).isFalse();
    }

    static Stream<Arguments> normalisation() {
        return Stream.of(
                Arguments.of("negative temperature is greedy", op(o -> o.temperature(-1f)), op(o -> o.temperature(0f))),
                Arguments.of("top_p above 1 is off", op(o -> o.topP(1.5f)), op(o -> o.topP(1f))),
                Arguments.of("negative top_p keeps one token", op(o -> o.topP(-0.2f)), op(o -> o.topP(0f))),
                Arguments.of("min_p above 1", op(o -> o.minP(2f)), op(o -> o.minP(1f))),
                Arguments.of("negative min_p is off", op(o -> o.minP(-1f)), op(o -> o.minP(0f))),
                Arguments.of("zero typical_p is not sent, so off", op(o -> o.typicalP(0f)), op(o -> o.typicalP(1f))),
                Arguments.of("typical_p in range is kept", op(o -> o.typicalP(0.5f)), op(o -> o.typicalP(0.5f))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void normalisation(String name, UnaryOperator<TestOptions> given, UnaryOperator<TestOptions> expected) {
        assertThat(given.apply(TestOptions.unfiltered()).build())
                .isEqualTo(expected.apply(TestOptions.unfiltered()).build());
    }

    @Test
    void repeatLastNBelowMinusOneIsRejected() {
        assertThatThrownBy(() -> TestOptions.unfiltered().repeatLastN(-2).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("repeat_last_n must be >= -1");
    }

    @ParameterizedTest(name = "repeat_last_n {0} with context {1} -> window {2}")
    @MethodSource
    void penaltyWindow(int repeatLastN, int contextSize, int window) {
        assertThat(TestOptions.unfiltered().repeatLastN(repeatLastN).build().penaltyWindow(contextSize)).isEqualTo(window);
    }

    static Stream<Arguments> penaltyWindow() {
        return Stream.of(
                Arguments.of(64, 4096, 64),
                Arguments.of(0, 4096, 0),
                Arguments.of(-1, 4096, 4096));
    }

    private static UnaryOperator<TestOptions> op(UnaryOperator<TestOptions> operator) {
        return operator;
    }
}
