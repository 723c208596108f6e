package dev.jollama.engine.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link LogProbabilities}; named to fall under the sampling test pattern {@code Sampl*}. */
class SamplingLogProbabilitiesTest {

    static Stream<Arguments> matchesDirectComputation() {
        return Stream.of(
                Arguments.of(1000, 17, 5),
                Arguments.of(1000, 3, 20),
                Arguments.of(32_000, 31_999, 1),
                Arguments.of(50, 0, 0));
    }

    @ParameterizedTest(name = "vocabulary {0}, token {1}, {2} alternatives")
    @MethodSource
    void matchesDirectComputation(int vocabularySize, int token, int alternatives) {
        float[] logits = randomLogits(vocabularySize, vocabularySize);
        LogProbabilities logProbabilities = new LogProbabilities();

        Logprob result = logProbabilities.compute(logits, token, alternatives);

        assertThat(result.chosen().token()).isEqualTo(token);
        assertThat(result.chosen().logprob()).isCloseTo(directLogSoftmax(logits, token), within(1e-9));
        List<Integer> expectedTop = IntStream.range(0, logits.length).boxed()
                .sorted(Comparator.comparingDouble(t -> -logits[t])).limit(alternatives).toList();
        assertThat(result.alternatives()).extracting(TokenLogprob::token).containsExactlyElementsOf(expectedTop);
        for (TokenLogprob alternative : result.alternatives()) {
            assertThat(alternative.logprob()).isCloseTo(directLogSoftmax(logits, alternative.token()), within(1e-9));
        }
    }

    @Test
    void theBufferIsReusedAcrossCalls() {
        LogProbabilities logProbabilities = new LogProbabilities();
        float[] first = randomLogits(500, 1);
        float[] second = randomLogits(500, 2);
        logProbabilities.compute(first, 0, 20);

        Logprob result = logProbabilities.compute(second, 0, 3);

        List<Integer> expectedTop = IntStream.range(0, second.length).boxed()
                .sorted(Comparator.comparingDouble(t -> -second[t])).limit(3).toList();
        assertThat(result.alternatives()).extracting(TokenLogprob::token).containsExactlyElementsOf(expectedTop);
    }

    @Test
    void probabilitiesOfTheWholeVocabularySumToOne() {
        float[] logits = randomLogits(20, 5);

        Logprob result = new LogProbabilities().compute(logits, 0, 20);

        assertThat(result.alternatives()).hasSize(20);
        assertThat(result.alternatives().stream().mapToDouble(a -> Math.exp(a.logprob())).sum()).isCloseTo(1.0, within(1e-9));
    }

    @Test
    void tiesListTheLowerTokenFirst() {
        float[] logits = {1, 3, 3, 0, 3};

        Logprob result = new LogProbabilities().compute(logits, 3, 4);

        assertThat(result.alternatives()).extracting(TokenLogprob::token).containsExactly(1, 2, 4, 0);
    }

    @Test
    void largeLogitsDoNotOverflow() {
        float[] logits = {1000f, 999f, -1000f};

        Logprob result = new LogProbabilities().compute(logits, 1, 2);

        assertThat(result.chosen().logprob()).isCloseTo(-1 - Math.log1p(Math.exp(-1)), within(1e-9));
        assertThat(result.alternatives().getFirst().logprob()).isCloseTo(-Math.log1p(Math.exp(-1)), within(1e-9));
    }

    @Test
    void moreAlternativesThanTokensListsEveryToken() {
        Logprob result = new LogProbabilities().compute(new float[] {0, 1, 2}, 0, 5);

        assertThat(result.alternatives()).extracting(TokenLogprob::token).containsExactly(2, 1, 0);
    }

    @Test
    void moreThanTwentyAlternativesAreRejected() {
        assertThatThrownBy(() -> new LogProbabilities().compute(new float[100], 0, 21))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aTokenOutsideTheVocabularyIsRejected() {
        assertThatThrownBy(() -> new LogProbabilities().compute(new float[10], 10, 1))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    /** log(exp(l_t) / sum(exp(l))), computed without the max shift (fine for logits of moderate size). */
    private static double directLogSoftmax(float[] logits, int token) {
        double sum = 0;
        for (float logit : logits) {
            sum += Math.exp(logit);
        }
        return Math.log(Math.exp(logits[token]) / sum);
    }

    private static float[] randomLogits(int size, long seed) {
        Random random = new Random(seed);
        float[] logits = new float[size];
        for (int i = 0; i < size; i++) {
            logits[i] = (float) (random.nextGaussian() * 4);
        }
        return logits;
    }
}
