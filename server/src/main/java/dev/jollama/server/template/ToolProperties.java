package dev.jollama.server.template;

import java.util.AbstractMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The properties of a tool's parameters, by name. At the top of the parameters Ollama hands templates a plain Go
 * map (templateProperties): ranged and marshalled in key order, printed as its JSON, and printed as {@code {}}
 * (but marshalled as {@code null}) when the tool declares none. Nested inside a property, Ollama keeps them in
 * declaration order ({@link #inDeclarationOrder}).
 */
public final class ToolProperties extends AbstractMap<String, ToolProperty> implements Stringer, JsonMarshaler {
    private final Map<String, ToolProperty> properties;
    private final boolean keepOrder;
    private final boolean nil;

    private ToolProperties(Map<String, ToolProperty> properties, boolean keepOrder, boolean nil) {
        this.properties = properties;
        this.keepOrder = keepOrder;
        this.nil = nil;
    }

    /** The parameters' properties as Ollama passes them to templates; null when the tool declares none. */
    public static ToolProperties of(Map<String, ToolProperty> properties) {
        return properties == null
                ? new ToolProperties(Map.of(), false, true)
                : new ToolProperties(new LinkedHashMap<>(properties), false, false);
    }

    /** Properties nested in a property, which Ollama marshals in the order given. */
    public static ToolProperties inDeclarationOrder(Map<String, ToolProperty> properties) {
        return new ToolProperties(new LinkedHashMap<>(properties), true, false);
    }

    @Override
    public Set<Entry<String, ToolProperty>> entrySet() {
        return properties.entrySet();
    }

    @Override
    public String asString() {
        return nil ? "{}" : marshalJson();
    }

    @Override
    public String marshalJson() {
        if (nil) {
            return "null";
        }
        if (!keepOrder) {
            return GoJson.marshal(properties);
        }
        StringBuilder out = new StringBuilder("{");
        for (Entry<String, ToolProperty> e : properties.entrySet()) {
            if (out.length() > 1) {
                out.append(',');
            }
            out.append(GoJson.marshal(e.getKey())).append(':').append(GoJson.marshal(e.getValue()));
        }
        return out.append('}').toString();
    }
}
