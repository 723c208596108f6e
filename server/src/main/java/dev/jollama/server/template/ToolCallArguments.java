package dev.jollama.server.template;

import java.util.AbstractMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The arguments of a tool call as templates see them (Go's templateArgs): a map, so templates can range over it
 * in key order, that prints as its JSON ({@code {{ .Function.Arguments }}} gives {@code {"city":"Paris"}}).
 * Values follow {@link GoValues}' data model; JSON-decoded numbers should be {@link Double}, as Go decodes them.
 */
public final class ToolCallArguments extends AbstractMap<String, Object> implements Stringer {
    private final Map<String, Object> arguments;

    public ToolCallArguments(Map<String, ?> arguments) {
        this.arguments = new LinkedHashMap<>(arguments);
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
        return arguments.entrySet();
    }

    @Override
    public String asString() {
        return GoJson.marshal(arguments);
    }
}
