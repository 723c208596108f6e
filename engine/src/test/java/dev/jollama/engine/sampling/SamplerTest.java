package dev.jollama.engine.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SamplerTest {
    private static final float NEG_INF = Float.NEGATIVE_INFINITY;
    private static final float[] FLAT_ISH = {1.0f, 0.5f, 0.0f, -1.0f, 2.0f, 0.2f, 0.7f, -0.3f};

    static Stream<Arguments> greedy() {
        return Stream.of(
                Arguments.of(new float[] {1, 3, 2}, 1),
                Arguments.of(new float[] {-5, -1, -3}, 1),
                Arguments.of(new float[] {2, 2, 1}, 0),
                Arguments.of(new float[] {0, NEG_INF, 5}, 2),
                Arguments.of(new float[] {NEG_INF, -100}, 1),
                Arguments.of(new float[] {7}, 0));
    }

    @ParameterizedTest
    @MethodSource
    void greedy(float[] logits, int expected) {
        SamplingOptions defaultsAtTemperatureZero = TestOptions.unfiltered().temperature(0f).topK(40).topP(0.9f)
                .seed(SamplingOptions.RANDOM_SEED).build();
        Sampler sampler = new Sampler(defaultsAtTemperatureZero, logits.length, 4096);

        assertThat(sampler.sample(logits)).isEqualTo(expected);
        assertThat(sampler.sample(logits)).isEqualTo(expected);
    }

    @Test
    void greedyAppliesThePenaltiesLikeLlamaCpp() {
        float[] logits = {2.0f, 1.9f, 0.0f};
        SamplingOptions options = TestOptions.unfiltered().temperature(0f).repeatPenalty(1.1f).build();
        Sampler penalised = new Sampler(options, logits.length, 4096);
        Sampler unpenalised = new Sampler(TestOptions.unfiltered().temperature(0f).build(), logits.length, 4096);

        penalised.accept(0); // a prompt token
        unpenalised.accept(0);

        assertThat(penalised.sample(logits)).isEqualTo(1); // 2.0 / 1.1 < 1.9
        assertThat(unpenalised.sample(logits)).isEqualTo(0);
    }

    @Test
    void repeatLastNMinusOneCoversTheWholeContext() {
        float[] logits = {2.0f, 1.9f, 0.0f};
        SamplingOptions options = TestOptions.unfiltered().temperature(0f).repeatPenalty(1.1f).repeatLastN(-1).build();
        Sampler wholeContext = new Sampler(options, logits.length, 100);
        Sampler tinyContext = new Sampler(options, logits.length, 2);

        for (int token : new int[] {0, 2, 2}) {
            wholeContext.accept(token);
            tinyContext.accept(token);
        }

        assertThat(wholeContext.sample(logits)).isEqualTo(1);
        assertThat(tinyContext.sample(logits)).isEqualTo(0); // token 0 has left a window of 2
    }

    @Test
    void theCallersLogitsAreNotModified() {
        float[] logits = FLAT_ISH.clone();
        SamplingOptions options = TestOptions.unfiltered().topK(3).topP(0.8f).minP(0.05f).typicalP(0.95f)
                .repeatPenalty(1.5f).frequencyPenalty(0.3f).presencePenalty(0.2f).temperature(0.7f).build();
        Sampler sampler = new Sampler(options, logits.length, 4096);
        sampler.accept(4);
        sampler.accept(0);

        for (int i = 0; i < 10; i++) {
            sampler.sample(logits, token -> token % 2 == 1);
        }

        assertThat(logits).containsExactly(FLAT_ISH);
    }

    @Test
    void aFixedSeedRepeatsTheSameSequence() {
        assertThat(draws(7, 200)).isEqualTo(draws(7, 200));
    }

    @Test
    void differentSeedsGiveDifferentSequences() {
        assertThat(draws(7, 200)).isNotEqualTo(draws(8, 200));
    }

    @Test
    void theRandomSeedGivesDifferentSequences() {
        assertThat(draws(SamplingOptions.RANDOM_SEED, 200)).isNotEqualTo(draws(SamplingOptions.RANDOM_SEED, 200));
    }

    static Stream<Arguments> drawFrequenciesMatchSoftmax() {
        return Stream.of(
                Arguments.of(1.0f, 11L),
                Arguments.of(0.7f, 12L),
                Arguments.of(1.5f, 13L));
    }

    @ParameterizedTest(name = "temperature {0}")
    @MethodSource
    void drawFrequenciesMatchSoftmax(float temperature, long seed) {
        SamplingOptions options = TestOptions.unfiltered().temperature(temperature).seed(seed).build();
        Sampler sampler = new Sampler(options, FLAT_ISH.length, 4096);
        int draws = 20_000;
        int[] counts = new int[FLAT_ISH.length];

        for (int i = 0; i < draws; i++) {
            counts[sampler.sample(FLAT_ISH)]++;
        }

        double[] expected = softmax(FLAT_ISH, temperature);
        for (int token = 0; token < counts.length; token++) {
            assertThat(counts[token] / (double) draws).as("token %d", token).isCloseTo(expected[token], within(0.015));
        }
    }

    @Test
    void drawFrequenciesMatchTheFilteredDistribution() {
        SamplingOptions options = TestOptions.unfiltered().topK(4).minP(0.2f).temperature(0.8f).seed(14).build();
        Sampler sampler = new Sampler(options, FLAT_ISH.length, 4096);
        Map<Integer, Double> expected = new Sampler(options, FLAT_ISH.length, 4096).distribution(FLAT_ISH);
        int draws = 20_000;
        int[] counts = new int[FLAT_ISH.length];

        for (int i = 0; i < draws; i++) {
            counts[sampler.sample(FLAT_ISH)]++;
        }

        assertThat(expected).hasSize(4);
        for (int token = 0; token < counts.length; token++) {
            double probability = expected.getOrDefault(token, 0.0);
            assertThat(counts[token] / (double) draws).as("token %d", token).isCloseTo(probability, within(0.015));
        }
    }

    @Test
    void anAllowedTokenIsKeptAfterCheckingOnlyIt() {
        AtomicInteger checks = new AtomicInteger();
        Sampler sampler = new Sampler(TestOptions.unfiltered().temperature(0f).build(), FLAT_ISH.length, 4096);

        int token = sampler.sample(FLAT_ISH, candidate -> {
            checks.incrementAndGet();
            return true;
        });

        assertThat(token).isEqualTo(4);
        assertThat(checks).hasValue(1);
    }

    @Test
    void aRejectedGreedyTokenFallsBackToTheBestAllowedOne() {
        Sampler sampler = new Sampler(TestOptions.unfiltered().temperature(0f).build(), FLAT_ISH.length, 4096);

        assertThat(sampler.sample(FLAT_ISH, token -> token != 4)).isEqualTo(0);
        assertThat(sampler.sample(FLAT_ISH, token -> token >= 5)).isEqualTo(6);
    }

    @Test
    void sampledTokensAlwaysPassTheFilter() {
        SamplingOptions options = TestOptions.unfiltered().topK(5).topP(0.95f).temperature(1.2f).build();
        Sampler sampler = new Sampler(options, FLAT_ISH.length, 4096);
        TokenFilter odd = token -> token % 2 == 1;
        boolean[] seen = new boolean[FLAT_ISH.length];

        for (int i = 0; i < 500; i++) {
            int token = sampler.sample(FLAT_ISH, odd);
            assertThat(odd.allows(token)).as("token %d", token).isTrue();
            seen[token] = true;
        }

        assertThat(seen[1] && seen[5]).as("the draw still varies among allowed tokens").isTrue();
    }

    @Test
    void aFilterAllowingNothingFails() {
        Sampler sampler = new Sampler(SamplingOptions.defaults(), FLAT_ISH.length, 4096);

        assertThatThrownBy(() -> sampler.sample(FLAT_ISH, token -> false)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void logitsOfTheWrongLengthAreRejected() {
        Sampler sampler = new Sampler(SamplingOptions.defaults(), 10, 4096);

        assertThatThrownBy(() -> sampler.sample(new float[9])).isInstanceOf(IllegalArgumentException.class);
    }

    private static List<Integer> draws(long seed, int count) {
        Sampler sampler = new Sampler(TestOptions.unfiltered().seed(seed).build(), FLAT_ISH.length, 4096);
        List<Integer> tokens = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            tokens.add(sampler.sample(FLAT_ISH));
        }
        return tokens;
    }

    private static double[] softmax(float[] logits, float temperature) {
        double[] probabilities = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            probabilities[i] = Math.exp(logits[i] / temperature);
            sum += probabilities[i];
        }
        for (int i = 0; i < logits.length; i++) {
            probabilities[i] /= sum;
        }
        return probabilities;
    }
}
