package dev.jollama.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jollama.server.store.ModelImport;
import dev.jollama.server.store.ModelName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import static dev.jollama.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

/** format "json" and JSON Schemas through /api/generate and /api/chat, on a model that knows no JSON. */
class StructuredOutputTest {
    private static final String SCHEMA = "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\",\"maxLength\":12},"
            + "\"age\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":120},\"pets\":{\"type\":\"array\",\"items\":{\"enum\":[\"cat\",\"dog\"]},\"maxItems\":3}},"
            + "\"required\":[\"name\",\"age\",\"pets\"]}";
    private static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = TestServer.start(Map.of());
        ModelImport.create(server.store, ModelName.parse("thinker"), TestServer.shared().resolve("models/stories260K.gguf"),
                new ModelImport.Parts(TestServer.THINKING_TEMPLATE, null, Map.of(), List.of(), List.of()));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void formatJsonAlwaysGivesOneObject() throws Exception {
        for (int seed = 1; seed <= 10; seed++) {
            JsonNode reply = json(server.post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"Once upon a time\",\"format\":\"json\","
                    + "\"stream\":false,\"options\":{\"temperature\":1,\"seed\":" + seed + ",\"num_predict\":400}}").body());
            if (reply.get("done_reason").asText().equals("length")) {
                continue; // cut by num_predict: returned as is
            }
            assertThat(json(reply.get("response").asText()).isObject()).as(reply.get("response").asText()).isTrue();
            assertThat(reply.get("done_reason").asText()).isEqualTo("stop");
        }
    }

    @Test
    void aSchemaIsFollowed() throws Exception {
        int complete = 0;
        for (int seed = 1; seed <= 10; seed++) {
            JsonNode reply = json(server.post("/api/chat", "{\"model\":\"stories\",\"messages\":[{\"role\":\"user\",\"content\":\"Tell me about Lily\"}],"
                    + "\"format\":" + SCHEMA + ",\"stream\":false,\"options\":{\"temperature\":1,\"seed\":" + seed + ",\"num_predict\":300}}").body());
            if (reply.get("done_reason").asText().equals("length")) {
                continue;
            }
            JsonNode answer = json(reply.get("message").get("content").asText());
            assertThat(answer.get("name").isTextual()).isTrue();
            assertThat(answer.get("name").asText().length()).isLessThanOrEqualTo(12);
            assertThat(answer.get("age").asInt()).isBetween(0, 120);
            assertThat(answer.get("pets").size()).isLessThanOrEqualTo(3);
            answer.get("pets").forEach(p -> assertThat(p.asText()).isIn("cat", "dog"));
            complete++;
        }
        assertThat(complete).isPositive();
    }

    @Test
    void anUnsupportedSchemaIsA400NamingTheKeywordBeforeLoading() throws Exception {
        HttpResponse<String> r = server.post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"x\","
                + "\"format\":{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"object\",\"patternProperties\":{\"x\":{}}}}}}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r.body()).get("error").asText()).contains("patternProperties").contains("/properties/a");
    }

    @Test
    void thinkingIsFreeAndOnlyTheAnswerIsConstrained() throws Exception {
        JsonNode reply = json(server.post("/api/generate", "{\"model\":\"thinker\",\"prompt\":\"Once upon a time\",\"format\":\"json\","
                + "\"stream\":false,\"options\":{\"temperature\":0,\"num_predict\":40}}").body());
        // stories260K never closes the think block, so all of it is (unconstrained) thinking
        assertThat(reply.get("thinking").asText()).contains(" ball").doesNotStartWith("{");
        assertThat(reply.get("response").asText()).isEmpty();
    }
}
