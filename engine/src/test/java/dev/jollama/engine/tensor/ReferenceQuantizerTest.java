package dev.jollama.engine.tensor;

import dev.jollama.engine.SharedTestData;
import dev.jollama.engine.gguf.GgmlType;
import dev.jollama.engine.gguf.GgufFile;
import dev.jollama.engine.gguf.GgufTensorInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Our quantizers write what the reference's do: every tensor of ../shared's syn-llama files, quantized from the F32
 * file's values into the type the reference chose for it, equals the reference's bytes.
 */
class ReferenceQuantizerTest {

    @ParameterizedTest
    @ValueSource(strings = {"q8_0", "q4_0", "q4_1", "q5_1", "q4_k_m", "q5_k_m", "q6_k", "q3_k_s", "q3_k_m", "q3_k_l", "q2_k", "iq4_nl", "iq4_xs", "mxfp4"})
    void everyTensorEqualsTheReferences(String fileType) {
        Path source = SharedTestData.model("syn-llama-f32.gguf"), reference = SharedTestData.model("syn-llama-" + fileType + ".gguf");
        assumeTrue(Files.exists(source) && Files.exists(reference), "../shared/models has no syn-llama-f32.gguf or " + reference.getFileName());
        try (GgufFile f32 = GgufFile.open(source); GgufFile expected = GgufFile.open(reference)) {
            for (GgufTensorInfo want : expected.tensors().values()) {
                GgufTensorInfo from = f32.requireTensor(want.name());
                float[] values = from.data().toArray(ValueLayout.JAVA_FLOAT_UNALIGNED);
                byte[] bytes = new byte[(int) want.type().byteSize(values.length)];
                Quantizers.quantize(want.type(), values, 0, values.length, bytes, 0);
                byte[] wanted = want.data().toArray(ValueLayout.JAVA_BYTE);
                int first = java.util.Arrays.mismatch(bytes, wanted);
                assertThat(first).as("%s %s (%s): first differing byte", fileType, want.name(), want.type()).isEqualTo(-1);
            }
        }
    }
}
