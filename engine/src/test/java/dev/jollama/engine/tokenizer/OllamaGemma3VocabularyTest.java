package dev.jollama.engine.tokenizer;

import dev.jollama.engine.gguf.GgmlType;
import dev.jollama.engine.gguf.GgufFile;
import dev.jollama.engine.gguf.GgufWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ollama's single-file Gemma 3 keeps {@code <image_soft_token>} in its vocabulary past the embedding's rows: the
 * vocabulary ends at the rows, as Ollama reads it; elsewhere a longer vocabulary stays an error of the model.
 */
class OllamaGemma3VocabularyTest {

    @Test
    void theVocabularyEndsAtTheEmbeddingRows(@TempDir Path dir) throws IOException {
        assertThat(vocabularySize(dir.resolve("vision.gguf"), true)).isEqualTo(4);
        assertThat(vocabularySize(dir.resolve("text.gguf"), false)).isEqualTo(5);
    }

    private static int vocabularySize(Path path, boolean visionTensors) throws IOException {
        GgufWriter w = new GgufWriter().put("general.architecture", "gemma3")
                .put("tokenizer.ggml.model", "llama")
                .put("tokenizer.ggml.tokens", new String[] {"<unk>", "<s>", "</s>", "a", "<image_soft_token>"})
                .put("tokenizer.ggml.scores", new float[5])
                .put("tokenizer.ggml.token_type", new int[] {2, 3, 3, 1, 4})
                .put("tokenizer.ggml.bos_token_id", 1)
                .put("tokenizer.ggml.eos_token_id", 2);
        w.tensor("token_embd.weight", new long[] {4, 4}, GgmlType.F32, out -> out.write(new byte[64]));
        if (visionTensors) {
            w.tensor("v.patch_embedding.weight", new long[] {4}, GgmlType.F32, out -> out.write(new byte[16]));
        }
        w.write(path);
        try (GgufFile file = GgufFile.open(path)) {
            return Tokenizer.fromGguf(file).vocabularySize();
        }
    }
}
