package dev.jollama.engine;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates {@code ../shared} (models, goldens, tokenizer vectors) beside the project root; tests skip without it. */
public final class SharedTestData {
    private SharedTestData() {
    }

    /** The shared folder, or a skipped test with a message saying where it was looked for. */
    public static Path root() {
        Path projectRoot = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        if (!Files.exists(projectRoot.resolve("pom.xml")) || Files.exists(projectRoot.getParent().resolve("pom.xml"))) {
            projectRoot = projectRoot.getParent(); // surefire runs in the module folder
        }
        Path shared = projectRoot.getParent().resolve("shared");
        Assumptions.assumeTrue(Files.isDirectory(shared), "../shared not found at " + shared + ": skipping tests that need the shared models and goldens");
        return shared;
    }

    public static Path model(String fileName) {
        return root().resolve("models").resolve(fileName);
    }
}
