package dev.jollama.server.openai;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jollama.server.api.GoJson;

/** An error as OpenAI's clients read it: {@code {"error": {"message", "type", "param", "code"}}}. */
public final class OpenAiError {
    private OpenAiError() {
    }

    /** The body for a status and message; the type follows the status as Ollama's middleware sets it. */
    public static ObjectNode body(int status, String message) {
        ObjectNode error = GoJson.object();
        ObjectNode fields = error.putObject("error");
        fields.put("message", message);
        fields.put("type", switch (status) {
            case 400, 401 -> "invalid_request_error";
            case 404 -> "not_found_error";
            default -> "api_error";
        });
        fields.putNull("param");
        if (status == 401) {
            fields.put("code", "invalid_api_key");
        } else {
            fields.putNull("code");
        }
        return error;
    }
}
