package dev.jollama.server.api;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** JSON as Go's encoding/json writes it: compact, with {@code <}, {@code >} and {@code &} escaped as {@code \u003c} etc. */
public final class GoJson {
    public static final ObjectMapper MAPPER = new ObjectMapper();

    static {
        MAPPER.getFactory().setCharacterEscapes(new GoEscapes());
    }

    private GoJson() {
    }

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** JSON as Go decodes it into {@code any}: objects as maps (in the order given), arrays as lists, numbers as float64. */
    public static Object anyValue(JsonNode node) {
        return switch (node.getNodeType()) {
            case OBJECT -> anyObject(node);
            case ARRAY -> {
                List<Object> list = new ArrayList<>();
                node.forEach(v -> list.add(anyValue(v)));
                yield list;
            }
            case NUMBER -> node.doubleValue();
            case STRING -> node.asText();
            case BOOLEAN -> node.booleanValue();
            default -> null;
        };
    }

    /** An object as Go decodes it into {@code map[string]any} (see {@link #anyValue}). */
    public static Map<String, Object> anyObject(JsonNode object) {
        Map<String, Object> map = new LinkedHashMap<>();
        object.properties().forEach(e -> map.put(e.getKey(), anyValue(e.getValue())));
        return map;
    }

    public static byte[] bytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    /** RFC 3339 in UTC with the fraction's trailing zeros trimmed, as Go's time.Time marshals. */
    public static String timestamp(Instant instant) {
        String base = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC).format(instant);
        int nanos = instant.getNano();
        if (nanos == 0) {
            return base + "Z";
        }
        return base + "." + String.format("%09d", nanos).replaceAll("0+$", "") + "Z";
    }

    private static final class GoEscapes extends CharacterEscapes {
        private final int[] escapes = standardAsciiEscapesForJSON();

        GoEscapes() {
            escapes['<'] = ESCAPE_CUSTOM;
            escapes['>'] = ESCAPE_CUSTOM;
            escapes['&'] = ESCAPE_CUSTOM;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return escapes;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return new SerializedString(String.format("\\u%04x", ch));
        }
    }
}
