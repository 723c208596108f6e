package dev.jollama.engine.grammar;

import java.util.List;
import java.util.Map;

/** The value types of JSON Schema's {@code type} keyword. */
enum JsonType {
    NULL("null"), BOOLEAN("boolean"), INTEGER("integer"), NUMBER("number"), STRING("string"), ARRAY("array"), OBJECT("object");

    final String schemaName;

    JsonType(String schemaName) {
        this.schemaName = schemaName;
    }

    static JsonType named(String name) {
        for (JsonType type : values()) {
            if (type.schemaName.equals(name)) {
                return type;
            }
        }
        return null;
    }

    /** Whether a parsed JSON value is of this type (an integral number is both an integer and a number). */
    boolean holds(Object value) {
        return switch (this) {
            case NULL -> value == null;
            case BOOLEAN -> value instanceof Boolean;
            case STRING -> value instanceof String;
            case NUMBER -> value instanceof Number;
            case INTEGER -> value instanceof Number n && SchemaReader.decimal(n).stripTrailingZeros().scale() <= 0;
            case ARRAY -> value instanceof List<?>;
            case OBJECT -> value instanceof Map<?, ?>;
        };
    }
}
