package dev.jollama.server.template;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.math.BigInteger;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Go's json.Marshal for the values of {@link GoValues}' data model, byte for byte: map keys sorted, {@code <},
 * {@code >} and {@code &} escaped as {@code \u003c}, {@code \u003e}, {@code \u0026}, floats in Go's shortest form,
 * byte arrays as base64, nil slices and maps as {@code null}. A record is a struct: its components in order, named
 * by {@link JsonProperty} where present (Go's json tag) and left out when empty if marked with {@link JsonInclude}
 * (Go's omitempty); a {@link JsonMarshaler} writes itself.
 */
public final class GoJson {
    private static final String HEX = "0123456789abcdef";

    private GoJson() {
    }

    /**
     * @throws IllegalArgumentException for what Go cannot marshal either (NaN, infinities) or values outside the
     *                                  data model
     */
    public static String marshal(Object value) {
        StringBuilder out = new StringBuilder();
        write(out, value);
        return out.toString();
    }

    private static void write(StringBuilder out, Object value) {
        switch (value) {
            case null -> out.append("null");
            case GoNil n -> out.append("null");
            case JsonMarshaler m -> out.append(m.marshalJson());
            case String s -> writeString(out, s);
            case Boolean b -> out.append(b);
            case Double d -> writeFloat(out, d, false);
            case Float f -> writeFloat(out, f, true);
            case Long l -> out.append(l);
            case Integer i -> out.append(i);
            case Short s -> out.append(s);
            case Byte b -> out.append(b);
            case BigInteger b -> out.append(b);
            case byte[] bytes -> out.append('"').append(Base64.getEncoder().encodeToString(bytes)).append('"');
            case Map<?, ?> map -> writeMap(out, map);
            case Collection<?> list -> writeArray(out, new ArrayList<>(list));
            case Record record -> writeRecord(out, record);
            default -> {
                if (!value.getClass().isArray()) {
                    throw new IllegalArgumentException("json: unsupported type: " + value.getClass().getName());
                }
                writeArray(out, GoValues.sliceElements(value));
            }
        }
    }

    private static void writeMap(StringBuilder out, Map<?, ?> map) {
        List<Map.Entry<String, Object>> entries = new ArrayList<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            entries.add(new AbstractMap.SimpleImmutableEntry<>(String.valueOf(e.getKey()), e.getValue()));
        }
        entries.sort(Comparator.comparing(Map.Entry::getKey, GoValues::compareStrings));
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, Object> e : entries) {
            if (!first) {
                out.append(',');
            }
            first = false;
            writeString(out, e.getKey());
            out.append(':');
            write(out, e.getValue());
        }
        out.append('}');
    }

    private static void writeArray(StringBuilder out, List<?> elements) {
        out.append('[');
        for (int i = 0; i < elements.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            write(out, elements.get(i));
        }
        out.append(']');
    }

    private static void writeRecord(StringBuilder out, Record record) {
        Map<String, Object> fields = GoValues.recordFields(record);
        out.append('{');
        boolean first = true;
        for (RecordComponent component : record.getClass().getRecordComponents()) {
            Object fieldValue = fields.get(component.getName());
            Method accessor = component.getAccessor();
            JsonInclude include = accessor.getAnnotation(JsonInclude.class);
            if (include != null && include.value() != JsonInclude.Include.ALWAYS
                    && isEmpty(fieldValue, component.getType())) {
                continue;
            }
            JsonProperty property = accessor.getAnnotation(JsonProperty.class);
            String name = property != null && !property.value().isEmpty() ? property.value() : component.getName();
            if (!first) {
                out.append(',');
            }
            first = false;
            writeString(out, name);
            out.append(':');
            write(out, fieldValue);
        }
        out.append('}');
    }

    /**
     * Go's omitempty: false, 0, "", nil, and empty slices and maps; a field declared as {@code Object} is Go's
     * interface type, empty only when nil.
     */
    private static boolean isEmpty(Object v, Class<?> declaredType) {
        if (declaredType == Object.class) {
            return v == null;
        }
        return switch (v) {
            case null -> true;
            case GoNil n -> true;
            case Boolean b -> !b;
            case Number n -> n.doubleValue() == 0;
            case CharSequence s -> s.isEmpty();
            case Collection<?> c -> c.isEmpty();
            case Map<?, ?> m -> m.isEmpty();
            default -> v.getClass().isArray() && Array.getLength(v) == 0;
        };
    }

    /** Go writes floats as %f, switching to exponent form below 1e-6 and from 1e21, with e-07 shortened to e-7. */
    private static void writeFloat(StringBuilder out, double value, boolean float32) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("json: unsupported value: "
                    + GoFloats.format(value, 'g', -1, float32));
        }
        double abs = Math.abs(value);
        char format = 'f';
        if (abs != 0) {
            double threshold = float32 ? (float) abs : abs;
            if (threshold < 1e-6 || threshold >= 1e21) {
                format = 'e';
            }
        }
        String text = GoFloats.format(value, format, -1, float32);
        if (format == 'e') {
            int n = text.length();
            if (n >= 4 && text.charAt(n - 4) == 'e' && text.charAt(n - 3) == '-' && text.charAt(n - 2) == '0') {
                text = text.substring(0, n - 2) + text.charAt(n - 1);
            }
        }
        out.append(text);
    }

    /** Go's JSON string: HTML-safe, control characters escaped, invalid UTF-16 replaced by U+FFFD. */
    static void writeString(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '<', '>', '&' -> out.append("\\u00").append(HEX.charAt(c >> 4)).append(HEX.charAt(c & 0xF));
                case '\u2028' -> out.append("\\u2028");
                case '\u2029' -> out.append("\\u2029");
                default -> {
                    if (c < 0x20) {
                        out.append("\\u00").append(HEX.charAt(c >> 4)).append(HEX.charAt(c & 0xF));
                    } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1))) {
                        out.append(c).append(s.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        out.append("\\ufffd"); // Go's replacement for invalid UTF-8, written escaped
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
