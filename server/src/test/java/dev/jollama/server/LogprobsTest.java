package dev.jollama.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static dev.jollama.server.TestServer.json;
import static dev.jollama.server.TestServer.lines;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** logprobs / top_logprobs against the reference's goldens, streaming and not. */
class LogprobsTest {
    @RegisterExtension
    static final TestServer server = TestServer.perClass();

    @Test
    void topLogprobsMatchTheGoldenAtEveryStep() throws Exception {
        JsonNode golden = json(java.nio.file.Files.readString(TestServer.shared().resolve("golden/stories260K.json")));
        for (JsonNode c : golden.get("cases")) {
            String request = "{\"model\":\"stories\",\"raw\":true,\"stream\":false,\"logprobs\":true,\"top_logprobs\":5,"
                    + "\"prompt\":" + new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(c.get("prompt").asText())
                    + ",\"options\":{\"temperature\":0,\"num_predict\":32}}";
            JsonNode reply = json(server.post("/api/generate", request).body());
            JsonNode logprobs = reply.get("logprobs");
            assertThat(logprobs).hasSize(32);
            for (int i = 0; i < 32; i++) {
                JsonNode step = c.get("steps").get(i);
                JsonNode ours = logprobs.get(i);
                assertThat(ours.get("logprob").asDouble()).isCloseTo(step.get("logprob").asDouble(), within(0.05));
                JsonNode top = ours.get("top_logprobs");
                assertThat(top).hasSize(5);
                for (int k = 0; k < 5; k++) {
                    assertThat(top.get(k).get("logprob").asDouble()).isCloseTo(step.get("top").get(k).get(1).asDouble(), within(0.05));
                    if (k > 0) {
                        assertThat(top.get(k).get("logprob").asDouble()).isLessThanOrEqualTo(top.get(k - 1).get("logprob").asDouble());
                    }
                }
                byte[] bytes = new byte[ours.get("bytes").size()];
                for (int b = 0; b < bytes.length; b++) {
                    bytes[b] = (byte) ours.get("bytes").get(b).asInt();
                }
                assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo(ours.get("token").asText());
            }
        }
    }

    @Test
    void streamingGivesOneEntryPerTokenAndNoneWithoutTheFlag() throws Exception {
        List<JsonNode> chunks = lines(server.post("/api/generate",
                "{\"model\":\"stories\",\"prompt\":\"Once upon a time\",\"logprobs\":true,\"options\":{\"temperature\":0,\"num_predict\":10}}").body());
        List<JsonNode> entries = new ArrayList<>();
        chunks.forEach(c -> {
            if (c.has("logprobs")) {
                c.get("logprobs").forEach(entries::add);
            }
        });
        assertThat(entries).hasSize(10);
        assertThat(entries).allSatisfy(e -> {
            assertThat(e.get("logprob").asDouble()).isLessThanOrEqualTo(0);
            assertThat(e.has("top_logprobs")).isFalse();
        });
        String plain = server.post("/api/generate",
                "{\"model\":\"stories\",\"prompt\":\"Once upon a time\",\"options\":{\"temperature\":0,\"num_predict\":10}}").body();
        assertThat(plain).doesNotContain("logprobs");
    }

    @Test
    void tokensCutByAStopSequenceHaveNoEntries() throws Exception {
        JsonNode reply = json(server.post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"Once upon a time\",\"stream\":false,"
                + "\"logprobs\":true,\"options\":{\"temperature\":0,\"stop\":[\"little\"]}}").body());
        StringBuilder tokens = new StringBuilder();
        reply.get("logprobs").forEach(e -> tokens.append(e.get("token").asText()));
        assertThat(reply.get("response").asText()).isEqualTo(", there was a ");
        // " little" produced the kept space and the cut word: a token cut even in part has no entry.
        assertThat(tokens.toString()).isEqualTo(", there was a");
    }
}
