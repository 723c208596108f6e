package dev.jollama.server.template;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.AbstractList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One property of a tool's parameters (Ollama's api.ToolProperty), with its JSON tags: every field is left out of
 * the JSON when empty.
 */
public record ToolProperty(
        @JsonProperty("anyOf") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<ToolProperty> AnyOf,
        @JsonProperty("type") @JsonInclude(JsonInclude.Include.NON_EMPTY) PropertyType Type,
        @JsonProperty("items") @JsonInclude(JsonInclude.Include.NON_EMPTY) Object Items,
        @JsonProperty("description") @JsonInclude(JsonInclude.Include.NON_EMPTY) String Description,
        @JsonProperty("enum") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Object> Enum,
        @JsonProperty("properties") @JsonInclude(JsonInclude.Include.NON_EMPTY) ToolProperties Properties,
        @JsonProperty("required") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> Required) {

    /** The TypeScript spelling of the property's type, for the {@code toTypeScriptType} template function. */
    public String toTypeScriptType() {
        if (AnyOf != null && !AnyOf.isEmpty()) {
            return AnyOf.stream().map(ToolProperty::toTypeScriptType).collect(Collectors.joining(" | "));
        }
        if (Type == null || Type.isEmpty()) {
            return "any";
        }
        return Type.stream().map(ToolProperty::typeScriptType).collect(Collectors.joining(" | "));
    }

    private static String typeScriptType(String jsonSchemaType) {
        return switch (jsonSchemaType) {
            case "string" -> "string";
            case "number", "integer" -> "number";
            case "boolean" -> "boolean";
            case "array" -> "any[]";
            case "object" -> "Record<string, any>";
            case "null" -> "null";
            default -> "any";
        };
    }

    /**
     * A JSON Schema type: one name or several. Prints as the name, or as {@code [a b]} for several; marshals as a
     * string for one name and as an array otherwise (Ollama's PropertyType).
     */
    public static final class PropertyType extends AbstractList<String> implements Stringer, JsonMarshaler {
        private final List<String> names;

        public PropertyType(List<String> names) {
            this.names = List.copyOf(names);
        }

        public static PropertyType of(String... names) {
            return new PropertyType(List.of(names));
        }

        @Override
        public String get(int index) {
            return names.get(index);
        }

        @Override
        public int size() {
            return names.size();
        }

        @Override
        public String asString() {
            return switch (names.size()) {
                case 0 -> "";
                case 1 -> names.getFirst();
                default -> "[" + String.join(" ", names) + "]";
            };
        }

        @Override
        public String marshalJson() {
            return GoJson.marshal(names.size() == 1 ? names.getFirst() : names);
        }
    }
}
