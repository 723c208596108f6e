package dev.jollama.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.jollama.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A model created from a GGUF that has a {@code tokenizer.chat_template} and no TEMPLATE renders its prompts with
 * that Jinja template. The expected prompts in {@code chat-templates/cases.json} are what Hugging Face's
 * apply_chat_template renders with Jinja2 ({@code tools/chat-template-goldens.py}); the templates are Qwen3,
 * Llama 3.1, Gemma 3 and Mistral style test templates and the chat templates inside ../shared's GGUF files. Ollama
 * hands such models to llama.cpp's Jinja renderer (server/routes.go, ChatHandler's native path, with
 * {@code _debug_render_only} returning the rendered prompt as here).
 */
class JinjaChatTemplateTest {
    @RegisterExtension
    static final TestServer server = TestServer.perClass();
    /** template name (as in cases.json) -> model name */
    private static final Map<String, String> MODELS = new HashMap<>();

    record Case(String template, String conversation, JsonNode request, String expected, String error) {
        @Override
        public String toString() {
            return template + " / " + conversation;
        }
    }

    static List<Case> cases() throws IOException {
        try (InputStream in = JinjaChatTemplateTest.class.getResourceAsStream("/chat-templates/cases.json")) {
            List<Case> cases = new ArrayList<>();
            for (JsonNode c : TestServer.json(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))) {
                cases.add(new Case(c.get("template").asText(), c.get("conversation").asText(), c.get("request"),
                        c.path("expected").isMissingNode() ? null : c.get("expected").asText(),
                        c.path("error").isMissingNode() ? null : c.get("error").asText()));
            }
            return cases;
        }
    }

    @BeforeAll
    static void start() throws Exception {
        Path stories = TestServer.shared().resolve("models/stories260K.gguf");
        for (Case c : cases()) {
            if (MODELS.containsKey(c.template())) {
                continue;
            }
            Path gguf;
            if (c.template().startsWith("gguf:models/")) {
                gguf = TestServer.shared().resolve(c.template().substring(5));
            } else {
                String text = c.template().startsWith("gguf:") ? chatTemplateOf(TestServer.shared().resolve(c.template().substring(5)))
                        : resource("/chat-templates/" + c.template());
                gguf = GgufCopies.withMetadata(stories, Map.of("tokenizer.chat_template", text));
            }
            String model = "jinja-" + MODELS.size();
            ObjectNode create = dev.jollama.server.api.GoJson.object().put("model", model).put("from", gguf.toString()).put("stream", false);
            HttpResponse<String> created = server.post("/api/create", create.toString());
            assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
            MODELS.put(c.template(), model);
        }
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = JinjaChatTemplateTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private static String chatTemplateOf(Path gguf) {
        try (dev.jollama.engine.gguf.GgufFile file = dev.jollama.engine.gguf.GgufFile.open(gguf)) {
            return file.getString("tokenizer.chat_template", null);
        }
    }

    /** Dates from strftime_now differ between the golden's clock and now. */
    private static String withoutDates(String s) {
        return s.replaceAll("\\d{4}-\\d{2}-\\d{2}", "DATE");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void rendersAsHuggingFaceDoes(Case c) throws Exception {
        ObjectNode request = ((ObjectNode) c.request().deepCopy());
        request.put("model", MODELS.get(c.template()));
        request.put("stream", false);
        request.put("_debug_render_only", true);
        HttpResponse<String> reply = server.post("/api/chat", request.toString());
        if (c.error() != null) {
            // the template's raise_exception refuses the conversation: the request is what is wrong
            assertThat(reply.statusCode()).as(reply.body()).isEqualTo(400);
            assertThat(json(reply.body()).get("error").asText()).isEqualTo(c.error());
            return;
        }
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
        String expected = c.expected();
        // stories260K's tokenizer puts BOS in front of every prompt itself, so the template's own is dropped
        if (!c.template().startsWith("gguf:models/") && expected.startsWith("<s>")) {
            expected = expected.substring("<s>".length());
        }
        assertThat(withoutDates(json(reply.body()).get("_debug_info").get("rendered_template").asText()))
                .isEqualTo(withoutDates(expected));
    }

    @Test
    void aJinjaModelGeneratesAndShowsItsTemplate() throws Exception {
        String model = MODELS.get("qwen3.jinja");
        HttpResponse<String> chat = server.post("/api/chat", "{\"model\":\"" + model + "\",\"stream\":false,\"think\":false,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Once upon a time\"}],\"options\":{\"num_predict\":3,\"temperature\":0}}");
        assertThat(chat.statusCode()).as(chat.body()).isEqualTo(200);
        JsonNode reply = json(chat.body());
        assertThat(reply.get("done").asBoolean()).isTrue();
        assertThat(reply.get("eval_count").asInt()).isPositive();
        JsonNode show = json(server.post("/api/show", "{\"model\":\"" + model + "\"}").body());
        assertThat(show.get("template").asText()).isEqualTo(resource("/chat-templates/qwen3.jinja"));
        assertThat(show.get("capabilities")).extracting(JsonNode::asText).contains("completion", "tools", "thinking");
        // the Modelfile names the GGUF, whose chat template a new model made from it uses again
        assertThat(show.get("modelfile").asText()).doesNotContain("TEMPLATE");
    }
}
