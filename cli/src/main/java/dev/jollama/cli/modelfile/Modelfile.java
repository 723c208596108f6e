package dev.jollama.cli.modelfile;

import dev.jollama.client.Message;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed Modelfile: what {@code jollama create} sends to the server.
 *
 * @param from       the FROM value: a model name, or a path to a GGUF file (see {@link #fromFile})
 * @param projector  a second FROM: a vision model's image projector GGUF beside the first FROM's file, or null
 * @param template   the TEMPLATE, or null when not given
 * @param system     the SYSTEM message, or null when not given
 * @param parameters PARAMETER values typed per option (Long, Double, Boolean, or a list of strings for stop), in
 *                   the order first given
 * @param messages   the MESSAGE lines, in order
 * @param licenses   one entry per LICENSE
 * @param warnings   things ignored on purpose, each naming its line (deprecated parameters)
 */
public record Modelfile(String from, String projector, String template, String system, Map<String, Object> parameters,
                        List<Message> messages, List<String> licenses, List<String> warnings) {

    /**
     * The file FROM names, if it names one: a path that exists, relative to the Modelfile's folder unless absolute
     * or starting with {@code ~}. Anything else is a model name, as the ollama command decides.
     */
    public Optional<Path> fromFile(Path modelfileFolder) {
        return file(from, modelfileFolder);
    }

    /** The projector's file, if there is a second FROM and it names an existing file (as {@link #fromFile}). */
    public Optional<Path> projectorFile(Path modelfileFolder) {
        return projector == null ? Optional.empty() : file(projector, modelfileFolder);
    }

    private static Optional<Path> file(String value, Path modelfileFolder) {
        Path path;
        if (value.equals("~") || value.startsWith("~/")) {
            path = Path.of(System.getProperty("user.home") + value.substring(1));
        } else {
            path = modelfileFolder.resolve(value);
        }
        path = path.toAbsolutePath().normalize();
        return Files.exists(path) ? Optional.of(path) : Optional.empty();
    }
}
