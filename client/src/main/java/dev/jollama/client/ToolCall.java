package dev.jollama.client;

import java.util.Map;

/** A function call the model asks for in a chat reply; send the result back in a {@link Message#tool} message. */
public record ToolCall(FunctionCall function) {

    public static ToolCall of(String name, Map<String, Object> arguments) {
        return new ToolCall(new FunctionCall(null, name, arguments));
    }

    /** @param index position among the calls of one reply (newer servers only) */
    public record FunctionCall(Integer index, String name, Map<String, Object> arguments) {
    }
}
