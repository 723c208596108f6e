package dev.jollama.server.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jollama.server.api.ApiException;
import dev.jollama.server.api.GoJson;
import dev.jollama.server.api.RequestBody;

import java.util.Optional;

/**
 * The sampling fields of an OpenAI request as the {@code options} of an Ollama request. Temperature and top_p take
 * OpenAI's defaults (1) when the request leaves them out, as Ollama's middleware does, not the model's.
 */
final class OptionFields {
    private OptionFields() {
    }

    /**
     * @param maxTokenFields the fields that limit the answer's tokens, the preferred first (chat completions take
     *                       max_completion_tokens over the older max_tokens)
     */
    static ObjectNode options(RequestBody body, String... maxTokenFields) {
        ObjectNode options = GoJson.object();
        for (String field : maxTokenFields) {
            Optional<Integer> max = body.integer(field);
            if (max.isPresent()) {
                options.put("num_predict", max.get());
                break;
            }
        }
        options.put("temperature", body.number("temperature").orElse(1.0));
        options.put("top_p", body.number("top_p").orElse(1.0));
        body.integer("seed").ifPresent(seed -> options.put("seed", seed));
        body.number("frequency_penalty").ifPresent(p -> options.put("frequency_penalty", p));
        body.number("presence_penalty").ifPresent(p -> options.put("presence_penalty", p));
        body.node("stop").ifPresent(stop -> options.set("stop", stop(stop)));
        return options;
    }

    /** Only one choice per request: {@code n} other than 1 is refused rather than answered with one. */
    static void requireOneChoice(RequestBody body) {
        body.integer("n").filter(n -> n != 1)
                .ifPresent(n -> { throw ApiException.badRequest("n = " + n + " is not supported: only one choice (n = 1) is generated"); });
    }

    /** {@code stop}: one string or a list of them. */
    private static ArrayNode stop(JsonNode stop) {
        ArrayNode list = GoJson.MAPPER.createArrayNode();
        if (stop.isTextual()) {
            return list.add(stop.asText());
        }
        if (!stop.isArray()) {
            throw ApiException.badRequest("invalid type for 'stop' field: " + stop.getNodeType().name().toLowerCase());
        }
        for (JsonNode s : stop) {
            if (!s.isTextual()) {
                throw ApiException.badRequest("invalid type for 'stop' field: " + s.getNodeType().name().toLowerCase());
            }
            list.add(s.asText());
        }
        return list;
    }
}
