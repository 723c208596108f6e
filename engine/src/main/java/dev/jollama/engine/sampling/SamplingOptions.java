package dev.jollama.engine.sampling;

/**
 * The request options that shape token sampling, with Ollama's names and defaults.
 *
 * <p>Out-of-range values are normalised the way the reference treats them, so the sampler only ever
 * sees values with one meaning each:
 * <ul>
 *   <li>{@code temperature < 0} becomes 0 (greedy);</li>
 *   <li>{@code topP} and {@code minP} are clamped to [0, 1] (1 and 0 respectively switch them off);</li>
 *   <li>{@code typicalP == 0} becomes 1 (off), because Ollama does not send a zero typical_p to
 *       llama-server, whose own default is 1;</li>
 *   <li>{@code repeatLastN < -1} is rejected, as llama-server rejects it.</li>
 * </ul>
 *
 * @param temperature      divides the logits before the draw; {@code 0} means greedy
 * @param topK             keep the k most likely tokens; {@code <= 0} is off
 * @param topP             keep the smallest prefix whose probability reaches p; {@code 1} is off
 * @param minP             drop tokens less likely than {@code minP} times the most likely one; {@code 0} is off
 * @param typicalP         locally typical sampling mass; {@code 1} is off
 * @param repeatPenalty    divides positive (multiplies non-positive) logits of recent tokens; {@code 1} is off
 * @param repeatLastN      how many recent tokens the penalties look at; {@code 0} off, {@code -1} the context size
 * @param presencePenalty  subtracted once from the logit of every recent token
 * @param frequencyPenalty subtracted from a recent token's logit once per occurrence
 * @param seed             seed of the draw; {@code -1} picks a random one
 */
public record SamplingOptions(
        float temperature,
        int topK,
        float topP,
        float minP,
        float typicalP,
        float repeatPenalty,
        int repeatLastN,
        float presencePenalty,
        float frequencyPenalty,
        long seed) {

    /** The seed value that asks for a random seed. */
    public static final long RANDOM_SEED = -1;

    public SamplingOptions {
        if (repeatLastN < -1) {
            throw new IllegalArgumentException("repeat_last_n must be >= -1, got " + repeatLastN);
        }
        temperature = Math.max(temperature, 0f);
        topP = clampToUnit(topP);
        minP = clampToUnit(minP);
        if (typicalP == 0f) {
            typicalP = 1f;
        }
    }

    /**
     * Ollama's defaults ({@code api.DefaultOptions}). {@code repeat_penalty} is 1.0 since v0.32.10
     * (it was 1.1 before), so the penalties are off unless a Modelfile or request sets them.
     */
    public static SamplingOptions defaults() {
        return new SamplingOptions(0.8f, 40, 0.9f, 0.0f, 1.0f, 1.0f, 64, 0.0f, 0.0f, RANDOM_SEED);
    }

    /** The number of recent tokens the penalties consider, resolving {@code -1} to the context size. */
    public int penaltyWindow(int contextSize) {
        return repeatLastN == -1 ? contextSize : repeatLastN;
    }

    /** True when sampling reduces to taking the most likely token. */
    public boolean greedy() {
        return temperature <= 0f;
    }

    private static float clampToUnit(float value) {
        return Math.min(Math.max(value, 0f), 1f);
    }
}
