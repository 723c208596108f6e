package dev.jollama.engine.model;

import dev.jollama.engine.SharedTestData;
import dev.jollama.engine.gguf.GgufFile;
import dev.jollama.engine.gguf.GgufTensorInfo;
import dev.jollama.engine.gguf.GgufWriter;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Phi-3 file whose query, key and value are three tensors (as some converters write them, and llama.cpp's loader
 * accepts when attn_qkv is absent) gives the logits of the same weights fused: the test file rewritten with each
 * attn_qkv cut into attn_q, attn_k and attn_v by rows.
 */
class Phi3SeparateProjectionsTest {

    @Test
    void separateQueryKeyAndValueTensorsGiveTheFusedFilesLogits() throws IOException {
        Path fused = SharedTestData.model("syn-phi3-f32.gguf");
        Path separate = Files.createDirectories(Path.of("target", "generated-models")).resolve("syn-phi3-separate-qkv.gguf");
        try (GgufFile file = GgufFile.open(fused)) {
            writeWithSeparateProjections(file, separate);
        }
        int[] prompt = {1, 17, 42, 99, 123, 7, 300, 5};
        try (Model a = Model.load(fused); Model b = Model.load(separate);
             Sequence sa = a.newSequence(64); Sequence sb = b.newSequence(64)) {
            float[] expected = a.forward(sa, prompt, 0, prompt.length).clone();
            float[] actual = b.forward(sb, prompt, 0, prompt.length);
            LogitAssertions.assertClose(expected, actual, "phi3 with separate q, k and v");
        }
    }

    private static void writeWithSeparateProjections(GgufFile file, Path out) throws IOException {
        GgufWriter writer = new GgufWriter();
        for (Map.Entry<String, Object> e : file.metadata().entrySet()) {
            writer.put(e.getKey(), e.getValue() instanceof Long l ? Math.toIntExact(l) : e.getValue()); // the writer's uint32
        }
        int queryDim = file.requireInt("phi3.attention.head_count", 1) * headDim(file);
        int kvDim = file.requireInt("phi3.attention.head_count_kv", 1) * headDim(file);
        for (GgufTensorInfo t : file.tensors().values()) {
            if (!t.name().endsWith("attn_qkv.weight")) {
                writer.tensor(t.name(), t.shape(), t.type(), copy(t.data()));
                continue;
            }
            String blk = t.name().substring(0, t.name().length() - "attn_qkv.weight".length());
            long rowBytes = t.shape()[0] * Float.BYTES;
            long[] rows = {queryDim, kvDim, kvDim};
            String[] names = {"attn_q.weight", "attn_k.weight", "attn_v.weight"};
            long first = 0;
            for (int i = 0; i < 3; i++) {
                writer.tensor(blk + names[i], new long[] {t.shape()[0], rows[i]}, t.type(),
                        copy(t.data().asSlice(first * rowBytes, rows[i] * rowBytes)));
                first += rows[i];
            }
        }
        writer.write(out);
    }

    private static int headDim(GgufFile file) {
        return file.requireInt("phi3.embedding_length", 1) / file.requireInt("phi3.attention.head_count", 1);
    }

    private static GgufWriter.TensorData copy(MemorySegment bytes) {
        return out -> out.write(bytes.toArray(ValueLayout.JAVA_BYTE));
    }
}
