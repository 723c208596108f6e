package dev.jollama.engine.grammar;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/** Writes parsed JSON values (as Jackson reads them into Java) back as compact JSON text, for enum and const. */
final class JsonText {
    private JsonText() {
    }

    static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, out);
        return out.toString();
    }

    static String string(String text) {
        StringBuilder out = new StringBuilder();
        writeString(text, out);
        return out.toString();
    }

    private static void write(Object value, StringBuilder out) {
        switch (value) {
            case null -> out.append("null");
            case Boolean b -> out.append(b);
            case String s -> writeString(s, out);
            case Double d -> writeDouble(d, out);
            case Float f -> writeDouble(f.doubleValue(), out);
            case BigDecimal d -> out.append(d.toString());
            case Number n -> out.append(n); // Integer, Long, BigInteger ...
            case Map<?, ?> map -> {
                out.append('{');
                String separator = "";
                for (Map.Entry<?, ?> entry : map.entrySet()) {
                    out.append(separator);
                    writeString(String.valueOf(entry.getKey()), out);
                    out.append(':');
                    write(entry.getValue(), out);
                    separator = ",";
                }
                out.append('}');
            }
            case List<?> list -> {
                out.append('[');
                for (int i = 0; i < list.size(); i++) {
                    out.append(i > 0 ? "," : "");
                    write(list.get(i), out);
                }
                out.append(']');
            }
            default -> throw new IllegalArgumentException("not a JSON value: " + value.getClass().getName());
        }
    }

    /** Integral doubles as integers (1.0 is 1 to a schema), others as Java prints them, which JSON accepts. */
    private static void writeDouble(double d, StringBuilder out) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new IllegalArgumentException("not a JSON number: " + d);
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            out.append((long) d);
        } else {
            out.append(d);
        }
    }

    private static void writeString(String text, StringBuilder out) {
        out.append('"');
        text.codePoints().forEach(c -> {
            if (JsonSyntax.UNESCAPED.contains(c)) {
                out.appendCodePoint(c);
            } else {
                out.append(JsonSyntax.escape(c));
            }
        });
        out.append('"');
    }
}
