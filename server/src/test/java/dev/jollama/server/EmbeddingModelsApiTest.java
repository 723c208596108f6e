package dev.jollama.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.http.HttpResponse;

import static dev.jollama.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Embedding models (their GGUF declares a pooling type) through the API: /api/embed returns the reference's
 * normalised vectors, /api/show lists the embedding capability instead of completion, and generation is refused as
 * Ollama refuses it.
 */
class EmbeddingModelsApiTest {
    @RegisterExtension
    static final TestServer server = TestServer.perClass();

    @BeforeAll
    static void start() throws Exception {
        for (String model : new String[] {"syn-bert-mean-f16", "syn-nomic-bert-f16", "syn-qwen3emb-f32"}) {
            server.addSharedModel(model);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"syn-bert-mean-f16", "syn-nomic-bert-f16", "syn-qwen3emb-f32"})
    void embedReturnsTheReferencesNormalisedVectors(String model) throws Exception {
        JsonNode golden = json(java.nio.file.Files.readString(TestServer.shared().resolve("golden/embed/" + model + ".json")));
        StringBuilder inputs = new StringBuilder();
        int tokens = 0;
        for (JsonNode c : golden.get("cases")) {
            inputs.append(inputs.isEmpty() ? "" : ",").append(com.fasterxml.jackson.databind.node.TextNode.valueOf(c.get("input").asText()).toString());
            tokens += c.get("tokens").size();
        }
        HttpResponse<String> r = server.post("/api/embed", "{\"model\":\"" + model + "\",\"input\":[" + inputs + "]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode reply = json(r.body());
        assertThat(reply.get("prompt_eval_count").asInt()).isEqualTo(tokens);
        for (int i = 0; i < golden.get("cases").size(); i++) {
            JsonNode expected = golden.get("cases").get(i).get("embedding_normalized");
            JsonNode actual = reply.get("embeddings").get(i);
            assertThat(actual.size()).isEqualTo(expected.size());
            for (int k = 0; k < expected.size(); k++) {
                assertThat(actual.get(k).asDouble()).as("%s input %d value %d", model, i, k).isCloseTo(expected.get(k).asDouble(), within(1e-3));
            }
        }
    }

    @Test
    void generationOnAnEmbeddingModelIsRefusedAsOllamaRefusesIt() throws Exception {
        HttpResponse<String> generate = server.post("/api/generate", "{\"model\":\"syn-bert-mean-f16\",\"prompt\":\"hi\"}");
        assertThat(generate.statusCode()).isEqualTo(400);
        assertThat(json(generate.body()).get("error").asText()).isEqualTo("\"syn-bert-mean-f16\" does not support generate");
        HttpResponse<String> chat = server.post("/api/chat", "{\"model\":\"syn-bert-mean-f16\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertThat(chat.statusCode()).isEqualTo(400);
        assertThat(json(chat.body()).get("error").asText()).isEqualTo("\"syn-bert-mean-f16\" does not support chat");
    }

    @Test
    void showListsTheEmbeddingCapabilityInsteadOfCompletion() throws Exception {
        JsonNode bert = json(server.post("/api/show", "{\"model\":\"syn-bert-mean-f16\"}").body());
        assertThat(bert.get("capabilities").toString()).isEqualTo("[\"embedding\"]");
        // Its GGUF chat template has thinking tags, which add thinking as in Ollama; completion it has not.
        JsonNode qwen = json(server.post("/api/show", "{\"model\":\"syn-qwen3emb-f32\"}").body());
        assertThat(qwen.get("capabilities").toString()).contains("\"embedding\"").doesNotContain("completion");
        JsonNode generative = json(server.post("/api/show", "{\"model\":\"stories\"}").body());
        assertThat(generative.get("capabilities").toString()).contains("\"completion\"").doesNotContain("embedding");
    }
}
