package dev.jollama.server.routes;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jollama.engine.grammar.Grammar;
import dev.jollama.engine.grammar.JsonGrammar;
import dev.jollama.engine.grammar.JsonSchemaCompiler;
import dev.jollama.engine.grammar.SchemaException;
import dev.jollama.server.api.ApiException;
import dev.jollama.server.api.GoJson;

import java.util.Map;

/**
 * The {@code format} field as a grammar: absent, null or "" for none, "json" for one JSON object, an object for a
 * JSON Schema. Anything else is Ollama's 500; a schema that is not valid JSON Schema is a 400 naming the keyword and
 * where it is, before any model is loaded (Ollama answers 500 after loading).
 */
final class Formats {
    private static final System.Logger LOG = System.getLogger(Formats.class.getName());

    private Formats() {
    }

    /** Whether the request asks for a format at all. */
    static boolean given(JsonNode format) {
        return format != null && !format.isNull() && !(format.isTextual() && format.asText().isEmpty());
    }

    /**
     * The grammar the answer must match, or null. Keywords the grammar cannot express are ignored with a log line,
     * as Ollama's converter ignores them; a schema that is malformed or unsatisfiable is a 400.
     */
    static Grammar grammar(JsonNode format) {
        if (!given(format)) {
            return null;
        }
        if (format.isTextual() && format.asText().equals("json")) {
            return JsonGrammar.object();
        }
        if (!format.isObject()) {
            String raw = new String(GoJson.bytes(format), java.nio.charset.StandardCharsets.UTF_8);
            throw new ApiException(500, "invalid format: " + GoQuote.quote(raw) + "; expected \"json\" or a valid JSON Schema object");
        }
        try {
            return JsonSchemaCompiler.compile(GoJson.MAPPER.convertValue(format, Map.class),
                    ignored -> LOG.log(System.Logger.Level.WARNING, "format: ignoring what the grammar cannot express: {0}", ignored.getMessage()));
        } catch (SchemaException e) {
            throw ApiException.badRequest("invalid JSON schema in format: " + e.getMessage());
        }
    }
}
