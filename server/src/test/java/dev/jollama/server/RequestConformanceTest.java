package dev.jollama.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.http.HttpResponse;
import java.util.List;

import static dev.jollama.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

/** /api/generate and /api/chat details, as Ollama's GenerateHandler and ChatHandler (server/routes.go) give them. */
class RequestConformanceTest {
    @RegisterExtension
    static final TestServer server = TestServer.perClass();

    /**
     * Bodies that do not bind: the texts of Go's encoding/json and of api.ThinkValue and api.Duration's
     * UnmarshalJSON, as gin's ShouldBindJSON returns them (GenerateHandler, ChatHandler).
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            /api/generate | {"model":"test","prompt":"x","options":"fast"}     | json: cannot unmarshal string into Go struct field GenerateRequest.options of type map[string]interface {}
            /api/chat     | {"model":"test","messages":[],"options":[1]}       | json: cannot unmarshal array into Go struct field ChatRequest.options of type map[string]interface {}
            /api/generate | {"model":"test","prompt":"x","think":"true"}       | invalid think value: "true" (must be "high", "medium", "low", "max", true, or false)
            /api/chat     | {"model":"test","messages":[],"think":5}           | think must be a boolean or string ("high", "medium", "low", "max", true, or false)
            /api/generate | {"model":"test","prompt":"x","keep_alive":[1]}     | Unsupported type: '[]interface {}'
            /api/generate | {bad}                                              | invalid character 'b' looking for beginning of object key string
            /api/chat     | {"model":"test"                                    | unexpected EOF
            /api/generate | {"model":"test","prompt":nope}                     | invalid character 'n' looking for beginning of value
            /api/generate | {"model":"test" "prompt":"x"}                      | invalid character '"' after object key:value pair
            /api/generate | {"model":"test","prompt":"x","top_logprobs":2.5}   | json: cannot unmarshal number 2.5 into Go struct field GenerateRequest.top_logprobs of type int
            """)
    void unbindableBodies(String path, String body, String error) throws Exception {
        HttpResponse<String> reply = server.post(path, body);
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(400);
        assertThat(json(reply.body()).get("error").asText()).isEqualTo(error);
    }

    /** api.Message's UnmarshalJSON lower-cases the role. */
    @Test
    void chatRolesAreLowerCased() throws Exception {
        JsonNode reply = json(server.post("/api/chat", "{\"model\":\"test\",\"stream\":false,\"_debug_render_only\":true,"
                + "\"messages\":[{\"role\":\"USER\",\"content\":\"Hello\"}]}").body());
        assertThat(reply.get("_debug_info").get("rendered_template").asText()).contains("User: Hello");
    }

    /** ChatHandler's DebugRenderOnly: the prompt, an empty message, done false; GenerateHandler's carries "response": "". */
    @Test
    void debugRenderOnlyInBothRoutes() throws Exception {
        JsonNode chat = json(server.post("/api/chat", "{\"model\":\"test\",\"stream\":false,\"_debug_render_only\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}").body());
        assertThat(chat.get("message").toString()).isEqualTo("{\"role\":\"\",\"content\":\"\"}");
        assertThat(chat.get("done").asBoolean()).isFalse();
        assertThat(chat.get("_debug_info").get("rendered_template").asText())
                .isEqualTo("System: You are a helpful assistant. User: Hi ");
        JsonNode generate = json(server.post("/api/generate", "{\"model\":\"test\",\"prompt\":\"Hi\",\"_debug_render_only\":true}").body());
        assertThat(generate.get("response").asText()).isEmpty();
        assertThat(generate.get("_debug_info").get("rendered_template").asText()).isEqualTo("System: You are a helpful assistant. User: Hi ");
    }

    /** The runner returns logprobs only when asked with logprobs: true; top_logprobs alone asks for nothing. */
    @Test
    void topLogprobsWithoutLogprobsReturnsNone() throws Exception {
        JsonNode reply = json(server.post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"Once\",\"stream\":false,"
                + "\"top_logprobs\":3,\"options\":{\"num_predict\":2}}").body());
        assertThat(reply.has("logprobs")).isFalse();
    }

    /** llamaServer.completionPrompt: without context shift an over-long prompt is refused with 400. */
    @Test
    void shiftFalseRefusesAPromptLongerThanTheContext() throws Exception {
        String longPrompt = "Once upon a time ".repeat(200);
        HttpResponse<String> reply = server.post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"" + longPrompt
                + "\",\"stream\":false,\"shift\":false,\"options\":{\"num_ctx\":64,\"num_predict\":1}}");
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(400);
        assertThat(json(reply.body()).get("error").asText()).startsWith("the prompt is longer than the context length currently available to the model");
    }

    /** GenerateHandler's context: prompt and answer tokenized again without special tokens, so no BOS. */
    @Test
    void contextHoldsNoBos() throws Exception {
        JsonNode reply = json(server.post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"Once\",\"stream\":false,"
                + "\"options\":{\"num_predict\":2,\"temperature\":0}}").body());
        JsonNode context = reply.get("context");
        assertThat(context.get(0).asInt()).isNotEqualTo(1); // stories260K's BOS
        assertThat(context.size()).isEqualTo(reply.get("prompt_eval_count").asInt() - 1 + reply.get("eval_count").asInt());
    }

    /** GenerateHandler checks capabilities on the model: a request's template with .Suffix grants no insert. */
    @Test
    void capabilitiesAreTheModelsNotTheRequestTemplates() throws Exception {
        HttpResponse<String> reply = server.post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"a\",\"suffix\":\"b\",\"stream\":false,"
                + "\"template\":\"{{ .Prompt }}<FILL>{{ .Suffix }}\"}");
        assertThat(reply.statusCode()).isEqualTo(400);
        assertThat(json(reply.body()).get("error").asText()).isEqualTo("registry.ollama.ai/library/stories:latest does not support insert");
    }

    /** filterThinkTags: for qwen3 and deepseek-r1, earlier answers lose their think blocks. */
    @Test
    void earlierThinkingIsDroppedForQwen3AndDeepseekR1() throws Exception {
        HttpResponse<String> created = server.post("/api/create", "{\"model\":\"deepseek-r1\",\"from\":\"test\",\"stream\":false,"
                + "\"template\":\"{{ range .Messages }}[{{ .Role }}]{{ .Content }}{{ end }}\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        List<String> rendered = new java.util.ArrayList<>();
        for (String model : List.of("deepseek-r1", "test")) {
            HttpResponse<String> reply = server.post("/api/chat", "{\"model\":\"" + model + "\",\"stream\":false,\"think\":false,"
                    + "\"_debug_render_only\":true,\"messages\":[{\"role\":\"user\",\"content\":\"a\"},"
                    + "{\"role\":\"assistant\",\"content\":\"<think>hmm</think>\\n\\nb\"},{\"role\":\"user\",\"content\":\"c\"}]}");
            assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
            rendered.add(json(reply.body()).get("_debug_info").get("rendered_template").asText());
        }
        assertThat(rendered.getFirst()).isEqualTo("[system]You are a helpful assistant.[user]a[assistant]b[user]c");
        assertThat(rendered.getLast()).contains("<think>hmm</think>");
    }
}
