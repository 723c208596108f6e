package dev.jollama.server.template;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * A tool as templates see it (Go's templateTool): {@code .Type}, {@code .Function.Name},
 * {@code .Function.Parameters.Properties} and so on; it prints as its JSON. The JSON keys and omitted empty fields
 * are Ollama's json tags.
 */
public record TemplateTool(@JsonProperty("type") String Type,
                           @JsonProperty("items") @JsonInclude(JsonInclude.Include.NON_EMPTY) Object Items,
                           @JsonProperty("function") Function Function) implements Stringer {

    @Override
    public String asString() {
        return GoJson.marshal(this);
    }

    /** Go's templateToolFunction; unlike the tool, it has no String method and prints as a struct. */
    public record Function(@JsonProperty("name") String Name,
                           @JsonProperty("description") String Description,
                           @JsonProperty("parameters") Parameters Parameters) {
    }

    /** Go's templateToolFunctionParameters. */
    public record Parameters(@JsonProperty("type") String Type,
                             @JsonProperty("$defs") @JsonInclude(JsonInclude.Include.NON_EMPTY) Object Defs,
                             @JsonProperty("items") @JsonInclude(JsonInclude.Include.NON_EMPTY) Object Items,
                             @JsonProperty("required") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> Required,
                             @JsonProperty("properties") ToolProperties Properties) {
    }
}
