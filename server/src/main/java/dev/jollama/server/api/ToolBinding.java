package dev.jollama.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jollama.server.template.TemplateTool;
import dev.jollama.server.template.ToolProperties;
import dev.jollama.server.template.ToolProperty;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code tools} of a chat request bound as Go binds them into {@code []api.Tool}: the fields Ollama declares are
 * read, everything else is ignored, so a property may hold any JSON Schema ({@code minimum}, {@code format},
 * {@code additionalProperties}, ...). A declared field of the wrong type is a 400 with Go's text.
 */
final class ToolBinding {
    private ToolBinding() {
    }

    /** The request's tools, or null when it has none (templates test for their absence). */
    static List<TemplateTool> tools(JsonNode tools) {
        if (tools == null || tools.isNull() || tools.isEmpty()) {
            return null;
        }
        if (!tools.isArray()) {
            throw error(tools, "ChatRequest", "tools", "[]api.Tool");
        }
        List<TemplateTool> list = new ArrayList<>();
        for (JsonNode t : tools) {
            JsonNode tool = object(t, "ChatRequest", "tools", "api.Tool");
            list.add(new TemplateTool(string(tool, "Tool", "tools.type"), any(tool.get("items")),
                    function(tool.get("function"))));
        }
        return list;
    }

    private static TemplateTool.Function function(JsonNode function) {
        JsonNode f = object(function, "Tool", "tools.function", "api.ToolFunction");
        return new TemplateTool.Function(string(f, "ToolFunction", "tools.function.name"),
                string(f, "ToolFunction", "tools.function.description"), parameters(f.get("parameters")));
    }

    private static TemplateTool.Parameters parameters(JsonNode parameters) {
        String path = "tools.function.parameters";
        JsonNode p = object(parameters, "ToolFunction", path, "api.ToolFunctionParameters");
        JsonNode properties = field(p, "properties");
        return new TemplateTool.Parameters(string(p, "ToolFunctionParameters", path + ".type"), any(field(p, "$defs")),
                any(field(p, "items")), strings(field(p, "required"), "ToolFunctionParameters", path + ".required"),
                properties == null ? ToolProperties.of(null) : ToolProperties.of(properties(properties, path + ".properties")));
    }

    private static Map<String, ToolProperty> properties(JsonNode properties, String path) {
        if (!properties.isObject()) {
            throw error(properties, "ToolFunctionParameters", path, "api.ToolPropertiesMap");
        }
        Map<String, ToolProperty> map = new LinkedHashMap<>();
        properties.properties().forEach(e -> map.put(e.getKey(), property(e.getValue(), path)));
        return map;
    }

    private static ToolProperty property(JsonNode property, String path) {
        JsonNode p = object(property, "ToolFunctionParameters", path, "api.ToolProperty");
        List<ToolProperty> anyOf = null;
        JsonNode anyOfNode = field(p, "anyOf");
        if (anyOfNode != null) {
            if (!anyOfNode.isArray()) {
                throw error(anyOfNode, "ToolProperty", path + ".anyOf", "[]api.ToolProperty");
            }
            anyOf = new ArrayList<>();
            for (JsonNode alternative : anyOfNode) {
                anyOf.add(property(alternative, path + ".anyOf"));
            }
        }
        JsonNode nested = field(p, "properties");
        return new ToolProperty(anyOf, type(field(p, "type"), path + ".type"), any(field(p, "items")),
                string(p, "ToolProperty", path + ".description"), values(field(p, "enum"), path + ".enum"),
                nested == null ? null : ToolProperties.inDeclarationOrder(properties(nested, path + ".properties")),
                strings(field(p, "required"), "ToolProperty", path + ".required"));
    }

    /** A type name or a list of them (Ollama's PropertyType). */
    private static ToolProperty.PropertyType type(JsonNode type, String path) {
        if (type == null) {
            return null;
        }
        if (type.isTextual()) {
            return ToolProperty.PropertyType.of(type.asText());
        }
        return new ToolProperty.PropertyType(strings(type, "ToolProperty", path));
    }

    private static List<Object> values(JsonNode list, String path) {
        if (list == null) {
            return null;
        }
        if (!list.isArray()) {
            throw error(list, "ToolProperty", path, "[]interface {}");
        }
        List<Object> values = new ArrayList<>();
        list.forEach(v -> values.add(any(v)));
        return values;
    }

    private static List<String> strings(JsonNode list, String struct, String path) {
        if (list == null) {
            return null;
        }
        if (!list.isArray()) {
            throw error(list, struct, path, "[]string");
        }
        List<String> strings = new ArrayList<>();
        for (JsonNode s : list) {
            if (!s.isTextual()) {
                throw error(s, struct, path, "string");
            }
            strings.add(s.asText());
        }
        return strings;
    }

    private static String string(JsonNode object, String struct, String path) {
        JsonNode v = field(object, path.substring(path.lastIndexOf('.') + 1));
        if (v == null) {
            return "";
        }
        if (!v.isTextual()) {
            throw error(v, struct, path, "string");
        }
        return v.asText();
    }

    /** A value Go decodes into {@code any}: maps, lists, float64 numbers, strings, bools, nil. */
    private static Object any(JsonNode v) {
        return v == null || v.isNull() ? null : GoJson.anyValue(v);
    }

    /** A field's value, null when missing or JSON null (Go leaves the zero value). */
    private static JsonNode field(JsonNode object, String name) {
        JsonNode v = object.get(name);
        return v == null || v.isNull() ? null : v;
    }

    /** An object field; missing or null is Go's zero value, an empty object here. */
    private static JsonNode object(JsonNode node, String struct, String path, String goType) {
        if (node == null || node.isNull()) {
            return GoJson.object();
        }
        if (!node.isObject()) {
            throw error(node, struct, path, goType);
        }
        return node;
    }

    private static ApiException error(JsonNode value, String struct, String path, String goType) {
        return ApiException.badRequest("json: cannot unmarshal " + RequestBody.goType(value) + " into Go struct field "
                + struct + "." + path + " of type " + goType);
    }
}
