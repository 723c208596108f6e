package dev.jollama.server.api;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A function call, as an assistant message in a chat request carries it (Go's api.ToolCall). */
public record ToolCall(String name, ObjectNode arguments) {
}
