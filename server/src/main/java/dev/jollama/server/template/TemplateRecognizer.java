package dev.jollama.server.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the Ollama named template for a GGUF's Jinja {@code tokenizer.chat_template}, as Ollama does when it
 * creates a model: the index lists Jinja templates with the named template each stands for; the closest by
 * Levenshtein distance (counted in code points, first one on ties) wins if it is less than 100 edits away.
 */
public final class TemplateRecognizer {

    /** A Jinja template of the index and the named template it maps to. */
    public record IndexEntry(String name, String chatTemplate) {
    }

    /** Ollama accepts a match only below this distance. */
    private static final int MAX_DISTANCE = 100;

    private final List<IndexEntry> index;
    private final Map<String, NamedTemplate> templates;

    /**
     * @param index     the Jinja templates in Ollama's order
     * @param templates the named templates by name; every name of the index must be there
     */
    public TemplateRecognizer(List<IndexEntry> index, Map<String, NamedTemplate> templates) {
        for (IndexEntry entry : index) {
            if (!templates.containsKey(entry.name())) {
                throw new IllegalArgumentException("no template " + entry.name() + " for the index");
            }
        }
        this.index = List.copyOf(index);
        this.templates = Map.copyOf(templates);
    }

    /**
     * Loads Ollama's layout: {@code index.json} (a list of {@code {"template": jinja, "name": name}}), and for each
     * name {@code NAME.gotmpl} and, if present, {@code NAME.json}.
     */
    public static TemplateRecognizer load(Path directory) throws IOException {
        JsonNode root = new ObjectMapper().readTree(directory.resolve("index.json").toFile());
        List<IndexEntry> index = new ArrayList<>();
        Map<String, NamedTemplate> templates = new HashMap<>();
        for (JsonNode entry : root) {
            String name = entry.get("name").asText();
            index.add(new IndexEntry(name, entry.get("template").asText()));
            if (!templates.containsKey(name)) {
                String text = Files.readString(directory.resolve(name + ".gotmpl"), StandardCharsets.UTF_8)
                        .replace("\r\n", "\n");
                Path params = directory.resolve(name + ".json");
                String parameters = Files.exists(params) ? Files.readString(params, StandardCharsets.UTF_8) : null;
                templates.put(name, new NamedTemplate(name, text, parameters));
            }
        }
        return new TemplateRecognizer(index, templates);
    }

    /** The named template closest to the Jinja template, if any is close enough. */
    public Optional<NamedTemplate> recognize(String chatTemplate) {
        int[] target = chatTemplate.codePoints().toArray();
        IndexEntry best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (IndexEntry entry : index) {
            // Only a distance below both the best so far and the acceptance limit can change the outcome.
            int limit = Math.min(bestDistance, MAX_DISTANCE);
            int distance = boundedDistance(target, entry.chatTemplate().codePoints().toArray(), limit);
            if (distance < limit) {
                bestDistance = distance;
                best = entry;
            }
        }
        return best == null ? Optional.empty() : Optional.of(templates.get(best.name()));
    }

    /** The Levenshtein distance of a and b if it is below {@code limit}, else {@code limit}. */
    static int boundedDistance(int[] a, int[] b, int limit) {
        if (Math.abs(a.length - b.length) >= limit) {
            return limit;
        }
        int[] previous = new int[b.length + 1];
        int[] row = new int[b.length + 1];
        for (int j = 0; j <= b.length; j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length; i++) {
            row[0] = i;
            int rowMin = row[0];
            for (int j = 1; j <= b.length; j++) {
                int substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                row[j] = Math.min(substitution, Math.min(previous[j], row[j - 1]) + 1);
                rowMin = Math.min(rowMin, row[j]);
            }
            if (rowMin >= limit) {
                return limit; // distances never shrink from one row to the next
            }
            int[] swap = previous;
            previous = row;
            row = swap;
        }
        return Math.min(previous[b.length], limit);
    }
}
