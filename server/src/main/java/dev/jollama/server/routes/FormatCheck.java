package dev.jollama.server.routes;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jollama.server.api.ApiException;
import dev.jollama.server.api.GoJson;

/** The {@code format} field: absent, null, "" , "json" or a JSON Schema object; anything else is Ollama's 500. */
final class FormatCheck {
    private FormatCheck() {
    }

    static void validate(JsonNode format) {
        if (format == null || format.isNull() || format.isObject() || (format.isTextual() && (format.asText().isEmpty() || format.asText().equals("json")))) {
            return;
        }
        String raw = new String(GoJson.bytes(format), java.nio.charset.StandardCharsets.UTF_8);
        throw new ApiException(500, "invalid format: " + GoQuote.quote(raw) + "; expected \"json\" or a valid JSON Schema object");
    }
}
