package dev.jollama.engine.tensor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jollama.engine.SharedTestData;
import dev.jollama.engine.gguf.GgmlType;
import dev.jollama.engine.gguf.GgufFile;
import dev.jollama.engine.gguf.GgufTensorInfo;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The single-block decode vectors of {@code ../shared/golden/blocks}: every value of every block, through the scalar
 * reference ({@link FloatTensor#getFloat}) and through the vector dequantization of the prompt path
 * ({@link FloatTensor#dequantize}), is bit for bit the reference's float32 decode. Blocks taken from a model file are
 * also read where they lie in it, through the tensor the file names. Files of types the engine does not read yet
 * are skipped, saying so.
 */
class BlockGoldenTest {

    @TestFactory
    Stream<DynamicTest> everyBlockDecodesBitForBit() throws IOException {
        Path blocks = SharedTestData.root().resolve("golden").resolve("blocks");
        try (Stream<Path> files = Files.list(blocks)) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted().toList().stream()
                    .map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> check(f)));
        }
    }

    private static void check(Path file) throws IOException {
        JsonNode golden = new ObjectMapper().readTree(file.toFile());
        GgmlType type = GgmlType.valueOf(golden.get("type").asText());
        assertThat(type.id).isEqualTo(golden.get("ggml_type_id").asInt());
        assertThat(type.blockSize).isEqualTo(golden.get("block_values").asInt());
        assertThat(type.bytesPerBlock).isEqualTo(golden.get("block_bytes").asInt());
        Assumptions.assumeTrue(FloatTensor.supportedTypes().contains(type), type + " is not supported yet");
        int n = type.blockSize;
        int index = 0;
        for (JsonNode block : golden.get("blocks")) {
            String what = file.getFileName() + " block " + index++;
            byte[] bytes = HexFormat.of().parseHex(block.get("bytes_hex").asText());
            float[] expected = new float[n];
            for (int i = 0; i < n; i++) {
                expected[i] = (float) block.get("values").get(i).asDouble();
            }
            FloatTensor tensor = FloatTensor.of(null, new GgufTensorInfo("block", new long[]{n}, type, 0, MemorySegment.ofArray(bytes)));
            float[] dequantized = new float[n];
            tensor.dequantize(0, 1, dequantized, 0);
            for (int i = 0; i < n; i++) {
                assertThat(Float.floatToRawIntBits(tensor.getFloat(i))).as("%s value %d: %s, reference %s", what, i, tensor.getFloat(i), expected[i])
                        .isEqualTo(Float.floatToRawIntBits(expected[i]));
                assertThat(Float.floatToRawIntBits(dequantized[i])).as("%s value %d dequantized: %s, reference %s", what, i, dequantized[i], expected[i])
                        .isEqualTo(Float.floatToRawIntBits(expected[i]));
            }
            if (block.has("tensor")) {
                checkInFile(block, bytes, expected, type, what);
            }
        }
    }

    /** The block's bytes lie at its offset in the source file, and its tensor decodes them to the same values. */
    private static void checkInFile(JsonNode block, byte[] bytes, float[] expected, GgmlType type, String what) {
        try (GgufFile model = GgufFile.open(SharedTestData.model(block.get("source").asText()))) {
            GgufTensorInfo info = model.tensors().get(block.get("tensor").asText());
            assertThat(info.type()).as(what).isEqualTo(type);
            long blockIndex = block.get("block_index").asLong();
            long fileOffset = model.dataOffset() + info.offset() + blockIndex * type.bytesPerBlock;
            assertThat(fileOffset).as("%s offset in %s", what, block.get("source").asText()).isEqualTo(block.get("file_offset").asLong());
            MemorySegment inFile = info.data().asSlice(blockIndex * type.bytesPerBlock, type.bytesPerBlock);
            assertThat(inFile.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).as(what).isEqualTo(bytes);
            FloatTensor tensor = FloatTensor.of(model.path(), info);
            for (int i = 0; i < type.blockSize; i++) {
                assertThat(Float.floatToRawIntBits(tensor.getFloat(blockIndex * type.blockSize + i))).as("%s value %d in %s", what, i, info.name())
                        .isEqualTo(Float.floatToRawIntBits(expected[i]));
            }
        }
    }
}
