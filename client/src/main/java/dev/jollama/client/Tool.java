package dev.jollama.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

/** A function the model may call in a chat, described by its name, purpose and a JSON Schema of its parameters. */
public record Tool(String type, FunctionSpec function) {

    /** @param parametersSchema a JSON Schema object as text: {@code {"type":"object","properties":{...}}} */
    public static Tool function(String name, String description, String parametersSchema) {
        try {
            return new Tool("function", new FunctionSpec(name, description, Json.MAPPER.readTree(parametersSchema)));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("tool parameters are not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    public record FunctionSpec(String name, String description, JsonNode parameters) {
    }
}
