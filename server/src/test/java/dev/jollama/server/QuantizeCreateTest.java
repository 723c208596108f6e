package dev.jollama.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jollama.server.store.ModelName;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

import static dev.jollama.server.TestServer.json;
import static dev.jollama.server.TestServer.lines;
import static org.assertj.core.api.Assertions.assertThat;

/** POST /api/create with quantize: Ollama's progress and errors, and the reference quantizer's bytes. */
class QuantizeCreateTest {
    @RegisterExtension
    static final TestServer server = TestServer.perClass();
    private static Path models;

    @BeforeAll
    static void start() throws Exception {
        models = TestServer.shared().resolve("models");
    }

    @ParameterizedTest
    @CsvSource({"q8_0, Q8_0, syn-llama-q8_0.gguf", "q4_0, Q4_0, syn-llama-q4_0.gguf", "q4_K_M, Q4_K_M, syn-llama-q4_k_m.gguf"})
    void quantizingTheF32ModelGivesTheReferencesFileWithOllamasProgress(String quantize, String level, String reference) throws Exception {
        String name = "quantized-" + quantize.toLowerCase();
        HttpResponse<String> created = server.post("/api/create", "{\"model\":\"" + name + "\",\"from\":\""
                + models.resolve("syn-llama-f32.gguf") + "\",\"quantize\":\"" + quantize + "\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        List<JsonNode> statuses = lines(created.body());
        List<JsonNode> quantizing = statuses.stream().filter(s -> s.get("status").asText().startsWith("quantizing")).toList();
        assertThat(quantizing).hasSize(21).allSatisfy(s -> {
            assertThat(s.get("status").asText()).isEqualTo("quantizing F32 model to " + level);
            assertThat(s.get("digest").asText()).isEqualTo("0000000000000000000");
            assertThat(s.get("total").asLong()).isEqualTo(Files.size(models.resolve("syn-llama-f32.gguf")));
        });
        assertThat(quantizing).extracting(s -> s.get("completed").asLong()).isSorted();
        assertThat(quantizing.getLast().get("completed").asLong()).isEqualTo(quantizing.getLast().get("total").asLong());
        assertThat(statuses).extracting(s -> s.get("status").asText()).containsSubsequence("parsing GGUF",
                "quantizing F32 model to " + level, "verifying conversion", "writing manifest", "success");

        Path blob = server.store().find(ModelName.parse(name)).orElseThrow().modelPath();
        assertThat(Files.mismatch(blob, models.resolve(reference))).as("first byte where the stored model differs from " + reference).isEqualTo(-1);
        String unquantized = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(
                Files.readAllBytes(models.resolve("syn-llama-f32.gguf"))));
        assertThat(server.store().hasBlob(unquantized)).as("the unquantized copy is removed").isFalse();
        JsonNode show = json(server.post("/api/show", "{\"model\":\"" + name + "\"}").body());
        assertThat(show.get("details").get("quantization_level").asText()).isEqualTo(level);
        JsonNode generated = json(server.post("/api/generate", "{\"model\":\"" + name
                + "\",\"prompt\":\"Once upon a time\",\"stream\":false,\"options\":{\"num_predict\":3}}").body());
        assertThat(generated.get("done").asBoolean()).isTrue();
    }

    @Test
    void anF16ModelByItsOtherFieldNameAndAModelAlreadyOfTheTypeIsKept() throws Exception {
        HttpResponse<String> created = server.post("/api/create", "{\"model\":\"from-f16\",\"from\":\""
                + models.resolve("syn-llama-f16.gguf") + "\",\"quantization\":\"Q8_0\",\"stream\":false}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        JsonNode show = json(server.post("/api/show", "{\"model\":\"from-f16\"}").body());
        assertThat(show.get("details").get("quantization_level").asText()).isEqualTo("Q8_0");

        HttpResponse<String> same = server.post("/api/create", "{\"model\":\"still-f16\",\"from\":\""
                + models.resolve("syn-llama-f16.gguf") + "\",\"quantize\":\"f16\"}");
        assertThat(lines(same.body())).extracting(s -> s.get("status").asText()).noneMatch(s -> s.startsWith("quantizing"));
        assertThat(Files.mismatch(server.store().find(ModelName.parse("still-f16")).orElseThrow().modelPath(),
                models.resolve("syn-llama-f16.gguf"))).isEqualTo(-1);
    }

    @Test
    void anAlreadyQuantizedModelIsRefused() throws Exception {
        HttpResponse<String> refused = server.post("/api/create", "{\"model\":\"requantized\",\"from\":\""
                + models.resolve("syn-llama-q8_0.gguf") + "\",\"quantize\":\"q4_0\",\"stream\":false}");
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(json(refused.body()).get("error").asText()).isEqualTo("quantization is only supported for F16, BF16 and F32 models");
        assertThat(server.get("/api/tags").body()).doesNotContain("requantized");
    }

    @Test
    void anUnknownTypeIsRefusedNamingTheSupportedOnes() throws Exception {
        for (String stream : List.of("true", "false")) {
            HttpResponse<String> refused = server.post("/api/create", "{\"model\":\"odd\",\"from\":\"stories\",\"quantize\":\"q9_x\",\"stream\":" + stream + "}");
            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(json(refused.body()).get("error").asText()).isEqualTo("unsupported quantization type Q9_X - supported types are "
                    + "F32, F16, Q4_0, Q4_1, Q8_0, Q5_0, Q5_1, Q2_K, Q3_K_S, Q3_K_M, Q3_K_L, Q4_K_S, Q4_K_M, Q5_K_S, Q5_K_M, Q6_K, IQ4_NL, IQ4_XS, BF16");
        }
    }

    @Test
    void quantizationLevelNamesEveryFileTypeTheEngineReads() throws Exception {
        for (String[] file : new String[][]{{"syn-llama-iq2_xxs.gguf", "IQ2_XXS"}, {"syn-llama-q3_k_m.gguf", "Q3_K_M"},
                {"syn-llama-tq1_0.gguf", "TQ1_0"}, {"syn-llama-bf16.gguf", "BF16"}}) {
            HttpResponse<String> created = server.post("/api/create", "{\"model\":\"level-" + file[1].toLowerCase() + "\",\"from\":\""
                    + models.resolve(file[0]) + "\",\"stream\":false}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
            JsonNode show = json(server.post("/api/show", "{\"model\":\"level-" + file[1].toLowerCase() + "\"}").body());
            assertThat(show.get("details").get("quantization_level").asText()).as(file[0]).isEqualTo(file[1]);
        }
    }
}
