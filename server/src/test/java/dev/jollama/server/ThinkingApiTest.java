package dev.jollama.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.util.List;

import static dev.jollama.server.TestServer.json;
import static dev.jollama.server.TestServer.lines;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * think on a thinking-capable model (its template renders .Thinking inside range .Messages and prefills
 * {@code <think>}): on by default, off with think:false, never split with raw.
 */
class ThinkingApiTest {
    @RegisterExtension
    static final TestServer server = TestServer.perClass();

    @BeforeAll
    static void start() throws Exception {
        server.addThinker();
    }

    private static JsonNode generate(String extra) throws Exception {
        return json(server.post("/api/generate", "{\"model\":\"thinker\",\"prompt\":\"Once upon a time\",\"stream\":false,"
                + "\"options\":{\"temperature\":0,\"num_predict\":12}" + extra + "}").body());
    }

    @Test
    void capabilityIsListed() throws Exception {
        JsonNode show = json(server.post("/api/show", "{\"model\":\"thinker\"}").body());
        assertThat(show.get("capabilities")).extracting(JsonNode::asText).contains("thinking");
    }

    @Test
    void thinkingIsOnByDefault() throws Exception {
        JsonNode reply = generate("");
        assertThat(reply.get("thinking").asText()).isNotEmpty();
        assertThat(reply.get("response").asText()).isEmpty();
    }

    @Test
    void thinkFalseGivesAPlainAnswer() throws Exception {
        JsonNode reply = generate(",\"think\":false");
        assertThat(reply.has("thinking")).isFalse();
        assertThat(reply.get("response").asText()).isNotEmpty();
    }

    @Test
    void rawIsNeverSplit() throws Exception {
        JsonNode reply = generate(",\"raw\":true");
        assertThat(reply.has("thinking")).isFalse();
        assertThat(reply.get("response").asText()).isNotEmpty();
    }

    @Test
    void streamingChunksCarryThinkingDeltas() throws Exception {
        HttpResponse<String> r = server.post("/api/chat", "{\"model\":\"thinker\",\"messages\":[{\"role\":\"user\",\"content\":\"Once upon a time\"}],"
                + "\"think\":\"high\",\"options\":{\"temperature\":0,\"num_predict\":12}}");
        List<JsonNode> chunks = lines(r.body());
        StringBuilder thinking = new StringBuilder();
        for (JsonNode c : chunks) {
            assertThat(c.get("message").get("role").asText()).isEqualTo("assistant");
            thinking.append(c.get("message").path("thinking").asText());
        }
        assertThat(thinking.toString()).isEqualTo(generate("").get("thinking").asText());
        assertThat(chunks.getLast().get("done").asBoolean()).isTrue();
    }
}
