package dev.jollama.server.template;

import java.util.AbstractList;
import java.util.List;

/**
 * The {@code .Tools} value (Go's templateTools): a list of tools that prints as its JSON array. A request without
 * tools gives the nil list, which is false, empty, and prints and marshals as {@code null}.
 */
public final class TemplateTools extends AbstractList<TemplateTool> implements Stringer, JsonMarshaler {
    private final List<TemplateTool> tools;

    private TemplateTools(List<TemplateTool> tools) {
        this.tools = tools;
    }

    /** @param tools the request's tools, or null when it has none */
    public static TemplateTools of(List<TemplateTool> tools) {
        return new TemplateTools(tools == null ? null : List.copyOf(tools));
    }

    @Override
    public TemplateTool get(int index) {
        if (tools == null) {
            throw new IndexOutOfBoundsException(index);
        }
        return tools.get(index);
    }

    @Override
    public int size() {
        return tools == null ? 0 : tools.size();
    }

    @Override
    public String asString() {
        return marshalJson();
    }

    @Override
    public String marshalJson() {
        return tools == null ? "null" : GoJson.marshal(tools);
    }
}
