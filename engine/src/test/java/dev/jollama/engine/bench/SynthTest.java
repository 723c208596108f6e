package dev.jollama.engine.bench;

import dev.jollama.engine.gguf.GgmlType;
import dev.jollama.engine.gguf.GgufFile;
import dev.jollama.engine.gguf.GgufTensorInfo;
import dev.jollama.engine.model.Model;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

class SynthTest {
    private static final ModelShape SMALL = new ModelShape("small", "llama", 256, 512, 2, 4, 2, 64, 512,
            10_000f, 1e-5f, false, false, false, false, 0, 0, 0);

    /**
     * Integers go into the file as uint32, as llama.cpp writes them and requires them (it refused general.file_type
     * as int32, "key general.file_type has wrong type i32 but expected type u32"), so its tools can run the same
     * synthetic files side by side with this engine.
     */
    @Test
    void integersAreWrittenAsUnsigned32Bits(@TempDir Path directory) throws IOException {
        Path file = directory.resolve("small-q4_0.gguf");
        Synth.write(SMALL, SynthType.Q4_0, file);

        try (GgufFile gguf = GgufFile.open(file)) {
            // The reader gives uint32 values as longs, int32 values as ints.
            assertThat(gguf.metadata().get("general.file_type")).isEqualTo(2L);
            assertThat(gguf.metadata().get("llama.block_count")).isEqualTo(2L);
            assertThat(gguf.metadata().get("llama.embedding_length")).isEqualTo(256L);
        }
    }

    /** Every file type writes a model that loads and runs a token, with the storage types it promises. */
    @ParameterizedTest
    @EnumSource(SynthType.class)
    void everyTypeWritesAModelThatRuns(SynthType type, @TempDir Path directory) throws IOException {
        Path file = directory.resolve("small-" + type + ".gguf");
        Synth.write(SMALL, type, file);
        Set<GgmlType> types = new TreeSet<>();
        try (GgufFile gguf = GgufFile.open(file)) {
            for (GgufTensorInfo t : gguf.tensors().values()) {
                if (t.shape().length == 2) {
                    types.add(t.type());
                }
            }
        }
        assertThat(types).as("matrix types of %s", type).contains(GgmlType.valueOf(type == SynthType.MXFP4 ? "MXFP4"
                : type == SynthType.Q4_K_M ? "Q4_K" : type == SynthType.Q3_K_S ? "Q3_K" : type == SynthType.Q5_K_M ? "Q5_K" : type.name()));
        try (Model model = Model.load(file)) {
            float[] logits = model.forward(model.newSequence(4), 1);
            for (float l : logits) {
                assertThat(Float.isFinite(l)).as("%s logits finite", type).isTrue();
            }
        }
    }

    /** A mixture-of-experts shape writes a router and stacked expert tensors; a token reads its experts' share. */
    @Test
    void aMixtureOfExpertsShapeWritesExpertsThatRun(@TempDir Path directory) throws IOException {
        ModelShape moe = new ModelShape("small-moe", "qwen3moe", 256, 512, 2, 4, 2, 64, 512,
                1_000_000f, 1e-6f, false, false, true, false, 8, 2, 128);
        Path file = directory.resolve("small-moe-q8_0.gguf");
        Synth.write(moe, SynthType.Q8_0, file);
        try (Model model = Model.load(file)) {
            assertThat(model.config().expertCount()).isEqualTo(8);
            assertThat(model.file().tensor("blk.1.ffn_down_exps.weight").shape()).containsExactly(128L, 256L, 8L);
            float[] logits = model.forward(model.newSequence(4), 1);
            for (float l : logits) {
                assertThat(Float.isFinite(l)).isTrue();
            }
            long all = 0, experts = 0;
            for (GgufTensorInfo t : model.file().tensors().values()) {
                all += t.name().equals("token_embd.weight") ? 0 : t.data().byteSize();
                experts += t.name().contains("_exps") ? t.data().byteSize() : 0;
            }
            assertThat(Bench.bytesPerToken(model)).isEqualTo(all - experts + experts / 8 * 2);
        }
    }
}
