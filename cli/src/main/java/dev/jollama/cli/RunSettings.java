package dev.jollama.cli;

import dev.jollama.client.Format;
import dev.jollama.client.KeepAlive;
import dev.jollama.client.Options;
import dev.jollama.client.Think;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** What {@code run} sends with each request; in a chat the {@code /set} and {@code /load} commands change it. */
final class RunSettings {
    /** The values {@code --think} and {@code /set think} take. */
    static final Set<String> THINK_VALUES = Set.of("true", "false", "low", "medium", "high", "max");

    String model;
    /** null for free text */
    Format format;
    /** null for the model's default */
    Think think;
    boolean hideThinking;
    /** null for the server's default */
    KeepAlive keepAlive;
    boolean verbose;
    /** option values by their Ollama names, set by flags or /set parameter */
    final Map<String, Object> options = new LinkedHashMap<>();

    RunSettings(String model) {
        this.model = model;
    }

    /** The options to send, or null when none is set, so that the model's own parameters apply. */
    Options requestOptions() {
        if (options.isEmpty()) {
            return null;
        }
        Options.Builder builder = Options.builder();
        options.forEach(builder::set);
        return builder.build();
    }

    /** {@code true}, {@code false} or a level ({@code low}, {@code medium}, {@code high}, {@code max}). */
    static Think think(String value) {
        return switch (value) {
            case "true" -> Think.ENABLED;
            case "false" -> Think.DISABLED;
            default -> {
                if (!THINK_VALUES.contains(value)) {
                    throw new IllegalArgumentException("invalid think value \"" + value
                            + "\" (must be true, false, high, medium, low, or max)");
                }
                yield Think.valueOf(value.toUpperCase(Locale.ROOT));
            }
        };
    }
}
