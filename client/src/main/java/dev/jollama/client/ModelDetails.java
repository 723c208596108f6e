package dev.jollama.client;

import java.util.List;

/**
 * What a model is, as {@code /api/tags}, {@code /api/show} and {@code /api/ps} describe it.
 *
 * @param format             {@code "gguf"}
 * @param parameterSize      for example {@code "8.0B"}
 * @param quantizationLevel  for example {@code "Q4_K_M"}
 */
public record ModelDetails(
        String parentModel,
        String format,
        String family,
        List<String> families,
        String parameterSize,
        String quantizationLevel) {
}
