package dev.jollama.server.api;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Optional;
import java.util.Set;

/**
 * The {@code think} field: true/false or a level ("high", "medium", "low", "max"), parsed with Ollama's errors.
 *
 * @param level what templates see as .ThinkLevel: the level, "medium" for true, "" for false
 * @param set   whether the request (or the thinking default) set it: .IsThinkSet
 */
public record ThinkValue(boolean enabled, String level, boolean set) {
    private static final Set<String> LEVELS = Set.of("high", "medium", "low", "max");
    private static final ThinkValue UNSET = new ThinkValue(false, "", false);

    static ThinkValue parse(Optional<JsonNode> node) {
        if (node.isEmpty()) {
            return UNSET;
        }
        JsonNode n = node.get();
        if (n.isBoolean()) {
            return of(n.asBoolean());
        }
        if (n.isTextual()) {
            String v = n.asText();
            if (!LEVELS.contains(v)) {
                throw ApiException.badRequest("invalid think value: \"" + v + "\" (must be \"high\", \"medium\", \"low\", \"max\", true, or false)");
            }
            return new ThinkValue(true, v, true);
        }
        throw ApiException.badRequest("think must be a boolean or string (\"high\", \"medium\", \"low\", \"max\", true, or false)");
    }

    public static ThinkValue of(boolean enabled) {
        return new ThinkValue(enabled, enabled ? "medium" : "", true);
    }
}
