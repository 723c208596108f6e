package dev.jollama.engine.quantize;

import dev.jollama.engine.SharedTestData;
import dev.jollama.engine.gguf.GgmlType;
import dev.jollama.engine.gguf.GgufFile;
import dev.jollama.engine.gguf.GgufTensorInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Quantizing a whole model gives the reference quantizer's file: same metadata, tensors, order, types and bytes. */
class ModelQuantizerTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"q8_0", "q4_0", "q4_k_m", "q4_1", "q5_1", "q5_k_m", "q6_k", "q3_k_s", "q3_k_m", "q3_k_l", "q2_k", "iq4_nl", "iq4_xs"})
    void syntheticLlamaEqualsTheReferenceFileTensorByTensor(String name) throws IOException {
        Path reference = SharedTestData.model("syn-llama-" + name + ".gguf");
        assumeTrue(Files.exists(reference) && Files.exists(SharedTestData.model("syn-llama-f32.gguf")),
                "../shared/models has no syn-llama-f32.gguf or " + reference.getFileName());
        FileType target = FileType.quantizeTarget(name).orElseThrow();
        Path out = dir.resolve(name + ".gguf");
        List<ModelQuantizer.Progress> progress = new ArrayList<>();
        try (GgufFile f32 = GgufFile.open(SharedTestData.model("syn-llama-f32.gguf"))) {
            ModelQuantizer.quantize(f32, target, out, progress::add);
        }
        try (GgufFile ours = GgufFile.open(out); GgufFile expected = GgufFile.open(reference)) {
            assertThat(ours.metadata().keySet()).containsExactlyElementsOf(expected.metadata().keySet());
            assertThat(ours.getInt("general.file_type", -1, 0)).isEqualTo(expected.getInt("general.file_type", -1, 0));
            assertThat(ours.tensors().keySet()).as("tensors in the reference's order").containsExactlyElementsOf(expected.tensors().keySet());
            for (GgufTensorInfo want : expected.tensors().values()) {
                GgufTensorInfo got = ours.requireTensor(want.name());
                assertThat(got.type()).as(want.name()).isEqualTo(want.type());
                assertThat(got.shape()).as(want.name()).isEqualTo(want.shape());
                assertThat(got.data().toArray(ValueLayout.JAVA_BYTE)).as("bytes of %s", want.name()).isEqualTo(want.data().toArray(ValueLayout.JAVA_BYTE));
            }
        }
        assertThat(Files.mismatch(out, reference)).as("first byte where the files differ").isEqualTo(-1);
        assertThat(progress).hasSize(21);
        assertThat(progress.getLast().bytesDone()).isEqualTo(progress.getLast().bytesTotal());
    }

    @Test
    void f16AndBf16SourcesGetTheSameMixAsF32() throws IOException {
        for (String source : List.of("syn-llama-f16.gguf", "syn-llama-bf16.gguf")) {
            assumeTrue(Files.exists(SharedTestData.model(source)), "../shared/models has no " + source);
            Path out = dir.resolve(source);
            try (GgufFile model = GgufFile.open(SharedTestData.model(source))) {
                ModelQuantizer.quantize(model, FileType.Q4_K_M, out, p -> { });
            }
            try (GgufFile ours = GgufFile.open(out); GgufFile expected = GgufFile.open(SharedTestData.model("syn-llama-q4_k_m.gguf"))) {
                for (GgufTensorInfo want : expected.tensors().values()) {
                    assertThat(ours.requireTensor(want.name()).type()).as("%s from %s", want.name(), source).isEqualTo(want.type());
                }
            }
        }
    }

    @Test
    void rowsThatAreNotWhole256BlocksFallBackAsTheReferenceDoes() throws IOException {
        Path stories = SharedTestData.model("stories260K.gguf");
        assumeTrue(Files.exists(stories), "../shared/models has no stories260K.gguf");
        Path out = dir.resolve("stories-q4_k_m.gguf");
        try (GgufFile model = GgufFile.open(stories)) {
            ModelQuantizer.quantize(model, FileType.Q4_K_M, out, p -> { });
        }
        try (GgufFile ours = GgufFile.open(out)) {
            // 64-wide rows: Q4_K becomes Q5_0, the output's Q6_K becomes Q8_0; norms stay F32
            assertThat(ours.requireTensor("blk.0.attn_q.weight").type()).isEqualTo(GgmlType.Q5_0);
            assertThat(ours.requireTensor("output.weight").type()).isEqualTo(GgmlType.Q8_0);
            assertThat(ours.requireTensor("blk.0.attn_norm.weight").type()).isEqualTo(GgmlType.F32);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"f16", "bf16"})
    void floatTargetsConvertEveryMatrixAsTheReferenceDoes(String name) throws IOException {
        Path f32 = SharedTestData.model("syn-llama-f32.gguf"), reference = SharedTestData.model("syn-llama-" + name + ".gguf");
        assumeTrue(Files.exists(f32) && Files.exists(reference), "../shared/models has no syn-llama-f32.gguf or " + reference.getFileName());
        Path out = dir.resolve(name + ".gguf");
        try (GgufFile model = GgufFile.open(f32)) {
            ModelQuantizer.quantize(model, FileType.quantizeTarget(name).orElseThrow(), out, p -> { });
        }
        assertThat(Files.mismatch(out, reference)).as("first byte where the files differ").isEqualTo(-1);
    }

    @Test
    void quantizedSourcesAreRefused() {
        Path q8 = SharedTestData.model("syn-llama-q8_0.gguf");
        assumeTrue(Files.exists(q8), "../shared/models has no syn-llama-q8_0.gguf");
        try (GgufFile model = GgufFile.open(q8)) {
            assertThatThrownBy(() -> ModelQuantizer.quantize(model, FileType.Q4_0, dir.resolve("x.gguf"), p -> { }))
                    .hasMessageContaining("is Q8_0; only F32, F16 and BF16 models can be quantized");
        }
    }

    @Test
    void targetsAreNamedAsOllamaNamesThem() {
        assertThat(FileType.quantizeTargets()).extracting(Enum::name).containsExactly("F32", "F16", "Q4_0", "Q4_1", "Q8_0", "Q5_0",
                "Q5_1", "Q2_K", "Q3_K_S", "Q3_K_M", "Q3_K_L", "Q4_K_S", "Q4_K_M", "Q5_K_S", "Q5_K_M", "Q6_K", "IQ4_NL", "IQ4_XS", "BF16");
        assertThat(FileType.quantizeTarget("q4_k")).contains(FileType.Q4_K_M);
        assertThat(FileType.quantizeTarget("iq2_xxs")).isEmpty();
    }
}
