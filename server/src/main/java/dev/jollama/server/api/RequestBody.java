package dev.jollama.server.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.jollama.server.config.GoDuration;

import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A JSON request body read as Go's encoding/json reads a struct: field names case-insensitive (an exact match wins),
 * unknown fields ignored, and type errors reported with Go's text.
 */
public final class RequestBody {
    private final String structName;
    private final Map<String, JsonNode> fields = new HashMap<>();

    private RequestBody(String structName, JsonNode root) {
        this.structName = structName;
        root.properties().forEach(e -> fields.putIfAbsent(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
        root.properties().forEach(e -> {
            if (e.getKey().equals(e.getKey().toLowerCase(Locale.ROOT))) {
                fields.put(e.getKey(), e.getValue());
            }
        });
    }

    /** Parses a body; an empty one is 400 "missing request body", malformed JSON 400 with the parser's message. */
    public static RequestBody parse(String structName, byte[] body) {
        if (body == null || body.length == 0 || new String(body).isBlank()) {
            throw ApiException.badRequest("missing request body");
        }
        JsonNode root;
        try {
            root = GoJson.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest(ErrorText.parserMessage(e.getOriginalMessage()));
        } catch (java.io.IOException e) {
            throw ApiException.badRequest("unexpected EOF");
        }
        if (root == null || root.isNull()) {
            root = GoJson.object(); // Go decodes null into a zero struct
        }
        if (!root.isObject()) {
            throw ApiException.badRequest("json: cannot unmarshal " + goType(root) + " into Go value of type api." + structName);
        }
        return new RequestBody(structName, root);
    }

    /** The raw node, absent when missing or null. */
    public Optional<JsonNode> node(String name) {
        JsonNode n = fields.get(name);
        return n == null || n.isNull() ? Optional.empty() : Optional.of(n);
    }

    public String string(String name) {
        return node(name).map(n -> {
            if (!n.isTextual()) {
                throw typeError(name, n, "string");
            }
            return n.asText();
        }).orElse("");
    }

    public Optional<Boolean> bool(String name) {
        return node(name).map(n -> {
            if (!n.isBoolean()) {
                throw typeError(name, n, "bool");
            }
            return n.asBoolean();
        });
    }

    public Optional<Integer> integer(String name) {
        return node(name).map(n -> {
            if (!n.isIntegralNumber() || !n.canConvertToInt()) {
                throw typeError(name, n, "int");
            }
            return n.asInt();
        });
    }

    public Optional<Double> number(String name) {
        return node(name).map(n -> {
            if (!n.isNumber()) {
                throw typeError(name, n, "float64");
            }
            return n.asDouble();
        });
    }

    /**
     * keep_alive: a number of seconds (fractions allowed) or a Go duration string; negative means forever
     * (Optional of null inside: use {@link KeepAlive}).
     */
    public Optional<KeepAlive> keepAlive() {
        return node("keep_alive").map(n -> {
            Duration d;
            if (n.isNumber()) {
                d = Duration.ofNanos((long) (n.asDouble() * 1e9));
            } else if (n.isTextual()) {
                try {
                    d = GoDuration.parse(n.asText());
                } catch (IllegalArgumentException e) {
                    throw ApiException.badRequest(e.getMessage());
                }
            } else {
                throw ApiException.badRequest("Unsupported type: '" + goType(n) + "'");
            }
            return new KeepAlive(d.isNegative() ? null : d);
        });
    }

    /** A keep_alive value; a null duration means forever. */
    public record KeepAlive(Duration duration) {
        public boolean isZero() {
            return duration != null && duration.isZero();
        }
    }

    private ApiException typeError(String field, JsonNode value, String goType) {
        return ApiException.badRequest("json: cannot unmarshal " + goType(value) + " into Go struct field "
                + structName + "." + field + " of type " + goType);
    }

    static String goType(JsonNode n) {
        if (n == null || n.isNull()) {
            return "null";
        }
        if (n.isTextual()) {
            return "string";
        }
        if (n.isNumber()) {
            return "number";
        }
        if (n.isBoolean()) {
            return "bool";
        }
        if (n.isArray()) {
            return "array";
        }
        return "object";
    }
}
