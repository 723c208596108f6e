package dev.jollama.server.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jollama.server.api.ApiException;
import dev.jollama.server.api.ChatRequest;
import dev.jollama.server.api.GoJson;
import dev.jollama.server.api.RequestBody;

/**
 * The body of POST /v1/responses (OpenAI's Responses API, as far as Ollama implements it), translated into the body of
 * an /api/chat request: instructions become a system message, input text a user message, input items messages,
 * function calls and their outputs; {@code text.format} a format, {@code reasoning.effort} think.
 *
 * @param echo the request's settings as a response object repeats them (instructions, tools, temperature, ...)
 */
record ResponsesRequest(ChatRequest chat, ObjectNode echo) {

    static ResponsesRequest parse(byte[] json) {
        RequestBody body = RequestBody.parse("ResponsesRequest", json);
        ObjectNode chat = GoJson.object();
        chat.put("model", body.string("model"));
        ArrayNode messages = chat.putArray("messages");
        String instructions = body.string("instructions");
        if (!instructions.isEmpty()) {
            messages.addObject().put("role", "system").put("content", instructions);
        }
        JsonNode input = body.node("input").orElse(null);
        if (input != null && input.isTextual()) {
            messages.addObject().put("role", "user").put("content", input.asText());
        } else if (input != null && input.isArray()) {
            addItems(messages, input);
        } else if (input != null) {
            throw ApiException.badRequest("input must be a string or a list of input items");
        }
        if (messages.isEmpty()) {
            throw ApiException.badRequest("input is required");
        }
        chat.put("stream", body.bool("stream").orElse(false));
        chat.set("options", OptionFields.options(body, "max_output_tokens"));
        JsonNode format = body.node("text").map(t -> t.path("format")).orElse(GoJson.object());
        switch (format.path("type").asText("text")) {
            case "json_schema" -> chat.set("format", format.path("schema"));
            case "json_object" -> chat.put("format", "json");
            default -> { }
        }
        ArrayNode tools = GoJson.MAPPER.createArrayNode();
        for (JsonNode tool : body.node("tools").orElse(GoJson.MAPPER.createArrayNode())) {
            if (!tool.path("type").asText("").equals("function")) {
                throw ApiException.badRequest("unsupported tool type: " + tool.path("type").asText("") + " (only function tools are)");
            }
            ObjectNode function = tools.addObject().put("type", "function").putObject("function");
            function.put("name", tool.path("name").asText(""));
            if (tool.hasNonNull("description")) {
                function.set("description", tool.get("description"));
            }
            function.set("parameters", tool.hasNonNull("parameters") ? tool.get("parameters") : GoJson.object());
        }
        chat.set("tools", tools);
        JsonNode think = ChatCompletionRequest.think(body.node("reasoning").map(r -> r.path("effort").asText("")).orElse(""));
        if (think != null) {
            chat.set("think", think);
        }
        return new ResponsesRequest(ChatRequest.parse(GoJson.bytes(chat)), echo(body, instructions, format));
    }

    /** Message items, function calls (merged into the assistant message before them) and their outputs. */
    private static void addItems(ArrayNode messages, JsonNode items) {
        String pendingThinking = "";
        for (JsonNode item : items) {
            String type = item.path("type").asText("message");
            switch (type) {
                case "message" -> {
                    ObjectNode message = messages.addObject();
                    String role = item.path("role").asText("user");
                    message.put("role", role.equals("developer") ? "system" : role);
                    message.put("content", text(item.path("content")));
                    if (role.equals("assistant") && !pendingThinking.isEmpty()) {
                        message.put("thinking", pendingThinking);
                        pendingThinking = "";
                    }
                }
                case "reasoning" -> pendingThinking = item.path("encrypted_content").asText("");
                case "function_call" -> {
                    JsonNode last = messages.isEmpty() ? null : messages.get(messages.size() - 1);
                    ObjectNode message = last != null && last.path("role").asText().equals("assistant")
                            ? (ObjectNode) last : messages.addObject().put("role", "assistant").put("content", "");
                    if (!pendingThinking.isEmpty()) {
                        message.put("thinking", pendingThinking);
                        pendingThinking = "";
                    }
                    ArrayNode calls = message.withArray("tool_calls");
                    ObjectNode call = calls.addObject();
                    call.put("id", item.path("call_id").asText(""));
                    ObjectNode function = call.putObject("function");
                    function.put("index", calls.size() - 1);
                    function.put("name", item.path("name").asText(""));
                    function.set("arguments", ChatCompletionRequest.arguments(item.path("arguments").asText("")));
                }
                case "function_call_output" -> messages.addObject().put("role", "tool")
                        .put("content", text(item.path("output"))).put("tool_call_id", item.path("call_id").asText(""))
                        .put("tool_name", ChatCompletionRequest.toolName(messages, item.path("call_id").asText("")));
                default -> throw ApiException.badRequest("unsupported input item type: " + type);
            }
        }
        if (!pendingThinking.isEmpty()) {
            messages.addObject().put("role", "assistant").put("content", "").put("thinking", pendingThinking);
        }
    }

    /** Content as a string, or the text of its input_text and output_text parts. */
    private static String text(JsonNode content) {
        if (content.isTextual() || content.isMissingNode() || content.isNull()) {
            return content.asText("");
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode part : content) {
            switch (part.path("type").asText("")) {
                case "input_text", "output_text" -> text.append(text.isEmpty() ? "" : "\n").append(part.path("text").asText(""));
                default -> throw ApiException.badRequest("unsupported content part type: " + part.path("type").asText(""));
            }
        }
        return text.toString();
    }

    /** The fields of a response object that repeat the request, in OpenAI's order. */
    private static ObjectNode echo(RequestBody body, String instructions, JsonNode format) {
        ObjectNode echo = GoJson.object();
        if (instructions.isEmpty()) {
            echo.putNull("instructions");
        } else {
            echo.put("instructions", instructions);
        }
        body.integer("max_output_tokens").ifPresentOrElse(n -> echo.put("max_output_tokens", n), () -> echo.putNull("max_output_tokens"));
        echo.put("parallel_tool_calls", true);
        echo.putNull("previous_response_id");
        echo.put("temperature", body.number("temperature").orElse(1.0));
        echo.put("tool_choice", "auto");
        echo.set("tools", body.node("tools").orElse(GoJson.MAPPER.createArrayNode()));
        echo.put("top_p", body.number("top_p").orElse(1.0));
        echo.putObject("text").set("format", format.has("type") ? format : GoJson.object().put("type", "text"));
        echo.set("reasoning", body.node("reasoning").orElse(null));
        echo.put("truncation", "disabled");
        echo.putObject("metadata");
        echo.put("store", false);
        echo.put("background", false);
        echo.put("service_tier", "default");
        return echo;
    }
}
