package dev.jollama.server.routes;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jollama.server.api.ApiException;
import dev.jollama.server.thinking.ThinkingCapability;

import java.util.Optional;
import java.util.Set;

/**
 * The {@code think} field: true/false or a level ("high", "medium", "low", "max"), parsed with Ollama's errors.
 *
 * @param level what templates see as .ThinkLevel: the level, "medium" for true, "" for false
 * @param set   whether the request (or the thinking default) set it: .IsThinkSet
 */
record ThinkValue(boolean enabled, String level, boolean set) {
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
            if (v.equals("true") || v.equals("false")) {
                return of(v.equals("true"));
            }
            if (!LEVELS.contains(v)) {
                throw ApiException.badRequest("invalid think value: \"" + v + "\" (must be \"high\", \"medium\", \"low\", \"max\", true, or false)");
            }
            return new ThinkValue(true, v, true);
        }
        throw ApiException.badRequest("think must be a boolean or string (" + n + ")");
    }

    private static ThinkValue of(boolean enabled) {
        return new ThinkValue(enabled, enabled ? "medium" : "", true);
    }

    /**
     * Applies the model's capability: thinking models think unless told not to; asking a model without the
     * capability to think is Ollama's 400; gpt-oss has no "max" and gets "high".
     */
    ThinkValue resolve(ThinkingCapability capability, String modelName) {
        if (!capability.supported()) {
            if (enabled) {
                throw ApiException.badRequest("\"" + modelName + "\" does not support thinking");
            }
            return this;
        }
        ThinkValue value = set ? this : of(true);
        if (capability.kind() == ThinkingCapability.Kind.HARMONY && value.level.equals("max")) {
            return new ThinkValue(true, "high", true);
        }
        return value;
    }
}
