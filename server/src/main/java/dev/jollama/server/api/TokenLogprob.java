package dev.jollama.server.api;

import java.util.List;

/**
 * A generated token's log-probability as replies carry it (Go's api.Logprob and api.TokenLogprob): its text, its
 * UTF-8 bytes (a token may hold part of a character) and, when asked for, the most likely alternatives.
 *
 * @param topLogprobs the alternatives, empty when none were asked for (and always empty on an alternative)
 */
public record TokenLogprob(String token, double logprob, byte[] bytes, List<TokenLogprob> topLogprobs) {
}
