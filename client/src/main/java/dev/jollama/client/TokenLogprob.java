package dev.jollama.client;

import java.util.List;

/**
 * The log-probability of one generated token, with the most likely alternatives when {@code top_logprobs} was asked.
 *
 * @param bytes the token's UTF-8 bytes (a token may hold part of a character)
 */
public record TokenLogprob(String token, double logprob, List<Integer> bytes, List<TokenLogprob> topLogprobs) {
}
