package dev.jollama.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * One message of a chat request (Go's api.Message). Its fields are read leniently, as the server always has: a
 * missing or null field is "", another scalar its text; tool calls, once ignored altogether, are kept only when they
 * are {@code {"function": {...}}} objects, with arguments that are not an object read as none.
 *
 * @param images     decoded base64 images, empty when none
 * @param toolCalls  the calls an assistant message made, empty when none
 * @param toolName   on a tool message: the tool whose result it is
 * @param toolCallId on a tool message: the call it answers
 */
public record ChatMessage(String role, String content, String thinking, List<byte[]> images, List<ToolCall> toolCalls,
                         String toolName, String toolCallId) {

    /** Binds one element of {@code messages}; a non-object is a 400 with Go's text. */
    static ChatMessage parse(JsonNode m) {
        if (!m.isObject()) {
            throw ApiException.badRequest("json: cannot unmarshal " + (m.isTextual() ? "string" : "array")
                    + " into Go struct field ChatRequest.messages of type api.Message");
        }
        List<byte[]> images = new ArrayList<>();
        JsonNode imageList = m.get("images");
        if (imageList != null && imageList.isArray()) {
            imageList.forEach(i -> images.add(Images.decode(i)));
        }
        return new ChatMessage(text(m, "role").toLowerCase(java.util.Locale.ROOT), text(m, "content"), text(m, "thinking"), images, toolCalls(m.get("tool_calls")),
                text(m, "tool_name"), text(m, "tool_call_id"));
    }

    private static List<ToolCall> toolCalls(JsonNode calls) {
        List<ToolCall> list = new ArrayList<>();
        if (calls == null || !calls.isArray()) {
            return list;
        }
        for (JsonNode call : calls) {
            if (call.get("function") instanceof ObjectNode function) {
                list.add(new ToolCall(text(call, "id"), function.path("index").asInt(0), text(function, "name"),
                        function.get("arguments") instanceof ObjectNode arguments ? arguments : GoJson.object()));
            }
        }
        return list;
    }

    private static String text(JsonNode object, String field) {
        JsonNode v = object.get(field);
        return v == null || v.isNull() ? "" : v.asText();
    }
}
