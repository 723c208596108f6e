package dev.jollama.server.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jollama.server.api.ApiException;
import dev.jollama.server.api.GenerateRequest;
import dev.jollama.server.api.GoJson;
import dev.jollama.server.api.RequestBody;

/**
 * The body of POST /v1/completions (the legacy completions), translated into the body of an /api/generate request
 * as Ollama's middleware translates it, then bound as /api/generate binds its own.
 *
 * @param includeUsage {@code stream_options.include_usage}: a streamed reply ends with a usage chunk
 */
record TextCompletionRequest(GenerateRequest generate, boolean includeUsage) {

    static TextCompletionRequest parse(byte[] json) {
        RequestBody body = RequestBody.parse("CompletionRequest", json);
        OptionFields.requireOneChoice(body);
        if (body.bool("echo").orElse(false)) {
            throw ApiException.badRequest("echo is not supported: the reply holds the completion only");
        }
        ObjectNode generate = GoJson.object();
        generate.put("model", body.string("model"));
        generate.put("prompt", prompt(body.node("prompt").orElse(null)));
        generate.put("suffix", body.string("suffix"));
        generate.put("stream", body.bool("stream").orElse(false));
        generate.set("options", OptionFields.options(body, "max_tokens"));
        // The legacy logprobs: the number of alternatives per token; 0 asks for the chosen tokens' alone.
        body.integer("logprobs").filter(n -> n >= 0).ifPresent(n -> {
            generate.put("logprobs", true);
            generate.put("top_logprobs", n);
        });
        boolean includeUsage = body.node("stream_options").map(o -> o.path("include_usage").asBoolean(false)).orElse(false);
        return new TextCompletionRequest(GenerateRequest.parse(GoJson.bytes(generate)), includeUsage);
    }

    /** A prompt is a string, or a list holding one string (one prompt per request, as only one choice is made). */
    private static String prompt(JsonNode prompt) {
        if (prompt == null) {
            return "";
        }
        if (prompt.isTextual()) {
            return prompt.asText();
        }
        if (prompt.isArray() && prompt.size() == 1 && prompt.get(0).isTextual()) {
            return prompt.get(0).asText();
        }
        throw ApiException.badRequest("prompt must be a string or a list of one string");
    }
}
