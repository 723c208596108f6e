package dev.jollama.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.jollama.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The thinking capability and {@code format} on thinking models, black-box: where the capability comes from
 * (Ollama's Model.Capabilities: thinking.InferTags on the template, chatTemplateHasThinkingSupport on the GGUF's
 * chat template, modelFamilyCapabilities for gpt-oss), think's default and its 400 (ChatHandler), and the grammar
 * around thinking (ChatHandler's structured outputs, made airtight here: see README).
 */
class FormatAndThinkingTest {
    /** A Qwen3-style template: .Thinking in the messages range gives the tags; think false prefills an empty block. */
    static final String QWEN3_STYLE = "{{- if .System }}<|im_start|>system\n{{ .System }}<|im_end|>\n{{ end }}"
            + "{{- range $i, $_ := .Messages }}{{- $last := eq (len (slice $.Messages $i)) 1 -}}"
            + "{{- if eq .Role \"user\" }}<|im_start|>user\n{{ .Content }}<|im_end|>\n"
            + "{{ else if eq .Role \"assistant\" }}<|im_start|>assistant\n{{ if .Thinking }}<think>{{ .Thinking }}</think>\n{{ end }}"
            + "{{ .Content }}<|im_end|>\n{{ end }}"
            + "{{- if and $last (ne .Role \"assistant\") }}<|im_start|>assistant\n"
            + "{{ if and $.IsThinkSet (not $.Think) }}<think>\n\n</think>\n\n{{ end }}{{ end }}{{ end }}";
    /** The scripted reasoner's template: the user's message ends with the trigger, nothing follows it. */
    static final String REASONER_TEMPLATE = "{{- range .Messages }}{{ if eq .Role \"user\" }}{{ .Content }}"
            + "{{ else if eq .Role \"assistant\" }}{{ if .Thinking }}<think>{{ .Thinking }}</think>{{ end }}{{ .Content }}{{ end }}{{ end }}";
    static final Map<String, List<String>> SCRIPTS = Map.of(
            "<|reason|>", List.of("<think>", "The user wants JSON.", "</think>", "{\"city\": \"Paris\"}"));
    static final String CITY = "{\"type\":\"object\",\"properties\":{\"city\":{\"enum\":[\"Paris\",\"Rome\"]}},"
            + "\"required\":[\"city\"],\"additionalProperties\":false}";
    static final String PERSON = "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\",\"maxLength\":6},"
            + "\"age\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":120},\"ok\":{\"type\":\"boolean\"}},"
            + "\"required\":[\"name\",\"age\",\"ok\"],\"additionalProperties\":false}";
    @RegisterExtension
    static final TestServer server = TestServer.perClass();

    @BeforeAll
    static void start() throws Exception {
        Path models = TestServer.shared().resolve("models");
        server.addModel("tiny-thinker", models.resolve("syn-qwen3-f32.gguf"), QWEN3_STYLE);
        // a qwen3 file and name, but a template without .Thinking: no capability (never from name or architecture)
        server.addModel("qwen3:plain", models.resolve("syn-qwen3-f32.gguf"), TestServer.TEST_TEMPLATE);
        server.addModel("oss", models.resolve("syn-gptoss-f32.gguf"), null);
        Path scripted = ScriptedModel.write(Files.createTempFile("reasoner", ".gguf"), SCRIPTS,
                "{% for m in messages %}{{ m.content }}{% endfor %}{% if add_generation_prompt %}<think>\\n{% endif %}</think>");
        server.addModel("reasoner", scripted, REASONER_TEMPLATE);
        server.addModel("gguf-thinker", scripted, null);
        Files.delete(scripted);
    }

    private static JsonNode chat(String model, String content, String extra) throws Exception {
        HttpResponse<String> r = server.post("/api/chat", "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\""
                + content + "\"}],\"stream\":false" + extra + "}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r.body());
    }

    /** Model.Capabilities and ChatHandler's check: "thinking" only from where Ollama takes it; think on others is 400. */
    @Test
    void thinkingCapabilityComesOnlyFromTemplatesAndTheGptOssFamily() throws Exception {
        record Case(String model, boolean thinks) {
        }
        for (Case c : List.of(new Case("tiny-thinker", true), new Case("reasoner", true), new Case("gguf-thinker", true),
                new Case("oss", true), new Case("qwen3:plain", false), new Case("stories", false))) {
            JsonNode show = json(server.post("/api/show", "{\"model\":\"" + c.model() + "\"}").body());
            List<String> capabilities = new ArrayList<>();
            show.get("capabilities").forEach(n -> capabilities.add(n.asText()));
            assertThat(capabilities.contains("thinking")).as(c.model() + " " + capabilities).isEqualTo(c.thinks());
            if (!c.thinks()) {
                HttpResponse<String> r = server.post("/api/chat", "{\"model\":\"" + c.model()
                        + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"think\":true}");
                assertThat(r.statusCode()).isEqualTo(400);
                assertThat(json(r.body()).get("error").asText()).isEqualTo("\"" + c.model() + "\" does not support thinking");
            }
        }
    }

    /** think defaults to on for a thinking model without format; with format and think unset the grammar rules from the first token. */
    @Test
    void formatWithThinkUnsetConstrainsFromTheFirstToken() throws Exception {
        JsonNode free = chat("reasoner", "Where?<|reason|>", "");
        assertThat(free.get("message").get("thinking").asText()).isEqualTo("The user wants JSON.");
        assertThat(free.get("message").get("content").asText()).isEqualTo("{\"city\": \"Paris\"}");
        for (String think : List.of("", ",\"think\":false")) {
            for (int seed = 1; seed <= 5; seed++) {
                JsonNode reply = chat("reasoner", "Where?<|reason|>", think + ",\"format\":" + CITY + ",\"options\":{\"seed\":" + seed + "}");
                assertThat(reply.get("message").has("thinking")).isFalse();
                JsonNode answer = json(reply.get("message").get("content").asText());
                assertThat(answer.get("city").asText()).isIn("Paris", "Rome");
            }
        }
    }

    /** format with think true: free thinking, then the answer under the grammar. */
    @Test
    void formatWithThinkTrueThinksThenAnswersUnderTheGrammar() throws Exception {
        JsonNode reply = chat("reasoner", "Where?<|reason|>", ",\"think\":true,\"format\":" + CITY);
        assertThat(reply.get("message").get("thinking").asText()).isEqualTo("The user wants JSON.");
        assertThat(json(reply.get("message").get("content").asText())).isEqualTo(json("{\"city\":\"Paris\"}"));
        assertThat(reply.get("done_reason").asText()).isEqualTo("stop");
    }

    /**
     * The tag boundary is airtight: on a random model that may or may not open a think block, the answer is always
     * empty (still thinking when num_predict ends) or valid JSON, never text that slipped past the grammar.
     */
    @Test
    void nothingSlipsPastTheGrammarWhileTheOutputCouldStillOpenTheTag() throws Exception {
        int answered = 0;
        for (int seed = 1; seed <= 30; seed++) {
            JsonNode reply = chat("tiny-thinker", "Tell me about Lily", ",\"think\":true,\"format\":" + PERSON
                    + ",\"options\":{\"temperature\":1.5,\"seed\":" + seed + ",\"num_predict\":48}");
            String content = reply.get("message").get("content").asText();
            if (!content.isEmpty()) {
                assertThat(content).startsWith("{");
                if (reply.get("done_reason").asText().equals("stop")) {
                    checkPerson(content);
                    answered++;
                }
            }
        }
        assertThat(answered).isPositive();
    }

    /** The seed-style integration case: a qwen3-style thinking model, format = a schema, think unset, 200 seeds. */
    @Test
    void aThinkingModelWithASchemaAndThinkUnsetAlwaysAnswersValidJson() throws Exception {
        for (int seed = 1; seed <= 200; seed++) {
            HttpResponse<String> r = server.post("/api/generate", "{\"model\":\"tiny-thinker\",\"prompt\":\"Describe a person\","
                    + "\"format\":" + PERSON + ",\"stream\":false,\"options\":{\"temperature\":1,\"seed\":" + seed + ",\"num_predict\":200}}");
            JsonNode reply = json(r.body());
            assertThat(reply.get("done_reason").asText()).as("seed %d: %s", seed, r.body()).isEqualTo("stop");
            assertThat(reply.has("thinking")).isFalse();
            checkPerson(reply.get("response").asText());
        }
    }

    /** format "json": the output starts with the object's brace, as the reference's json grammar's root. */
    @Test
    void formatJsonStartsWithABrace() throws Exception {
        for (int seed = 1; seed <= 10; seed++) {
            JsonNode reply = json(server.post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"Once upon a time\",\"format\":\"json\","
                    + "\"stream\":false,\"options\":{\"temperature\":1,\"seed\":" + seed + ",\"num_predict\":8}}").body());
            assertThat(reply.get("response").asText()).startsWith("{");
        }
    }

    private static void checkPerson(String text) throws Exception {
        JsonNode person = json(text);
        assertThat(person.isObject()).as(text).isTrue();
        assertThat(person.size()).as(text).isEqualTo(3);
        assertThat(person.get("name").isTextual() && person.get("name").asText().codePoints().count() <= 6).as(text).isTrue();
        assertThat(person.get("age").isIntegralNumber() && person.get("age").asInt() >= 0 && person.get("age").asInt() <= 120).as(text).isTrue();
        assertThat(person.get("ok").isBoolean()).as(text).isTrue();
    }
}
