package dev.jollama.client;

/**
 * The result of {@link JollamaClient#generateTextWithThinking}: the answer, and the model's reasoning when thinking
 * was asked for.
 *
 * @param thinking null when the model did not think
 */
public record GeneratedText(String text, String thinking) {
}
