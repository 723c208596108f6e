package dev.jollama.server.store;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A model of the store with its layers read: the GGUF path, the template, system prompt, parameters, messages and
 * licenses it was created with. Absent layers are null (lists empty).
 *
 * @param digest        sha256 hex of the manifest's bytes, as /api/tags shows it
 * @param projectorPath the image projector's GGUF (a vision model's second file), or null
 */
public record StoredModel(ModelName name, Manifest manifest, String digest, Instant modifiedAt, Path modelPath, Path projectorPath,
                          String template, String system, Map<String, Object> parameters,
                          List<Map<String, Object>> messages, List<String> licenses, Map<String, Object> config) {
}
