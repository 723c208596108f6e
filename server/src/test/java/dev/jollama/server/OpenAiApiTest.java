package dev.jollama.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.jollama.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The /v1 routes' wire format over plain HTTP: SSE framing, OpenAI's error objects, the request mappings. */
class OpenAiApiTest {
    private static final String STORY_REQUEST = "{\"model\":\"stories\",\"messages\":[{\"role\":\"user\",\"content\":\"Once upon a time\"}],"
            + "\"temperature\":0,\"max_tokens\":6";
    @RegisterExtension
    static final TestServer server = TestServer.perClass();

    @BeforeAll
    static void start() throws Exception {
        server.addThinker();
        server.addSharedModel("syn-bert-mean-f16");
    }

    /** The data of each Server-Sent Event, in order. */
    private static List<String> events(HttpResponse<String> r) {
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
        assertThat(r.body()).endsWith("\n\n");
        List<String> data = new ArrayList<>();
        for (String frame : r.body().split("\n\n")) {
            String line = frame.substring(frame.lastIndexOf('\n') + 1);
            assertThat(line).startsWith("data: ");
            data.add(line.substring("data: ".length()));
        }
        return data;
    }

    private static void assertError(HttpResponse<String> r, int status, String type, String message) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonNode error = json(r.body()).get("error");
        assertThat(error.get("type").asText()).isEqualTo(type);
        assertThat(error.get("message").asText()).isEqualTo(message);
        assertThat(error.has("param")).isTrue();
        assertThat(error.has("code")).isTrue();
    }

    @Test
    void aStreamIsServerSentEventsEndingInDone() throws Exception {
        List<String> data = events(server.post("/v1/chat/completions", STORY_REQUEST + ",\"stream\":true}"));
        assertThat(data.getLast()).isEqualTo("[DONE]");
        JsonNode first = json(data.getFirst());
        assertThat(first.get("object").asText()).isEqualTo("chat.completion.chunk");
        assertThat(first.at("/choices/0/delta/role").asText()).isEqualTo("assistant");
        assertThat(first.at("/choices/0/finish_reason").isNull()).isTrue();
        JsonNode finish = json(data.get(data.size() - 2));
        assertThat(finish.at("/choices/0/delta").isEmpty()).isTrue();
        assertThat(finish.at("/choices/0/finish_reason").asText()).isEqualTo("length");
        assertThat(finish.has("usage")).as("no usage chunk unless asked for").isFalse();
    }

    @Test
    void errorsTakeOpenAisShape() throws Exception {
        assertError(server.post("/v1/chat/completions", "{\"model\":\"stories\"}"), 400, "invalid_request_error", "[] is too short - 'messages'");
        assertError(server.post("/v1/chat/completions", "{\"model\":\"nope\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
                404, "not_found_error", "model 'nope' not found");
        assertError(server.post("/v1/chat/completions", STORY_REQUEST + ",\"max_tokens\":\"six\"}"), 400, "invalid_request_error",
                "json: cannot unmarshal string into Go struct field ChatCompletionRequest.max_tokens of type int");
        assertError(server.get("/v1/models/nope"), 404, "not_found_error", "model 'nope' not found");
        assertError(server.get("/v1/nothing"), 404, "not_found_error", "404 page not found");
        assertError(server.post("/v1/completions", "{\"model\":\"stories\",\"prompt\":\"a\",\"echo\":true}"), 400,
                "invalid_request_error", "echo is not supported: the reply holds the completion only");
        // Ollama's own routes keep Ollama's shape.
        assertThat(json(server.post("/api/chat", "{\"model\":\"nope\"}").body()).get("error").asText()).isEqualTo("model 'nope' not found");
    }

    @Test
    void reasoningEffortMapsToThink() throws Exception {
        String request = "{\"model\":\"thinker\",\"messages\":[{\"role\":\"user\",\"content\":\"Once upon a time\"}],\"temperature\":0,\"max_tokens\":8";
        JsonNode thinking = json(server.post("/v1/chat/completions", request + ",\"reasoning_effort\":\"high\"}").body());
        assertThat(thinking.at("/choices/0/message/reasoning").asText()).isNotEmpty();
        JsonNode nested = json(server.post("/v1/chat/completions", request + ",\"reasoning\":{\"effort\":\"minimal\"}}").body());
        assertThat(nested.at("/choices/0/message/reasoning").asText()).isEqualTo(thinking.at("/choices/0/message/reasoning").asText());
        JsonNode plain = json(server.post("/v1/chat/completions", request + ",\"reasoning_effort\":\"none\"}").body());
        assertThat(plain.at("/choices/0/message").has("reasoning")).isFalse();
        assertThat(plain.at("/choices/0/message/content").asText()).isNotEmpty();
        List<String> streamed = events(server.post("/v1/chat/completions", request + ",\"reasoning_effort\":\"low\",\"stream\":true}"));
        assertThat(json(streamed.getFirst()).at("/choices/0/delta/reasoning").asText()).isNotEmpty();
        assertError(server.post("/v1/chat/completions", request + ",\"reasoning_effort\":\"lots\"}"), 400, "invalid_request_error",
                "invalid reasoning value: \"lots\" (must be \"minimal\", \"low\", \"medium\", \"high\", \"xhigh\", \"ultra\", \"max\", or \"none\")");
    }

    @Test
    void contentPartsAndImages() throws Exception {
        String parts = "{\"model\":\"stories\",\"temperature\":0,\"max_tokens\":6,\"messages\":[{\"role\":\"user\",\"content\":"
                + "[{\"type\":\"text\",\"text\":\"Once upon a time\"}]}]}";
        JsonNode reply = json(server.post("/v1/chat/completions", parts).body());
        assertThat(reply.at("/choices/0/message/content").asText()).isEqualTo(
                json(server.post("/v1/chat/completions", STORY_REQUEST + "}").body()).at("/choices/0/message/content").asText());
        String image = "{\"model\":\"stories\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"%s\"}}]}]}";
        assertError(server.post("/v1/chat/completions", image.formatted("https://example.com/cat.png")), 400, "invalid_request_error",
                "image URLs are not currently supported, please use base64 encoded data instead");
        assertError(server.post("/v1/chat/completions", image.formatted("data:image/gif;base64,R0lGOD")), 400, "invalid_request_error",
                "invalid image input");
    }

    @Test
    void malformedToolHistoryIsRefused() throws Exception {
        String history = "{\"model\":\"stories\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"weather?\"},"
                + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\","
                + "\"function\":{\"name\":\"weather\",\"arguments\":%s}}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"sunny\"}],"
                + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"weather\",\"parameters\":{\"type\":\"object\"}}}],\"tool_choice\":\"auto\"}";
        assertError(server.post("/v1/chat/completions", history.formatted("\"not json\"")), 400, "invalid_request_error",
                "invalid tool call arguments");
        assertError(server.post("/v1/chat/completions", "{\"model\":\"stories\",\"messages\":[{\"role\":\"user\"}]}"), 400,
                "invalid_request_error", "invalid message content type: <nil>");
    }

    @Test
    void embeddingsOfTokenIds() throws Exception {
        JsonNode single = json(server.post("/v1/embeddings", "{\"model\":\"syn-bert-mean-f16\",\"input\":[5,6,7]}").body());
        assertThat(single.get("data")).hasSize(1);
        assertThat(single.at("/usage/prompt_tokens").asInt()).isEqualTo(3);
        JsonNode several = json(server.post("/v1/embeddings", "{\"model\":\"syn-bert-mean-f16\",\"input\":[[5,6,7],[8,9]],\"dimensions\":4}").body());
        assertThat(several.get("data")).hasSize(2);
        assertThat(several.at("/data/0/embedding")).hasSize(4);
        JsonNode alone = json(server.post("/v1/embeddings", "{\"model\":\"syn-bert-mean-f16\",\"input\":[5,6,7],\"dimensions\":4}").body());
        for (int i = 0; i < 4; i++) { // batched with another input or alone: the same vector, up to rounding
            assertThat(several.at("/data/0/embedding/" + i).asDouble()).isCloseTo(alone.at("/data/0/embedding/" + i).asDouble(), within(1e-5));
        }
        assertError(server.post("/v1/embeddings", "{\"model\":\"syn-bert-mean-f16\",\"input\":[]}"), 400, "invalid_request_error", "invalid input");
        assertError(server.post("/v1/embeddings", "{\"model\":\"syn-bert-mean-f16\",\"input\":\"a\",\"encoding_format\":\"int8\"}"), 400,
                "invalid_request_error", "Invalid value for 'encoding_format' = int8. Supported values: ['float', 'base64'].");
        assertThat(server.post("/v1/embeddings", "{\"model\":\"syn-bert-mean-f16\",\"input\":[99999999]}").statusCode()).isEqualTo(400);
    }

    @Test
    void responsesStreamNamedNumberedEvents() throws Exception {
        HttpResponse<String> r = server.post("/v1/responses", "{\"model\":\"thinker\",\"input\":[{\"role\":\"user\",\"content\":"
                + "[{\"type\":\"input_text\",\"text\":\"Once upon a time\"}]}],\"instructions\":\"Be brief.\",\"reasoning\":{\"effort\":\"low\"},"
                + "\"max_output_tokens\":40,\"temperature\":0,\"stream\":true}");
        List<String> types = new ArrayList<>();
        int sequence = 0;
        for (String frame : r.body().split("\n\n")) {
            String[] lines = frame.split("\n");
            assertThat(lines[0]).startsWith("event: ");
            JsonNode data = json(lines[1].substring("data: ".length()));
            assertThat(data.get("type").asText()).isEqualTo(lines[0].substring("event: ".length()));
            assertThat(data.get("sequence_number").asInt()).isEqualTo(sequence++);
            types.add(data.get("type").asText());
        }
        assertThat(types.subList(0, 4)).containsExactly("response.created", "response.in_progress", "response.output_item.added",
                "response.reasoning_summary_part.added");
        assertThat(types).contains("response.reasoning_summary_text.delta", "response.output_item.done");
        assertThat(types.getLast()).isIn("response.completed", "response.incomplete");
        JsonNode last = json(r.body().substring(r.body().lastIndexOf("data: ") + 6).strip()).get("response");
        assertThat(last.get("instructions").asText()).isEqualTo("Be brief.");
        assertThat(last.at("/output/0/type").asText()).isEqualTo("reasoning");
        assertThat(last.at("/output/0/summary/0/text").asText()).isNotEmpty();
    }

    @Test
    void anApiKeyIsRequiredOnlyWhenConfigured() throws Exception {
        try (TestServer locked = TestServer.start(Map.of("JOLLAMA_API_KEY", "s3cret"))) {
            HttpClient http = HttpClient.newHttpClient();
            URI models = locked.base().resolve("/v1/models");
            HttpResponse<String> without = http.send(HttpRequest.newBuilder(models).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(without.statusCode()).isEqualTo(401);
            assertThat(json(without.body()).at("/error/code").asText()).isEqualTo("invalid_api_key");
            HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(models).header("Authorization", "Bearer nope").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(wrong.statusCode()).isEqualTo(401);
            HttpResponse<String> with = http.send(HttpRequest.newBuilder(models).header("Authorization", "Bearer s3cret").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(with.statusCode()).isEqualTo(200);
            assertThat(locked.get("/api/tags").statusCode()).isEqualTo(200);
        }
        assertThat(server.get("/v1/models").statusCode()).as("no key configured: none needed").isEqualTo(200);
    }
}
