package dev.jollama.server.thinking;

import dev.jollama.server.api.ToolCall;

import java.util.List;

/** A piece of model output divided into its thinking, its answer and the tool calls it completed; any may be empty. */
public record ResponseSplit(String thinking, String content, List<ToolCall> toolCalls) {
    public static final ResponseSplit EMPTY = new ResponseSplit("", "");

    public ResponseSplit(String thinking, String content) {
        this(thinking, content, List.of());
    }

    public boolean isEmpty() {
        return thinking.isEmpty() && content.isEmpty() && toolCalls.isEmpty();
    }
}
