package dev.jollama.engine.sampling;

import static dev.jollama.engine.sampling.TestOptions.logitsOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each filter alone, and in combination, on hand-made distributions and on a large random vocabulary. */
class SamplerFiltersTest {
    /** Softmax of these logits is [0.5, 0.3, 0.15, 0.05]. */
    private static final float[] SKEWED = logitsOf(0.5, 0.3, 0.15, 0.05);
    private static final float[] GENTLER = logitsOf(0.4, 0.3, 0.2, 0.1);

    static Stream<Arguments> candidateDistributions() {
        return Stream.of(
                Arguments.of("no filter", TestOptions.unfiltered(), SKEWED,
                        Map.of(0, 0.5, 1, 0.3, 2, 0.15, 3, 0.05)),
                Arguments.of("top_k 2", TestOptions.unfiltered().topK(2), SKEWED,
                        Map.of(0, 0.625, 1, 0.375)),
                Arguments.of("top_k 1", TestOptions.unfiltered().topK(1), SKEWED,
                        Map.of(0, 1.0)),
                Arguments.of("top_k above the vocabulary keeps all", TestOptions.unfiltered().topK(10), SKEWED,
                        Map.of(0, 0.5, 1, 0.3, 2, 0.15, 3, 0.05)),
                Arguments.of("top_p 0.75", TestOptions.unfiltered().topP(0.75f), SKEWED,
                        Map.of(0, 0.625, 1, 0.375)),
                Arguments.of("top_p 0.85", TestOptions.unfiltered().topP(0.85f), SKEWED,
                        Map.of(0, 0.5 / 0.95, 1, 0.3 / 0.95, 2, 0.15 / 0.95)),
                Arguments.of("top_p 0 keeps the best token", TestOptions.unfiltered().topP(0f), SKEWED,
                        Map.of(0, 1.0)),
                Arguments.of("min_p 0.2", TestOptions.unfiltered().minP(0.2f), SKEWED,
                        Map.of(0, 0.5 / 0.95, 1, 0.3 / 0.95, 2, 0.15 / 0.95)),
                Arguments.of("min_p 0.7", TestOptions.unfiltered().minP(0.7f), SKEWED,
                        Map.of(0, 1.0)),
                // Entropy 1.142; |surprise - entropy| ranks the tokens 1 (0.06), 0 (0.45), 2 (0.76), 3 (1.85).
                Arguments.of("typical_p 0.2 drops the most likely token", TestOptions.unfiltered().typicalP(0.2f), SKEWED,
                        Map.of(1, 1.0)),
                Arguments.of("typical_p 0.5", TestOptions.unfiltered().typicalP(0.5f), SKEWED,
                        Map.of(0, 0.625, 1, 0.375)),
                Arguments.of("typical_p 0.9", TestOptions.unfiltered().typicalP(0.9f), SKEWED,
                        Map.of(0, 0.5 / 0.95, 1, 0.3 / 0.95, 2, 0.15 / 0.95)),
                Arguments.of("temperature 0.5 squares the probabilities", TestOptions.unfiltered().temperature(0.5f), SKEWED,
                        Map.of(0, 0.25 / 0.365, 1, 0.09 / 0.365, 2, 0.0225 / 0.365, 3, 0.0025 / 0.365)),
                Arguments.of("temperature 2 takes square roots", TestOptions.unfiltered().temperature(2f), SKEWED,
                        softmaxAtTemperature(2, 0.5, 0.3, 0.15, 0.05)),
                Arguments.of("temperature 0 is greedy", TestOptions.unfiltered().temperature(0f), SKEWED,
                        Map.of(0, 1.0)),
                Arguments.of("greedy takes the best token typical_p keeps",
                        TestOptions.unfiltered().temperature(0f).typicalP(0.2f), SKEWED, Map.of(1, 1.0)),
                Arguments.of("top_p alone", TestOptions.unfiltered().topP(0.5f), GENTLER,
                        Map.of(0, 0.4 / 0.7, 1, 0.3 / 0.7)),
                Arguments.of("top_p sees the distribution renormalised by top_k",
                        TestOptions.unfiltered().topK(2).topP(0.5f), GENTLER, Map.of(0, 1.0)),
                Arguments.of("min_p after top_p", TestOptions.unfiltered().topP(0.85f).minP(0.5f), SKEWED,
                        Map.of(0, 0.625, 1, 0.375)),
                Arguments.of("temperature applies after the filters",
                        TestOptions.unfiltered().topK(2).temperature(0.5f), SKEWED,
                        Map.of(0, 0.25 / 0.34, 1, 0.09 / 0.34)),
                Arguments.of("the defaults", TestOptions.unfiltered().temperature(0.8f).topK(40).topP(0.9f), SKEWED,
                        softmaxAtTemperature(0.8, 0.5, 0.3, 0.15)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void candidateDistributions(String name, TestOptions options, float[] logits, Map<Integer, Double> expected) {
        Map<Integer, Double> actual = new Sampler(options.build(), logits.length, 4096).distribution(logits);

        assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        expected.forEach((token, probability) -> assertThat(actual.get(token)).as("token %d", token)
                .isCloseTo(probability, within(1e-5)));
    }

    static Stream<Arguments> largeVocabulary() {
        return Stream.of(
                Arguments.of("top_k 40", TestOptions.unfiltered().topK(40)),
                Arguments.of("top_k 3000", TestOptions.unfiltered().topK(3000)),
                Arguments.of("top_p 0.9", TestOptions.unfiltered().topP(0.9f)),
                Arguments.of("top_p 0.999 sorts far", TestOptions.unfiltered().topP(0.999f)),
                Arguments.of("min_p 0.05", TestOptions.unfiltered().minP(0.05f)),
                Arguments.of("typical_p 0.5", TestOptions.unfiltered().typicalP(0.5f)),
                Arguments.of("top_k 1000, typical_p 0.9", TestOptions.unfiltered().topK(1000).typicalP(0.9f)),
                Arguments.of("typical_p 0.95 then top_p 0.8", TestOptions.unfiltered().typicalP(0.95f).topP(0.8f)),
                Arguments.of("top_k 500, top_p 0.7, min_p 0.1",
                        TestOptions.unfiltered().topK(500).topP(0.7f).minP(0.1f)));
    }

    /** The partial sorts and in-place selections agree with a plain full-sort implementation. */
    @ParameterizedTest(name = "{0}")
    @MethodSource
    void largeVocabulary(String name, TestOptions options) {
        float[] logits = new float[50_000];
        Random random = new Random(1234);
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) (random.nextGaussian() * 3);
        }
        SamplingOptions built = options.build();

        Map<Integer, Double> actual = new Sampler(built, logits.length, 4096).distribution(logits);

        assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(fullSortReference(built, logits));
    }

    /** The filters written the obvious way: sort everything, compute probabilities, cut. */
    private static Set<Integer> fullSortReference(SamplingOptions options, float[] logits) {
        List<Integer> kept = new ArrayList<>(IntStream.range(0, logits.length).boxed().toList());
        Comparator<Integer> byLogitDescending = Comparator.comparingDouble(token -> -logits[token]);
        if (options.topK() > 0 && options.topK() < kept.size()) {
            kept.sort(byLogitDescending);
            kept = new ArrayList<>(kept.subList(0, options.topK()));
        }
        if (options.typicalP() < 1f) {
            double[] probabilities = probabilities(kept, logits);
            double entropy = 0;
            for (double p : probabilities) {
                entropy -= p * Math.log(p);
            }
            double[] probabilityOf = new double[logits.length];
            double[] distanceOf = new double[logits.length];
            for (int i = 0; i < kept.size(); i++) {
                probabilityOf[kept.get(i)] = probabilities[i];
                distanceOf[kept.get(i)] = Math.abs(-Math.log(probabilities[i]) - entropy);
            }
            kept.sort(Comparator.comparingDouble(token -> distanceOf[token]));
            double cumulative = 0;
            for (int i = 0; i < kept.size(); i++) {
                cumulative += probabilityOf[kept.get(i)];
                if (cumulative > options.typicalP()) {
                    kept = new ArrayList<>(kept.subList(0, i + 1));
                    break;
                }
            }
        }
        if (options.topP() < 1f) {
            kept.sort(byLogitDescending);
            double[] probabilities = probabilities(kept, logits);
            double cumulative = 0;
            for (int i = 0; i < kept.size(); i++) {
                cumulative += probabilities[i];
                if (cumulative >= options.topP()) {
                    kept = new ArrayList<>(kept.subList(0, i + 1));
                    break;
                }
            }
        }
        if (options.minP() > 0f) {
            double max = kept.stream().mapToDouble(token -> logits[token]).max().orElseThrow();
            double threshold = max + Math.log(options.minP());
            kept.removeIf(token -> logits[token] < threshold);
        }
        return new HashSet<>(kept);
    }

    private static double[] probabilities(List<Integer> tokens, float[] logits) {
        double max = tokens.stream().mapToDouble(token -> logits[token]).max().orElseThrow();
        double[] probabilities = new double[tokens.size()];
        double sum = 0;
        for (int i = 0; i < probabilities.length; i++) {
            probabilities[i] = Math.exp(logits[tokens.get(i)] - max);
            sum += probabilities[i];
        }
        for (int i = 0; i < probabilities.length; i++) {
            probabilities[i] /= sum;
        }
        return probabilities;
    }

    /** Softmax of log(p) / t over the given probabilities, which need not sum to 1. */
    private static Map<Integer, Double> softmaxAtTemperature(double temperature, double... probabilities) {
        double[] weights = new double[probabilities.length];
        double sum = 0;
        for (int i = 0; i < weights.length; i++) {
            weights[i] = Math.pow(probabilities[i], 1 / temperature);
            sum += weights[i];
        }
        Map<Integer, Double> distribution = new HashMap<>();
        for (int i = 0; i < weights.length; i++) {
            distribution.put(i, weights[i] / sum);
        }
        return distribution;
    }
}
