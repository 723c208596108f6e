package dev.jollama.engine.sampling;

import java.util.List;

/**
 * The log-probability of a sampled token and the most likely alternatives at that position, sorted by
 * descending log-probability (the chosen token may or may not be among them).
 */
public record Logprob(TokenLogprob chosen, List<TokenLogprob> alternatives) {

    public Logprob {
        alternatives = List.copyOf(alternatives);
    }
}
