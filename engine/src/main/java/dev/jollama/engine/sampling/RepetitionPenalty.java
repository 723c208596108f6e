package dev.jollama.engine.sampling;

/**
 * Repeat, frequency and presence penalties over a sliding window of the most recently accepted
 * tokens, with llama.cpp's semantics: a token seen {@code n > 0} times in the window has its logit
 * divided by the repeat penalty when positive (multiplied when {@code <= 0}, so the penalty always
 * lowers it), then reduced by {@code n * frequency + presence}.
 */
final class RepetitionPenalty {
    private final float repeat;
    private final float frequency;
    private final float presence;

    /** Ring buffer of the last accepted tokens. */
    private final int[] window;
    private int next;
    private int filled;

    /** Occurrences of each token id inside the window. */
    private final int[] counts;
    /** The apply round in which a token was last penalised, so a repeated token is penalised once. */
    private final int[] penalisedInRound;
    private int round;

    RepetitionPenalty(SamplingOptions options, int windowSize, int vocabularySize) {
        this.repeat = options.repeatPenalty();
        this.frequency = options.frequencyPenalty();
        this.presence = options.presencePenalty();
        boolean neutral = repeat == 1f && frequency == 0f && presence == 0f;
        // When nothing would change a logit there is no need to remember anything either.
        boolean active = windowSize > 0 && !neutral;
        this.window = new int[active ? windowSize : 0];
        this.counts = new int[active ? vocabularySize : 0];
        this.penalisedInRound = new int[active ? vocabularySize : 0];
    }

    boolean active() {
        return window.length > 0;
    }

    void accept(int token) {
        if (!active()) {
            return;
        }
        if (filled == window.length) {
            counts[window[next]]--;
        } else {
            filled++;
        }
        window[next] = token;
        counts[token]++;
        next = (next + 1) % window.length;
    }

    /** Penalises, in place, the logits of the tokens in the window. */
    void apply(float[] logits) {
        if (!active()) {
            return;
        }
        round++;
        for (int i = 0; i < filled; i++) {
            int token = window[i];
            if (penalisedInRound[token] != round) {
                penalisedInRound[token] = round;
                logits[token] = penalise(logits[token], counts[token]);
            }
        }
    }

    private float penalise(float logit, int count) {
        float repeated = logit <= 0f ? logit * repeat : logit / repeat;
        return repeated - (count * frequency + presence);
    }
}
