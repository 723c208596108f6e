package dev.jollama.engine.generation;

import dev.jollama.engine.sampling.SamplingOptions;

import java.util.List;

/**
 * What to generate: the prompt's tokens, how to sample, when to stop.
 *
 * @param maxTokens tokens to generate at most; negative means until a stop or the context is full
 * @param stop      stop sequences matched on the decoded text; the match and what follows are not emitted
 */
public record GenerationRequest(int[] promptTokens, SamplingOptions sampling, int maxTokens, List<String> stop) {
}
