package dev.jollama.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jollama.server.template.TemplateTool;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The body of POST /api/chat (Go's api.ChatRequest), bound as Go binds it (see {@link RequestBody}).
 *
 * @param model   as sent, stripped of surrounding spaces
 * @param tools   the tools the model may call, or null when none (templates test for their absence)
 * @param format  "json", a JSON Schema, or null; compiled once the request is known to run
 * @param options the raw options object, or null; resolved against the model's parameters (see {@link Options})
 */
public record ChatRequest(String model, List<ChatMessage> messages, List<TemplateTool> tools, boolean stream,
                          Optional<RequestBody.KeepAlive> keepAlive, ThinkValue think, int topLogprobs, boolean truncate,
                          boolean shift, boolean logprobs, JsonNode options, JsonNode format, boolean debugRenderOnly) {

    /** Binds a body; the first field that does not bind is a 400 with Go's text. */
    public static ChatRequest parse(byte[] json) {
        RequestBody body = RequestBody.parse("ChatRequest", json);
        return new ChatRequest(body.string("model").strip(), messages(body), ToolBinding.tools(body.node("tools").orElse(null)), body.bool("stream").orElse(true),
                body.keepAlive(), ThinkValue.parse(body.node("think")), body.integer("top_logprobs").orElse(0),
                body.bool("truncate").orElse(true), body.bool("shift").orElse(true), body.bool("logprobs").orElse(false),
                body.object("options").orElse(null), body.node("format").orElse(null),
                body.bool("_debug_render_only").orElse(false));
    }

    private static List<ChatMessage> messages(RequestBody body) {
        List<ChatMessage> messages = new ArrayList<>();
        Optional<JsonNode> node = body.node("messages");
        if (node.isEmpty()) {
            return messages;
        }
        if (!node.get().isArray()) {
            throw ApiException.badRequest("json: cannot unmarshal " + (node.get().isTextual() ? "string" : "object")
                    + " into Go struct field ChatRequest.messages of type []api.Message");
        }
        for (JsonNode m : node.get()) {
            messages.add(ChatMessage.parse(m));
        }
        return messages;
    }
}
