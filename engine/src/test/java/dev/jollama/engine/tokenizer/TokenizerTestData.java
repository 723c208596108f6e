package dev.jollama.engine.tokenizer;

import dev.jollama.engine.SharedTestData;
import dev.jollama.engine.gguf.GgufFile;
import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the shared test data lives ({@code ../shared} beside the project), and loading tokenizers from it. */
final class TokenizerTestData {
    private TokenizerTestData() {
    }

    /** {@code ../shared/<relative>}; the calling test is skipped when it does not exist. */
    static Path shared(String relative) {
        Path path = SharedTestData.root().resolve(relative);
        Assumptions.assumeTrue(Files.exists(path), "not found in ../shared: " + path);
        return path;
    }

    static Tokenizer load(Path gguf) {
        try (GgufFile file = GgufFile.open(gguf)) {
            return Tokenizer.fromGguf(file);
        }
    }

    static Tokenizer loadVocabulary(String name) {
        return load(shared("tokenizer/ggml-vocab-" + name + ".gguf"));
    }
}
