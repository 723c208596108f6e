package dev.jollama.server.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.jollama.server.api.ApiException;
import dev.jollama.server.api.ChatRequest;
import dev.jollama.server.api.GoJson;
import dev.jollama.server.api.RequestBody;

import java.util.List;

/**
 * The body of POST /v1/chat/completions, translated into the body of an /api/chat request as Ollama's middleware
 * translates it, then bound as /api/chat binds its own.
 *
 * @param includeUsage {@code stream_options.include_usage}: a streamed reply ends with a usage chunk
 */
record ChatCompletionRequest(ChatRequest chat, boolean includeUsage) {
    private static final List<String> IMAGE_TYPES = List.of("jpeg", "jpg", "png", "webp");

    static ChatCompletionRequest parse(byte[] json) {
        RequestBody body = RequestBody.parse("ChatCompletionRequest", json);
        OptionFields.requireOneChoice(body);
        ArrayNode openAiMessages = messageList(body);
        ObjectNode chat = GoJson.object();
        chat.put("model", body.string("model"));
        chat.set("messages", messages(openAiMessages));
        chat.put("stream", body.bool("stream").orElse(false));
        chat.set("options", OptionFields.options(body, "max_completion_tokens", "max_tokens"));
        body.node("response_format").ifPresent(f -> {
            JsonNode format = format(f);
            if (format != null) {
                chat.set("format", format);
            }
        });
        body.node("tools").ifPresent(tools -> chat.set("tools", offeredTools(tools, body.node("tool_choice").orElse(null))));
        JsonNode think = think(body.node("reasoning").map(r -> r.path("effort").asText("")).filter(e -> !e.isEmpty())
                .orElse(body.node("reasoning_effort").map(JsonNode::asText).orElse("")));
        if (think != null) {
            chat.set("think", think);
        }
        chat.put("logprobs", body.bool("logprobs").orElse(false));
        chat.put("top_logprobs", body.integer("top_logprobs").orElse(0));
        boolean includeUsage = body.node("stream_options").map(o -> o.path("include_usage").asBoolean(false)).orElse(false);
        return new ChatCompletionRequest(ChatRequest.parse(GoJson.bytes(chat)), includeUsage);
    }

    private static ArrayNode messageList(RequestBody body) {
        JsonNode messages = body.node("messages").orElse(null);
        if (messages == null || messages.isArray() && messages.isEmpty()) {
            throw ApiException.badRequest("[] is too short - 'messages'");
        }
        if (!messages.isArray()) {
            throw ApiException.badRequest("json: cannot unmarshal " + messages.getNodeType().name().toLowerCase()
                    + " into Go struct field ChatCompletionRequest.messages of type []openai.Message");
        }
        return (ArrayNode) messages;
    }

    /**
     * Each message as /api/chat takes it. Content given as parts stays one message: its text parts joined, its images
     * (data URIs) in {@code images}.
     */
    private static ArrayNode messages(ArrayNode openAi) {
        ArrayNode messages = GoJson.MAPPER.createArrayNode();
        for (JsonNode m : openAi) {
            if (!m.isObject()) {
                throw ApiException.badRequest("invalid message format");
            }
            ObjectNode message = messages.addObject();
            String role = m.path("role").asText("");
            message.put("role", role);
            JsonNode content = m.get("content");
            JsonNode toolCalls = m.get("tool_calls");
            boolean hasToolCalls = toolCalls != null && toolCalls.isArray();
            if (content == null || content.isNull()) {
                if (!hasToolCalls) {
                    throw ApiException.badRequest("invalid message content type: <nil>");
                }
                message.put("content", "");
            } else if (content.isTextual()) {
                message.put("content", content.asText());
            } else if (content.isArray()) {
                putParts(message, content);
            } else {
                throw ApiException.badRequest("invalid message content type: " + content.getNodeType().name().toLowerCase());
            }
            if (m.hasNonNull("reasoning")) {
                message.put("thinking", m.get("reasoning").asText());
            }
            if (hasToolCalls) {
                message.set("tool_calls", toolCalls(toolCalls));
            }
            if (role.equalsIgnoreCase("tool")) {
                String callId = m.path("tool_call_id").asText("");
                String name = m.path("name").asText("");
                message.put("tool_name", name.isEmpty() && !callId.isEmpty() ? toolName(messages, callId) : name);
                message.put("tool_call_id", callId);
            }
        }
        return messages;
    }

    private static void putParts(ObjectNode message, JsonNode parts) {
        StringBuilder text = new StringBuilder();
        ArrayNode images = GoJson.MAPPER.createArrayNode();
        for (JsonNode part : parts) {
            switch (part.path("type").asText("")) {
                case "text" -> {
                    if (!part.path("text").isTextual()) {
                        throw ApiException.badRequest("invalid message format");
                    }
                    text.append(text.isEmpty() ? "" : "\n").append(part.get("text").asText());
                }
                case "image_url" -> {
                    JsonNode url = part.path("image_url");
                    url = url.isObject() ? url.path("url") : url;
                    if (!url.isTextual()) {
                        throw ApiException.badRequest("invalid message format");
                    }
                    images.add(imageData(url.asText()));
                }
                default -> throw ApiException.badRequest("invalid message format");
            }
        }
        message.put("content", text.toString());
        if (!images.isEmpty()) {
            message.set("images", images);
        }
    }

    /** The base64 data of an image's data URI; remote URLs are not fetched. */
    private static String imageData(String url) {
        if (url.startsWith("http://") || url.startsWith("https://")) {
            throw ApiException.badRequest("image URLs are not currently supported, please use base64 encoded data instead");
        }
        if (url.startsWith("data:;base64,")) {
            return url.substring("data:;base64,".length());
        }
        for (String type : IMAGE_TYPES) {
            String prefix = "data:image/" + type + ";base64,";
            if (url.startsWith(prefix)) {
                return url.substring(prefix.length());
            }
        }
        throw ApiException.badRequest("invalid image input");
    }

    /** An assistant message's calls: OpenAI's arguments are a JSON string, Ollama's an object. */
    static ArrayNode toolCalls(JsonNode openAi) {
        ArrayNode calls = GoJson.MAPPER.createArrayNode();
        for (JsonNode call : openAi) {
            ObjectNode ollama = calls.addObject();
            ollama.put("id", call.path("id").asText(""));
            ObjectNode function = ollama.putObject("function");
            function.put("index", call.path("index").asInt(calls.size() - 1));
            function.put("name", call.path("function").path("name").asText(""));
            function.set("arguments", arguments(call.path("function").path("arguments").asText("")));
        }
        return calls;
    }

    static JsonNode arguments(String json) {
        try {
            JsonNode arguments = json.isBlank() ? GoJson.object() : GoJson.MAPPER.readTree(json);
            if (!arguments.isObject()) {
                throw ApiException.badRequest("invalid tool call arguments");
            }
            return arguments;
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("invalid tool call arguments");
        }
    }

    /** The function a tool message answers, found by its call id among the earlier calls (the last one wins). */
    static String toolName(ArrayNode messages, String callId) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            for (JsonNode call : messages.get(i).path("tool_calls")) {
                if (call.path("id").asText("").equals(callId)) {
                    return call.path("function").path("name").asText("");
                }
            }
        }
        return "";
    }

    /**
     * The tools the model is offered: {@code tool_choice} "none" offers none, a named function only that one; "auto"
     * and "required" offer them all (the model is not forced to call one).
     */
    private static ArrayNode offeredTools(JsonNode tools, JsonNode choice) {
        ArrayNode offered = GoJson.MAPPER.createArrayNode();
        if (!tools.isArray()) {
            throw ApiException.badRequest("invalid tools: expected an array");
        }
        String only = choice != null && choice.isObject() ? choice.path("function").path("name").asText(null) : null;
        if (choice != null && choice.isTextual() && choice.asText().equals("none")) {
            return offered;
        }
        for (JsonNode tool : tools) {
            if (only == null || tool.path("function").path("name").asText("").equals(only)) {
                offered.add(tool);
            }
        }
        return offered;
    }

    /** {@code response_format}: json_object as format "json", json_schema as its schema, text as no format. */
    private static JsonNode format(JsonNode responseFormat) {
        return switch (responseFormat.path("type").asText("").strip().toLowerCase()) {
            case "json_object" -> TextNode.valueOf("json");
            case "json_schema" -> responseFormat.path("json_schema").get("schema");
            default -> null;
        };
    }

    /**
     * A reasoning effort as Ollama's think value: "none" turns thinking off, OpenAI's and its clients' tiers beyond
     * Ollama's are clamped to the nearest; empty leaves the model's default (null).
     */
    static JsonNode think(String effort) {
        return switch (effort) {
            case "" -> null;
            case "none" -> BooleanNode.FALSE;
            case "minimal" -> TextNode.valueOf("low");
            case "low", "medium", "high", "max" -> TextNode.valueOf(effort);
            case "xhigh", "ultra" -> TextNode.valueOf("max");
            default -> throw ApiException.badRequest("invalid reasoning value: \"" + effort
                    + "\" (must be \"minimal\", \"low\", \"medium\", \"high\", \"xhigh\", \"ultra\", \"max\", or \"none\")");
        };
    }
}
