package dev.jollama.engine.model;

import dev.jollama.engine.SharedTestData;
import dev.jollama.engine.gguf.GgufFile;
import dev.jollama.engine.gguf.GgufFormatException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A file of a known family that lacks one of its tensors, or holds one in another shape, fails to load with an error
 * naming the tensor and the shape the model's metadata asks for. The files are real test models with one tensor
 * renamed or its two dimensions swapped in the header.
 */
class WeightShapeTest {

    @ParameterizedTest(name = "{0}: {1} {2}")
    @CsvSource(delimiter = '|', value = {
            "syn-gemma2-f32.gguf  | missing | blk.1.post_ffw_norm.weight | [256]",
            "syn-granite-f32.gguf | swapped | blk.0.attn_k.weight        | [256, 128]",
            "syn-olmo2-f32.gguf   | missing | blk.1.attn_q_norm.weight   | [128]",
            "syn-olmo2-f32.gguf   | missing | output.weight              | [128, 512]",
            "syn-phi3-f32.gguf    | swapped | blk.1.attn_qkv.weight      | [256, 512]",
            "syn-phi3-f32.gguf    | missing | blk.0.ffn_up.weight        | [256, 1024]",
    })
    void aMissingOrMisShapedTensorIsNamedWithItsExpectedShape(String modelName, String change, String tensor, String shape) throws IOException {
        byte[] bytes = Files.readAllBytes(SharedTestData.model(modelName));
        int name = tensorInfo(bytes, tensor);
        if (change.equals("missing")) {
            bytes[name + tensor.length() - 1] ^= 0x20; // "weight" becomes "weighT": the tensor is no longer found
        } else {
            ByteBuffer info = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            int dims = name + tensor.length() + 4;
            long rowLength = info.getLong(dims);
            info.putLong(dims, info.getLong(dims + 8)).putLong(dims + 8, rowLength);
        }
        assertThatThrownBy(() -> Model.load(GgufFile.of(Path.of(modelName), MemorySegment.ofArray(bytes))).close())
                .isInstanceOf(GgufFormatException.class)
                .hasMessageContaining(modelName)
                .hasMessageContaining("'" + tensor + "'")
                .hasMessageContaining("expected " + (change.equals("missing") ? "shape " : "") + shape);
    }

    /** Where the name of the tensor's info starts in the header (after its 64-bit length). */
    static int tensorInfo(byte[] bytes, String tensor) {
        byte[] name = tensor.getBytes(StandardCharsets.UTF_8);
        ByteBuffer header = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int at = 8; at + name.length <= bytes.length; at++) {
            if (header.getLong(at - 8) == name.length && Arrays.equals(bytes, at, at + name.length, name, 0, name.length)) {
                return at;
            }
        }
        throw new AssertionError(tensor + " not found");
    }
}
