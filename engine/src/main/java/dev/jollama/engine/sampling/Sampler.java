package dev.jollama.engine.sampling;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Picks the next token from a model's logits, in llama.cpp's order (what Ollama runs since it moved
 * GGUF models to llama-server): penalties, top-k, typical-p, top-p, min-p, temperature, seeded draw.
 *
 * <p>A temperature of 0 picks the most likely token <em>after the penalties</em>, as llama.cpp does
 * (its temperature step keeps only the best surviving candidate). Top-k, top-p and min-p always keep
 * the best token, so then only typical-p, which may drop it, needs the filters to run.
 *
 * <p>One sampler serves one generation. It is not thread-safe, and it allocates its vocabulary-sized
 * buffers once, so sampling a token allocates nothing.
 */
public final class Sampler {
    private final SamplingOptions options;
    private final RepetitionPenalty penalty;
    /** The caller's logits after penalties and masking; the caller's array is never written. */
    private final float[] logits;
    private final Candidates candidates;
    private final SplittableRandom random;

    /**
     * @param contextSize resolves {@code repeat_last_n = -1} (a penalty window of the whole context)
     */
    public Sampler(SamplingOptions options, int vocabularySize, int contextSize) {
        this.options = options;
        this.penalty = new RepetitionPenalty(options, options.penaltyWindow(contextSize), vocabularySize);
        this.logits = new float[vocabularySize];
        this.candidates = new Candidates(vocabularySize);
        this.random = options.seed() == SamplingOptions.RANDOM_SEED
                ? new SplittableRandom()
                : new SplittableRandom(options.seed());
    }

    /** Records a token for the penalties: every prompt token, then every generated one. */
    public void accept(int token) {
        penalty.accept(token);
    }

    public int sample(float[] rawLogits) {
        return sampleOnce(rawLogits, null);
    }

    /**
     * Samples without the filter first and keeps the token if the filter allows it; only otherwise
     * masks every disallowed token and samples again. Checking one token is far cheaper than masking
     * the whole vocabulary, and the chosen token is usually allowed.
     *
     * @throws IllegalStateException when the filter allows no token at all
     */
    public int sample(float[] rawLogits, TokenFilter allowed) {
        int token = sampleOnce(rawLogits, null);
        if (allowed.allows(token)) {
            return token;
        }
        return sampleOnce(rawLogits, allowed.forEveryToken());
    }

    /** The distribution the next draw would use, as token to probability; for tests of the filters. */
    Map<Integer, Double> distribution(float[] rawLogits) {
        prepareLogits(rawLogits, null);
        selectCandidates();
        if (options.greedy()) {
            return Map.of(candidates.bestToken(), 1.0);
        }
        candidates.divideBy(options.temperature());
        candidates.toProbabilities();
        Map<Integer, Double> distribution = new LinkedHashMap<>();
        for (int i = 0; i < candidates.size(); i++) {
            distribution.put(candidates.id(i), (double) candidates.value(i));
        }
        return distribution;
    }

    private int sampleOnce(float[] rawLogits, TokenFilter mask) {
        prepareLogits(rawLogits, mask);
        if (options.greedy() && !typicalOn()) {
            return argmax();
        }
        selectCandidates();
        if (options.greedy()) {
            return candidates.bestToken();
        }
        candidates.divideBy(options.temperature());
        return candidates.draw(random.nextDouble());
    }

    private void prepareLogits(float[] rawLogits, TokenFilter mask) {
        if (rawLogits.length != logits.length) {
            throw new IllegalArgumentException(
                    "expected " + logits.length + " logits (the vocabulary size), got " + rawLogits.length);
        }
        System.arraycopy(rawLogits, 0, logits, 0, logits.length);
        penalty.apply(logits);
        // Masking after the penalties keeps -inf out of the penalty arithmetic (-inf * 0 would be NaN).
        if (mask != null) {
            for (int token = 0; token < logits.length; token++) {
                if (!mask.allows(token)) {
                    logits[token] = Float.NEGATIVE_INFINITY;
                }
            }
        }
    }

    private void selectCandidates() {
        candidates.reset(logits);
        if (candidates.size() == 0) {
            throw noTokenAllowed();
        }
        if (options.topK() > 0) {
            candidates.keepTopK(options.topK());
        }
        if (typicalOn()) {
            candidates.keepTypical(options.typicalP());
        }
        if (options.topP() < 1f) {
            candidates.keepTopP(options.topP());
        }
        if (options.minP() > 0f) {
            candidates.keepMinP(options.minP());
        }
    }

    private boolean typicalOn() {
        return options.typicalP() < 1f;
    }

    /** The first token with the highest logit. */
    private int argmax() {
        int best = 0;
        for (int token = 1; token < logits.length; token++) {
            if (logits[token] > logits[best]) {
                best = token;
            }
        }
        if (!(logits[best] > Float.NEGATIVE_INFINITY)) {
            throw noTokenAllowed();
        }
        return best;
    }

    private static IllegalStateException noTokenAllowed() {
        return new IllegalStateException("no token can be sampled: every logit is -inf or NaN, or the filter allows none");
    }
}
