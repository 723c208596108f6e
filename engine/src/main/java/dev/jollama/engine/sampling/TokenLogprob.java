package dev.jollama.engine.sampling;

/** A token and its log-probability under the softmax of the raw logits. */
public record TokenLogprob(int token, double logprob) {
}
