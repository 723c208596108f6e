package dev.jollama.client;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;

/**
 * The {@code format} request field: {@code "json"} for any JSON value, or a JSON Schema object the output must
 * follow.
 */
public record Format(@JsonValue JsonNode value) {
    public static final Format JSON = new Format(TextNode.valueOf("json"));

    public Format {
        boolean json = value != null && value.isTextual() && value.asText().equals("json");
        if (!json && (value == null || !value.isObject())) {
            throw new IllegalArgumentException("format must be \"json\" or a JSON Schema object, got " + value);
        }
    }

    /** A JSON Schema given as JSON text, for example {@code {"type":"object","properties":{...}}}. */
    public static Format schema(String schemaJson) {
        try {
            return new Format(Json.MAPPER.readTree(schemaJson));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("format schema is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** {@code "json"} or a JSON Schema text, as the {@code --format} flag of the ollama command takes it. */
    public static Format of(String jsonOrSchema) {
        return jsonOrSchema.strip().equals("json") ? JSON : schema(jsonOrSchema);
    }
}
