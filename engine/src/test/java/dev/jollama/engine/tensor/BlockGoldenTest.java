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
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The single-block decode vectors of {@code ../shared/golden/blocks}: every block of a type the engine supports decodes
 * to the reference's float32 values bit for bit, through the scalar reference ({@link FloatTensor#getFloat}) and the
 * fast twin ({@link FloatTensor#dequantize}). The blocks taken from model files are also read from there, through
 * the GGUF reader, at their tensor and block index. Files of types not supported yet are skipped, saying so.
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

    private static void check(Path goldenFile) throws IOException {
        JsonNode golden = new ObjectMapper().readTree(goldenFile.toFile());
        GgmlType type = GgmlType.fromId(golden.get("ggml_type_id").asInt());
        assertThat(type).as("type of " + goldenFile.getFileName()).isNotNull();
        assertThat(type.name()).isEqualTo(golden.get("type").asText());
        Assumptions.assumeTrue(FloatTensor.supportedTypes().contains(type), type + " is not supported yet");
        int n = type.blockSize;
        for (JsonNode block : golden.get("blocks")) {
            byte[] bytes = HexFormat.of().parseHex(block.get("bytes_hex").asText());
            assertThat(bytes).hasSize(type.bytesPerBlock);
            float[] expected = new float[n];
            for (int i = 0; i < n; i++) {
                expected[i] = block.get("values").get(i).floatValue();
            }
            String what = type + " block from " + block.get("source").asText()
                    + (block.has("tensor") ? " " + block.get("tensor").asText() + " #" + block.get("block_index").asInt() : "");
            FloatTensor tensor = FloatTensor.of(null, new GgufTensorInfo("block", new long[]{n}, type, 0, MemorySegment.ofArray(bytes)));
            float[] fast = new float[n];
            tensor.dequantize(0, 1, fast, 0);
            for (int i = 0; i < n; i++) {
                assertThat(Float.floatToRawIntBits(tensor.getFloat(i))).as("%s value %d: getFloat %s, reference %s", what, i, tensor.getFloat(i), expected[i])
                        .isEqualTo(Float.floatToRawIntBits(expected[i]));
                assertThat(Float.floatToRawIntBits(fast[i])).as("%s value %d: dequantize %s, reference %s", what, i, fast[i], expected[i])
                        .isEqualTo(Float.floatToRawIntBits(expected[i]));
            }
            if (block.has("tensor")) {
                checkInModelFile(block, type, bytes, expected, what);
            }
        }
    }

    /** The block's bytes are at its file offset, and the model's tensor decodes to the same values at its index. */
    private static void checkInModelFile(JsonNode block, GgmlType type, byte[] bytes, float[] expected, String what) {
        try (GgufFile file = GgufFile.open(SharedTestData.model(block.get("source").asText()))) {
            GgufTensorInfo info = file.tensors().get(block.get("tensor").asText());
            assertThat(info.type()).as(what).isEqualTo(type);
            long index = block.get("block_index").asLong();
            MemorySegment stored = info.data().asSlice(index * type.bytesPerBlock, type.bytesPerBlock);
            assertThat(stored.toArray(ValueLayout.JAVA_BYTE)).as(what + " bytes").isEqualTo(bytes);
            assertThat(file.dataOffset() + info.offset() + index * type.bytesPerBlock).as(what + " file offset")
                    .isEqualTo(block.get("file_offset").asLong());
            FloatTensor tensor = FloatTensor.of(file.path(), info);
            for (int i = 0; i < type.blockSize; i++) {
                assertThat(Float.floatToRawIntBits(tensor.getFloat(index * type.blockSize + i))).as("%s value %d in the model file", what, i)
                        .isEqualTo(Float.floatToRawIntBits(expected[i]));
            }
        }
    }
}
