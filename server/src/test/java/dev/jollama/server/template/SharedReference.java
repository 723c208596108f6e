package dev.jollama.server.template;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The project's shared reference data, {@code shared/} beside the checkout. Tests run with the module as working
 * directory (server/), so the nearest ancestor of it with a {@code shared} folder is used; without one they skip.
 */
final class SharedReference {
    private SharedReference() {
    }

    static Path ollamaTemplates() {
        Path workingDirectory = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path dir = workingDirectory.getParent(); dir != null; dir = dir.getParent()) {
            Path templates = dir.resolve("shared").resolve("reference").resolve("ollama-templates");
            if (Files.isDirectory(templates)) {
                return templates;
            }
        }
        Assumptions.assumeTrue(false, "../shared not found above " + workingDirectory);
        throw new IllegalStateException("unreachable");
    }
}
