package dev.jollama.engine.gguf;

import dev.jollama.engine.SharedTestData;
import dev.jollama.engine.model.Model;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Truncated and corrupted model files must fail with a {@link GgufFormatException} that names the file: never another
 * exception type, an OutOfMemoryError or a hang.
 */
class CorruptFileTest {
    private static final int CASES = 200;

    @ParameterizedTest
    @ValueSource(strings = {"stories260K.gguf", "stories260K-gguf-v1-f32.gguf", "syn-gemma3-q4_k_m.gguf", "syn-qwen2-gpt2-q8_0.gguf",
            "syn-llama-iq2_m.gguf", "syn-llama-iq1_m.gguf", "syn-llama-tq1_0.gguf"})
    void truncatedFilesFailClearly(String modelName) throws IOException {
        byte[] whole = Files.readAllBytes(SharedTestData.model(modelName));
        Random random = new Random(modelName.hashCode());
        assertTimeoutPreemptively(Duration.ofMinutes(2), () -> {
            for (int i = 0; i < CASES; i++) {
                int length = random.nextInt(whole.length);
                MemorySegment truncated = MemorySegment.ofArray(whole).asSlice(0, length);
                assertThatThrownBy(() -> load(modelName, truncated))
                        .as("%s truncated to %d of %d bytes", modelName, length, whole.length)
                        .isInstanceOf(GgufFormatException.class)
                        .hasMessageContaining(modelName);
            }
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"stories260K.gguf", "stories260K-gguf-v1-f32.gguf", "syn-qwen3-q8_0.gguf", "syn-qwen2-gpt2-q8_0.gguf",
            "syn-llama-iq3_s.gguf"})
    void flippedHeaderBytesFailClearlyOrStillLoad(String modelName) throws IOException {
        byte[] whole = Files.readAllBytes(SharedTestData.model(modelName));
        int headerLength;
        try (GgufFile file = GgufFile.of(Path.of(modelName), MemorySegment.ofArray(whole))) {
            headerLength = (int) file.dataOffset();
        }
        Random random = new Random(~modelName.hashCode());
        assertTimeoutPreemptively(Duration.ofMinutes(2), () -> {
            for (int i = 0; i < CASES; i++) {
                byte[] corrupt = whole.clone();
                // Numbers and lengths live in the first bytes of each field: favour small offsets, flip high bits too.
                int flips = 1 + random.nextInt(4);
                for (int f = 0; f < flips; f++) {
                    int at = random.nextBoolean() ? random.nextInt(Math.min(64, headerLength)) : random.nextInt(headerLength);
                    corrupt[at] ^= (byte) (1 << random.nextInt(8));
                }
                try {
                    load(modelName, MemorySegment.ofArray(corrupt)).close();
                } catch (GgufFormatException expected) {
                    assertThat(expected.getMessage()).contains(modelName);
                }
            }
        });
    }

    /** One file per tensor type of issue 18's first half (Q3_K and Q2_K in the q2_k file), with a tensor of that type. */
    private static final String[][] NEW_TYPES = {{"syn-llama-q4_1.gguf", "Q4_1"}, {"syn-llama-q5_1.gguf", "Q5_1"},
            {"syn-llama-iq4_nl.gguf", "IQ4_NL"}, {"syn-llama-iq4_xs.gguf", "IQ4_XS"}, {"syn-llama-mxfp4.gguf", "MXFP4"},
            {"syn-llama-q2_k.gguf", "Q2_K"}, {"syn-llama-q2_k.gguf", "Q3_K"}};

    /**
     * A file cut inside a tensor's blocks, for each of these types: the error names the file and the tensor (the one
     * that starts first among those the cut reaches), and random truncations fail clearly as for the other types.
     */
    @Test
    void filesCutInsideBlocksOfEachTypeNameTheTensor() throws IOException {
        for (String[] fileAndType : NEW_TYPES) {
            String modelName = fileAndType[0];
            GgmlType type = GgmlType.valueOf(fileAndType[1]);
            byte[] whole = Files.readAllBytes(SharedTestData.model(modelName));
            GgufTensorInfo tensor;
            long dataOffset;
            java.util.List<GgufTensorInfo> byOffset;
            try (GgufFile file = GgufFile.of(Path.of(modelName), MemorySegment.ofArray(whole))) {
                tensor = file.tensors().values().stream().filter(t -> t.type() == type).findFirst().orElseThrow();
                dataOffset = file.dataOffset();
                byOffset = file.tensors().values().stream().sorted(java.util.Comparator.comparingLong(GgufTensorInfo::offset)).toList();
            }
            Random random = new Random(modelName.hashCode() + type.id);
            for (int i = 0; i < 20; i++) {
                // A cut inside a block of the tensor (not on a block boundary).
                long blocks = tensor.data().byteSize() / type.bytesPerBlock;
                long cut = dataOffset + tensor.offset() + random.nextLong(blocks) * type.bytesPerBlock + 1 + random.nextInt(type.bytesPerBlock - 1);
                String first = byOffset.stream().filter(t -> dataOffset + t.offset() + t.data().byteSize() > cut).findFirst().orElseThrow().name();
                MemorySegment truncated = MemorySegment.ofArray(whole).asSlice(0, cut);
                assertThatThrownBy(() -> load(modelName, truncated))
                        .as("%s cut at byte %d, inside %s tensor '%s'", modelName, cut, type, tensor.name())
                        .isInstanceOf(GgufFormatException.class)
                        .hasMessageContaining(modelName)
                        .hasMessageContaining("tensor '" + first + "'");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"syn-llama-q4_1.gguf", "syn-llama-q5_1.gguf", "syn-llama-iq4_nl.gguf", "syn-llama-iq4_xs.gguf",
            "syn-llama-mxfp4.gguf", "syn-llama-q2_k.gguf"})
    void truncatedFilesOfTheNewTypesFailClearly(String modelName) throws IOException {
        truncatedFilesFailClearly(modelName);
    }

    /**
     * Any bytes are a block of these types (scales included: an fp16 or E8M0 with flipped bits is still a number, if
     * not a finite one), so flipped bytes inside the blocks cannot be told from weights: the file still loads and a
     * token goes through every tensor without an exception.
     */
    @Test
    void flippedBlockBytesOfEachTypeStillRun() throws IOException {
        for (String[] fileAndType : NEW_TYPES) {
            String modelName = fileAndType[0];
            GgmlType type = GgmlType.valueOf(fileAndType[1]);
            byte[] corrupt = Files.readAllBytes(SharedTestData.model(modelName));
            Random random = new Random(~(modelName.hashCode() + type.id));
            try (GgufFile file = GgufFile.of(Path.of(modelName), MemorySegment.ofArray(corrupt.clone()))) {
                for (GgufTensorInfo t : file.tensors().values()) {
                    if (t.type() == type) {
                        for (int f = 0; f < 64; f++) {
                            int at = (int) (file.dataOffset() + t.offset() + random.nextLong(t.data().byteSize()));
                            corrupt[at] ^= (byte) (1 << random.nextInt(8));
                        }
                    }
                }
            }
            try (Model model = load(modelName, MemorySegment.ofArray(corrupt))) {
                assertThat(model.forward(model.newSequence(4), 1)).as("%s with flipped %s bytes", modelName, type).isNotEmpty();
            }
        }
    }

    /**
     * Each file of the IQ and TQ types cut inside the last block of each tensor of those types (their data follow the
     * header's order): the error names the file and that tensor.
     */
    @ParameterizedTest
    @ValueSource(strings = {"syn-llama-iq3_xxs.gguf", "syn-llama-iq3_s.gguf", "syn-llama-iq2_xxs.gguf", "syn-llama-iq2_xs.gguf",
            "syn-llama-iq2_m.gguf", "syn-llama-iq1_s.gguf", "syn-llama-iq1_m.gguf", "syn-llama-tq1_0.gguf", "syn-llama-tq2_0.gguf"})
    void filesCutInsideAnIqOrTqBlockNameTheTensor(String modelName) throws IOException {
        Set<GgmlType> types = EnumSet.of(GgmlType.IQ3_XXS, GgmlType.IQ3_S, GgmlType.IQ2_XXS, GgmlType.IQ2_XS, GgmlType.IQ2_S,
                GgmlType.IQ1_S, GgmlType.IQ1_M, GgmlType.TQ1_0, GgmlType.TQ2_0);
        byte[] whole = Files.readAllBytes(SharedTestData.model(modelName));
        List<GgufTensorInfo> tensors;
        long dataOffset;
        try (GgufFile file = GgufFile.of(Path.of(modelName), MemorySegment.ofArray(whole))) {
            tensors = List.copyOf(file.tensors().values());
            dataOffset = file.dataOffset();
        }
        int cuts = 0;
        for (GgufTensorInfo t : tensors) {
            if (types.contains(t.type())) {
                long end = dataOffset + t.offset() + t.data().byteSize();
                MemorySegment cut = MemorySegment.ofArray(whole).asSlice(0, end - t.type().bytesPerBlock / 2);
                assertThatThrownBy(() -> load(modelName, cut))
                        .as("%s cut inside the last block of %s (%s)", modelName, t.name(), t.type())
                        .isInstanceOf(GgufFormatException.class)
                        .hasMessageContaining(modelName)
                        .hasMessageContaining("tensor '" + t.name() + "'")
                        .hasMessageContaining("truncated");
                cuts++;
            }
        }
        assertThat(cuts).as("tensors of the IQ and TQ types in " + modelName).isPositive();
    }

    @Test
    void notAGgufFileSaysSo() {
        assertThatThrownBy(() -> GgufFile.of(Path.of("notes.txt"), MemorySegment.ofArray("hello world, not a model".getBytes())))
                .isInstanceOf(GgufFormatException.class)
                .hasMessageContaining("notes.txt")
                .hasMessageContaining("not a GGUF file");
    }

    @Test
    void missingFileSaysSo() {
        assertThatThrownBy(() -> GgufFile.open(Path.of("target/no-such-model.gguf")))
                .isInstanceOf(GgufFormatException.class)
                .hasMessageContaining("no-such-model.gguf");
    }

    private static Model load(String name, MemorySegment bytes) {
        return Model.load(GgufFile.of(Path.of(name), bytes));
    }
}
