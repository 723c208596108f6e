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
            // Go's text where it has one, else the parser's without its setting names
            throw ApiException.badRequest(goSyntaxError(ErrorText.parserMessage(e.getOriginalMessage())));
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

    /**
     * encoding/json's text for a syntax error, from Jackson's: Go names the offending character and what it looked
     * for ({@code invalid character 'b' looking for beginning of object key string}), or says {@code unexpected EOF}.
     */
    static String goSyntaxError(String jackson) {
        if (jackson.startsWith("Unexpected end-of-input")) {
            return "unexpected EOF";
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^Unexpected character \\('(.)' \\(code \\d+\\)\\)").matcher(jackson);
        if (!m.find()) {
            // a bare word: Go stops at its first character, as at any other that cannot start a value
            m = java.util.regex.Pattern.compile("^Unrecognized token '(.)").matcher(jackson);
            return m.find() ? "invalid character '" + m.group(1) + "' looking for beginning of value" : jackson;
        }
        String character = m.group(1).equals("'") ? "'\\''" : "'" + m.group(1) + "'";
        String context;
        if (jackson.contains("double-quote to start field name")) {
            context = "looking for beginning of object key string";
        } else if (jackson.contains("colon to separate field name and value")) {
            context = "after object key";
        } else if (jackson.contains("comma to separate Object entries")) {
            context = "after object key:value pair";
        } else if (jackson.contains("comma to separate Array entries")) {
            context = "after array element";
        } else {
            context = "looking for beginning of value";
        }
        return "invalid character " + character + " " + context;
    }

    /** A field Go decodes into a map[string]any (options): absent when missing or null, else it must be an object. */
    public Optional<JsonNode> object(String name) {
        return node(name).map(n -> {
            if (!n.isObject()) {
                throw typeError(name, n, "map[string]interface {}");
            }
            return n;
        });
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
                // api.Duration names the type Go decoded into an any
                throw ApiException.badRequest("Unsupported type: '" + switch (goType(n)) {
                    case "array" -> "[]interface {}";
                    case "object" -> "map[string]interface {}";
                    default -> goType(n);
                } + "'");
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
        // Go's UnmarshalTypeError quotes a number's literal when a numeric field cannot hold it
        boolean numeric = goType.startsWith("int") || goType.startsWith("uint") || goType.startsWith("float");
        String what = value.isNumber() && numeric ? "number " + value.asText() : goType(value);
        return ApiException.badRequest("json: cannot unmarshal " + what + " into Go struct field "
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
