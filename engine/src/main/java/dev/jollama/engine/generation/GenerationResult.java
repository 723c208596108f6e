package dev.jollama.engine.generation;

/**
 * How a generation ended and what it cost.
 *
 * @param doneReason         "stop" (end-of-generation token or stop sequence), "length" (token limit or full
 *                           context) or "cancelled"
 * @param promptTokens       tokens in the prompt, cached ones included
 * @param promptNanos        time spent on the prompt tokens that had to be computed
 * @param generatedTokens    tokens sampled (an end-of-generation token is not counted)
 * @param generationNanos    time from the first sampled token to the end
 * @param generatedTokenIds  every sampled token, for the response's context
 */
public record GenerationResult(String doneReason, int promptTokens, long promptNanos, int generatedTokens,
                               long generationNanos, int[] generatedTokenIds) {
}
