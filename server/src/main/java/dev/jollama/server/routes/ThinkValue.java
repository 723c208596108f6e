package dev.jollama.server.routes;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jollama.server.api.ApiException;

import java.util.Optional;
import java.util.Set;

/** The {@code think} field: true/false or a level ("high", "medium", "low", "max"), parsed with Ollama's errors. */
record ThinkValue(boolean enabled, String level) {
    private static final Set<String> LEVELS = Set.of("high", "medium", "low", "max");

    /** Null when the request did not set think. */
    static ThinkValue parse(Optional<JsonNode> node) {
        if (node.isEmpty()) {
            return null;
        }
        JsonNode n = node.get();
        if (n.isBoolean()) {
            return new ThinkValue(n.asBoolean(), "");
        }
        if (n.isTextual()) {
            String v = n.asText();
            if (v.equals("true") || v.equals("false")) {
                return new ThinkValue(v.equals("true"), "");
            }
            if (!LEVELS.contains(v)) {
                throw ApiException.badRequest("invalid think value: \"" + v + "\" (must be \"high\", \"medium\", \"low\", \"max\", true, or false)");
            }
            return new ThinkValue(true, v);
        }
        throw ApiException.badRequest("think must be a boolean or string (" + n + ")");
    }
}
