package dev.jollama.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jollama.engine.gguf.GgufFile;
import dev.jollama.engine.tokenizer.StreamingDecoder;
import dev.jollama.engine.tokenizer.Tokenizer;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static dev.jollama.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The architectures of issue 17 end to end: a model made from each family's F32 test file answers a raw, greedy
 * /api/generate of its golden's first prompt with the reference's tokens.
 */
class ArchitecturesGenerateTest {
    @RegisterExtension
    static final TestServer server = TestServer.perClass();

    @ParameterizedTest
    @ValueSource(strings = {"gemma2", "granite", "olmo2", "smollm3", "phi3", "qwen3moe", "gptoss"})
    void greedyGenerationGivesTheReferenceTokens(String family) throws Exception {
        Path modelFile = TestServer.shared().resolve("models/syn-" + family + "-f32.gguf");
        JsonNode golden = json(Files.readString(TestServer.shared().resolve("golden/syn-" + family + "-f32.json")));
        JsonNode c = golden.get("cases").get(0);
        // The reference's greedy picks: its tokens up to the first step where some tokens were kept from its choice
        // (banned_from_choice), then that step's top-1, which a greedy engine picks.
        List<Integer> expected = new ArrayList<>();
        for (JsonNode step : c.get("steps")) {
            int top1 = step.get("top").get(0).get(0).asInt();
            expected.add(top1);
            if (step.get("token").asInt() != top1) {
                break;
            }
        }
        server.addModel(family, modelFile, null);

        JsonNode reply = json(server.post("/api/generate", "{\"model\":\"" + family + "\",\"raw\":true,\"stream\":false,\"prompt\":"
                + new ObjectMapper().writeValueAsString(c.get("prompt").asText()) + ",\"options\":{\"temperature\":0,\"num_predict\":"
                + expected.size() + ",\"num_ctx\":" + golden.get("n_ctx").asInt() + "}}").body());

        assertThat(reply.get("prompt_eval_count").asInt()).as("prompt tokens").isEqualTo(c.get("prompt_tokens").size());
        assertThat(reply.get("eval_count").asInt()).as("generated tokens").isEqualTo(expected.size());
        assertThat(reply.get("response").asText()).isEqualTo(text(modelFile, expected));
    }

    /** The tokens' text as the file's tokenizer streams it (checked against the reference's by TokenizerGoldenTest). */
    private static String text(Path modelFile, List<Integer> tokens) {
        try (GgufFile file = GgufFile.open(modelFile)) {
            StreamingDecoder decoder = Tokenizer.fromGguf(file).streamingDecoder();
            StringBuilder text = new StringBuilder();
            tokens.forEach(t -> text.append(decoder.append(t)));
            return text.append(decoder.flush()).toString();
        }
    }
}
