package dev.jollama.server.template;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One of Ollama's named templates: its Go template text and, when it has one, its default parameters file.
 *
 * @param name           e.g. "llama3-instruct"
 * @param template       the Go template, line endings normalised to \n
 * @param parametersJson the parameters file as written, or null when the template has none
 */
public record NamedTemplate(String name, String template, String parametersJson) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The parameters layer Ollama creates for a model that uses this template: Ollama keeps only the stop
     * sequences of the file (so gemma3-instruct's temperature is dropped) and writes them with Go's JSON encoder,
     * e.g. {@code {"stop":["\u003cend_of_turn\u003e"]}} and a newline. Empty when there is no parameters file.
     *
     * @throws IllegalArgumentException if the parameters file is not valid JSON
     */
    public Optional<String> parametersLayer() {
        if (parametersJson == null) {
            return Optional.empty();
        }
        return Optional.of("{\"stop\":" + GoJson.marshal(stop()) + "}\n");
    }

    /** The stop sequences of the parameters file; null when it has none (Go's nil slice). */
    public List<String> stop() {
        if (parametersJson == null) {
            return null;
        }
        try {
            JsonNode stop = JSON.readTree(parametersJson).get("stop");
            if (stop == null || stop.isNull()) {
                return null;
            }
            List<String> sequences = new ArrayList<>();
            stop.forEach(element -> sequences.add(element.asText()));
            return sequences;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("invalid parameters of template " + name + ": " + e.getOriginalMessage(), e);
        }
    }
}
