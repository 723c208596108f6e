package dev.jollama.client;

import java.util.List;

/**
 * The {@code /api/embed} reply: one L2-normalised vector per input, in input order. Durations are in nanoseconds.
 */
public record EmbedResponse(
        String model,
        List<float[]> embeddings,
        long totalDuration,
        long loadDuration,
        int promptEvalCount) {
}
