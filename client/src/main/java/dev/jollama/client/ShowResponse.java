package dev.jollama.client;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A model's details from {@code /api/show}.
 *
 * @param modelfile  a Modelfile that recreates the model
 * @param parameters its PARAMETER lines, one {@code name value} per line
 * @param messages   the MESSAGE history built into it
 * @param modelInfo  the GGUF metadata ({@code general.architecture}, {@code llama.context_length}, ...); large
 *                   arrays such as the vocabulary only when asked with verbose
 */
public record ShowResponse(
        String license,
        String modelfile,
        String parameters,
        String template,
        String system,
        ModelDetails details,
        List<Message> messages,
        Map<String, Object> modelInfo,
        List<String> capabilities,
        Instant modifiedAt) {
}
