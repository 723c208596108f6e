package dev.jollama.engine.model;

import dev.jollama.engine.SharedTestData;
import dev.jollama.engine.gguf.GgmlType;
import dev.jollama.engine.gguf.GgufFile;
import dev.jollama.engine.gguf.GgufFormatException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A model leaves none of its mappings behind, neither the file's nor the copies of its matrices in their decode
 * layout (private mappings of the same file): the process's mappings of a model file (a copy of a test model under
 * target/) are gone once its load has failed or the model is closed.
 */
class ModelMappingsTest {
    private static final Path MAPS = Path.of("/proc/self/maps");
    private Path file;

    @BeforeEach
    void copyModel() throws IOException {
        assumeTrue(Files.isReadable(MAPS), "needs /proc/self/maps (Linux) to see the process's mappings");
        file = Files.createDirectories(Path.of("target", "mappings")).resolve(UUID.randomUUID() + ".gguf").toAbsolutePath();
        Files.copy(SharedTestData.model("syn-llama-q4_k_m.gguf"), file);
    }

    @AfterEach
    void deleteModel() throws IOException {
        if (file != null) {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void aModelThatFailsToLoadAfterItsFirstLayerLeavesNothingMapped() throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        String tensor = "blk.1.ffn_up.weight";
        bytes[WeightShapeTest.tensorInfo(bytes, tensor) + tensor.length() - 1] ^= 0x20; // no longer found
        Files.write(file, bytes);

        assertThatThrownBy(() -> Model.load(file).close()).isInstanceOf(GgufFormatException.class).hasMessageContaining("'" + tensor + "'");

        assertThat(mappingsOfFile()).isEmpty();
    }

    @Test
    void aClosedModelWhoseCopiesWereFilledLeavesNothingMapped() throws Exception {
        try (Model model = Model.load(file)) {
            Sequence sequence = model.newSequence(16);
            model.forward(sequence, 1); // a decode step starts the filling of the copies
            model.awaitLayouts();
            model.forward(sequence, 2);
            assertThat(mappingsOfFile()).as("the file and its copies").hasSizeGreaterThan(1);
        }

        assertThat(mappingsOfFile()).isEmpty();
    }

    /**
     * Only matrices of products get copies: the token embedding beside an output matrix is only looked up, so of the
     * file's Q4_0, Q4_K and Q6_K matrices (in whole groups of rows of whole blocks) every one but the embedding has its
     * private mapping.
     */
    @Test
    void theTokenEmbeddingBesideAnOutputMatrixGetsNoCopy() throws IOException {
        long expected;
        try (GgufFile gguf = GgufFile.open(file)) {
            assumeTrue(gguf.tensors().containsKey("output.weight"), "the test model ties its output to the embedding");
            expected = gguf.tensors().values().stream()
                    .filter(t -> t.shape().length == 2 && (t.type() == GgmlType.Q4_K || t.type() == GgmlType.Q4_0 || t.type() == GgmlType.Q6_K)
                            && t.shape()[1] % 16 == 0 && t.shape()[0] % t.type().blockSize == 0)
                    .filter(t -> !t.name().equals("token_embd.weight"))
                    .count();
        }
        try (Model model = Model.load(file)) {
            long copies = mappingsOfFile().stream().filter(line -> line.split("\\s+")[1].endsWith("p")).count();
            assertThat(copies).as("private mappings of the model's file").isEqualTo(expected).isPositive();
        }
    }

    private List<String> mappingsOfFile() throws IOException {
        return Files.readAllLines(MAPS).stream().filter(line -> line.endsWith(file.toString())).toList();
    }
}
