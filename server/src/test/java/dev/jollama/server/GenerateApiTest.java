package dev.jollama.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.http.HttpResponse;
import java.util.List;

import static dev.jollama.server.TestServer.json;
import static dev.jollama.server.TestServer.lines;
import static org.assertj.core.api.Assertions.assertThat;

/** POST /api/generate as a black box: the checklist of the reference's sections 1.3 and 12. */
class GenerateApiTest {
    @RegisterExtension
    static final TestServer server = TestServer.perClass();

    /** status | body | expected error (the reference's texts; ' stands for a double quote in the body column only). */
    @ParameterizedTest(name = "{1} -> {0} {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "400 | ``                                                  | missing request body",
            "404 | null                                                | model '' not found",
            "404 | {}                                                  | model '' not found",
            "400 | {'model':                                           | unexpected EOF",
            "400 | {'model':'test','stream':'yes'}                     | json: cannot unmarshal string into Go struct field GenerateRequest.stream of type bool",
            "400 | {'model':'unknown','top_logprobs':99}               | top_logprobs must be between 0 and 20",
            "400 | {'model':'test','top_logprobs':-1}                  | top_logprobs must be between 0 and 20",
            "400 | {'model':'a/b/c/d'}                                 | invalid model name",
            "400 | {'model':'ns.with.dot/m'}                           | invalid model name",
            "400 | {'model':'../../etc/passwd'}                        | invalid model name",
            "400 | {'model':'/etc/passwd'}                             | invalid model name",
            "400 | {'model':'a/b:c:d'}                                 | invalid model name",
            "400 | {'model':'bad\\u0000name'}                         | invalid model name",
            "400 | {'model':'x:'}                                      | invalid model name",
            "404 | {'model':'unknown'}                                 | model 'unknown' not found",
            "404 | {'model':'unknown','raw':true,'system':'x'}         | model 'unknown' not found",
            "400 | {'model':'test','raw':true,'system':'x','prompt':'a'} | raw mode does not support template, system, or context",
            "400 | {'model':'test','raw':true,'context':[1],'prompt':'a'} | raw mode does not support template, system, or context",
            "400 | {'model':'test','suffix':'x','prompt':'a'}          | registry.ollama.ai/library/test:latest does not support insert",
            "400 | {'model':'test','think':true,'prompt':'a'}          | \"test\" does not support thinking",
            "400 | {'model':'test','think':'foo','prompt':'a'}         | invalid think value: \"foo\" (must be \"high\", \"medium\", \"low\", \"max\", true, or false)",
            "400 | {'model':'test','keep_alive':'300','prompt':'a'}    | time: missing unit in duration \"300\"",
            "400 | {'model':'test','keep_alive':'abc','prompt':'a'}    | time: invalid duration \"abc\"",
            "400 | {'model':'test','keep_alive':true,'prompt':'a'}     | Unsupported type: 'bool'",
            "400 | {'model':'test','images':['data:image/png;base64,AAAA'],'prompt':'a'} | illegal base64 data at input byte 4",
            "500 | {'model':'test','options':{'num_ctx':'big'},'prompt':'a'} | option \"num_ctx\" must be of type integer",
            "500 | {'model':'test','options':{'temperature':'hot'},'prompt':'a'} | option \"temperature\" must be of type float32",
            "500 | {'model':'test','options':{'stop':[1]},'prompt':'a'} | option \"stop\" must be of an array of strings",
            "500 | {'model':'test','format':'xml','prompt':'a'}        | invalid format: \"\\\"xml\\\"\"; expected \"json\" or a valid JSON Schema object",
    })
    void errorsHaveTheReferenceStatusAndMessage(int status, String body, String message) throws Exception {
        HttpResponse<String> r = server.post("/api/generate", body == null ? "" : body.replace('\'', '"'));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        assertThat(json(r.body()).get("error").asText()).isEqualTo(message);
    }

    @Test
    void loadAndUnloadAreSingleObjects() throws Exception {
        JsonNode load = json(server.post("/api/generate", "{\"model\":\"test\"}").body());
        assertThat(load.get("done").asBoolean()).isTrue();
        assertThat(load.get("done_reason").asText()).isEqualTo("load");
        assertThat(load.get("model").asText()).isEqualTo("test");
        assertThat(load.has("total_duration")).isFalse();

        HttpResponse<String> unload = server.post("/api/generate", "{\"model\":\"test\",\"keep_alive\":0}");
        assertThat(unload.headers().firstValue("content-type").orElse("")).startsWith("application/json");
        assertThat(json(unload.body()).get("done_reason").asText()).isEqualTo("unload");
    }

    @Test
    void streamingChunksAndFinalChunk() throws Exception {
        HttpResponse<String> r = server.post("/api/generate",
                "{\"model\":\"stories\",\"prompt\":\"Once upon a time\",\"options\":{\"temperature\":0,\"num_predict\":12}}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElse("")).isEqualTo("application/x-ndjson");
        List<JsonNode> chunks = lines(r.body());
        StringBuilder text = new StringBuilder();
        for (JsonNode c : chunks.subList(0, chunks.size() - 1)) {
            assertThat(c.get("done").asBoolean()).isFalse();
            assertThat(c.has("response")).isTrue();
            assertThat(c.has("error")).isFalse();
            assertThat(c.get("created_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z");
            text.append(c.get("response").asText());
        }
        JsonNode last = chunks.getLast();
        assertThat(last.get("done").asBoolean()).isTrue();
        assertThat(last.get("done_reason").asText()).isEqualTo("length");
        assertThat(last.get("response").asText()).isEmpty();
        for (String field : List.of("total_duration", "load_duration", "prompt_eval_count", "prompt_eval_duration", "eval_count", "eval_duration")) {
            assertThat(last.get(field).asLong()).as(field).isPositive();
        }
        assertThat(last.get("eval_count").asInt()).isEqualTo(12);
        assertThat(last.get("context").size()).isGreaterThan(12);
        assertThat(text.toString()).isEqualTo(", there was a little girl named Lily. She");
    }

    @Test
    void nonStreamingIsOneObject() throws Exception {
        HttpResponse<String> r = server.post("/api/generate",
                "{\"model\":\"stories\",\"prompt\":\"Once upon a time\",\"stream\":false,\"options\":{\"temperature\":0,\"num_predict\":12}}");
        assertThat(r.headers().firstValue("content-type").orElse("")).matches("application/json; ?charset=utf-8");
        JsonNode reply = json(r.body());
        assertThat(reply.get("response").asText()).isEqualTo(", there was a little girl named Lily. She");
        assertThat(reply.get("done").asBoolean()).isTrue();
        assertThat(r.body()).doesNotContain("\n");
    }

    @Test
    void stopSequenceCutsTheOutput() throws Exception {
        JsonNode reply = json(server.post("/api/generate",
                "{\"model\":\"stories\",\"prompt\":\"Once upon a time\",\"stream\":false,\"options\":{\"temperature\":0,\"stop\":[\"girl\"]}}").body());
        assertThat(reply.get("response").asText()).isEqualTo(", there was a little ");
        assertThat(reply.get("done_reason").asText()).isEqualTo("stop");
    }

    @Test
    void stopAsASingleStringIsAccepted() throws Exception {
        JsonNode reply = json(server.post("/api/generate",
                "{\"model\":\"stories\",\"prompt\":\"Once upon a time\",\"stream\":false,\"options\":{\"temperature\":0,\"stop\":\"girl\"}}").body());
        assertThat(reply.get("response").asText()).isEqualTo(", there was a little ");
    }

    /** The rendering cases of routes_generate_test.go and routes_debug_test.go. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "{'model':'test','prompt':'Hello!'}                                      | `System: You are a helpful assistant. User: Hello! `",
            "{'model':'test','prompt':'Hello!','system':'You can perform magic tricks.'} | `System: You can perform magic tricks. User: Hello! `",
            "{'model':'test','prompt':'Help me write tests.','system':'You can perform magic tricks.','template':'{{- if .System }}{{ .System }} {{ end }}{{- if .Prompt }}### USER {{ .Prompt }} {{ end }}{{- if .Response }}### ASSISTANT {{ .Response }} {{ end }}'} | `You can perform magic tricks. ### USER Help me write tests. `",
            "{'model':'fim','prompt':'def add(','suffix':'    return c'}            | `<PRE> def add( <SUF>    return c <MID>`",
            "{'model':'fim','prompt':'def add('}                                   | `def add(`",
            "{'model':'test','prompt':'Raw prompt text','raw':true}                | `Raw prompt text`",
            "{'model':'stories','prompt':'Hello, world!'}                          | `Hello, world!`",
            "{'model':'stories','prompt':'User question','system':'Be brief'}      | `User question`",
            "{'model':'stories','prompt':'Hello','template':'PROMPT: {{ .Prompt }}'} | `PROMPT: Hello`",
            "{'model':'stories','prompt':'Describe this image','images':['aGVsbG8=']} | `[img-0]Describe this image`",
    })
    void promptRendering(String body, String rendered) throws Exception {
        String request = body.replace('\'', '"').replaceFirst("}$", ",\"_debug_render_only\":true}");
        JsonNode reply = json(server.post("/api/generate", request).body());
        assertThat(reply.get("_debug_info").get("rendered_template").asText()).isEqualTo(rendered);
    }

    @Test
    void keepAliveSetsExpiryAndPersists() throws Exception {
        server.post("/api/generate", "{\"model\":\"test\",\"keep_alive\":-1}");
        String forever = expiry("test:latest");
        assertThat(Integer.parseInt(forever.substring(0, 4))).isGreaterThan(2200);
        server.post("/api/generate", "{\"model\":\"test\"}");
        String after = expiry("test:latest");
        assertThat(Integer.parseInt(after.substring(0, 4))).as("omitting keep_alive keeps the previous duration").isGreaterThan(2200);
        server.post("/api/generate", "{\"model\":\"test\",\"keep_alive\":0}");
        Thread.sleep(100);
        assertThat(expiry("test:latest")).isNull();
    }

    /** The model's expires_at in /api/ps, or null when it is not loaded. */
    private static String expiry(String model) throws Exception {
        for (JsonNode m : json(server.get("/api/ps").body()).get("models")) {
            if (m.get("name").asText().equals(model)) {
                return m.get("expires_at").asText();
            }
        }
        return null;
    }

    @Test
    void escapesLikeGo() throws Exception {
        JsonNode reply = json(server.post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"<b>\",\"_debug_render_only\":true}").body());
        assertThat(reply.get("_debug_info").get("rendered_template").asText()).isEqualTo("<b>");
        String raw = server.post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"<b>\",\"_debug_render_only\":true}").body();
        assertThat(raw).contains("\\u003cb\\u003e");
    }

    @Test
    void overlongPromptIsTruncatedAndSaysSo() throws Exception {
        String prompt = "Once upon a time there was a dog. ".repeat(40);
        JsonNode reply = json(server.post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"" + prompt
                + "\",\"stream\":false,\"options\":{\"num_ctx\":64,\"num_predict\":4,\"temperature\":0}}").body());
        assertThat(reply.get("truncated").asInt()).isPositive();
        assertThat(reply.get("prompt_eval_count").asInt()).isLessThan(64);

        HttpResponse<String> refused = server.post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"" + prompt
                + "\",\"truncate\":false,\"options\":{\"num_ctx\":64}}");
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(json(refused.body()).get("error").asText()).isEqualTo("the input length exceeds the context length");
    }

    @Test
    void rootAndVersion() throws Exception {
        assertThat(server.get("/").body()).isEqualTo("Ollama is running");
        assertThat(server.send("HEAD", "/", null).statusCode()).isEqualTo(200);
        JsonNode version = json(server.get("/api/version").body());
        assertThat(version.size()).isEqualTo(1);
        assertThat(version.get("version").asText()).isNotEmpty();
    }

    @Test
    void numCtxIsClampedToTheTrainedContext() throws Exception {
        server.post("/api/generate", "{\"model\":\"test\",\"options\":{\"num_ctx\":100000}}");
        for (JsonNode m : json(server.get("/api/ps").body()).get("models")) {
            if (m.get("name").asText().equals("test:latest")) {
                assertThat(m.get("context_length").asInt()).isEqualTo(2048);
            }
        }
    }

    @Test
    void keepAliveSecondsAndDurations() throws Exception {
        server.post("/api/generate", "{\"model\":\"fim\",\"keep_alive\":300}");
        java.time.Instant expires = java.time.Instant.parse(expiry("fim:latest"));
        assertThat(java.time.Duration.between(java.time.Instant.now(), expires).toSeconds()).isBetween(290L, 301L);
        server.post("/api/generate", "{\"model\":\"fim\",\"keep_alive\":\"1h30m\"}");
        expires = java.time.Instant.parse(expiry("fim:latest"));
        assertThat(java.time.Duration.between(java.time.Instant.now(), expires).toMinutes()).isBetween(89L, 90L);
    }

    @Test
    void contextContinuesTheConversation() throws Exception {
        JsonNode first = json(server.post("/api/generate",
                "{\"model\":\"stories\",\"prompt\":\"Once upon a time\",\"stream\":false,\"options\":{\"temperature\":0,\"num_predict\":8}}").body());
        JsonNode context = first.get("context");
        JsonNode second = json(server.post("/api/generate", "{\"model\":\"stories\",\"prompt\":\" She\",\"context\":" + context
                + ",\"stream\":false,\"options\":{\"temperature\":0,\"num_predict\":8}}").body());
        assertThat(second.get("prompt_eval_count").asInt()).isGreaterThan(context.size());
        assertThat(second.get("context").size()).isGreaterThan(context.size());
        assertThat(second.get("response").asText()).isNotEmpty();
    }

    @Test
    void unicodePromptsAndOutput() throws Exception {
        JsonNode reply = json(server.post("/api/generate",
                "{\"model\":\"stories\",\"prompt\":\"你好，世界 🌍\",\"stream\":false,\"options\":{\"temperature\":0,\"num_predict\":8}}").body());
        assertThat(reply.get("done").asBoolean()).isTrue();
        assertThat(reply.get("response").asText()).doesNotContain("\uFFFD".repeat(2));
        JsonNode rendered = json(server.post("/api/generate",
                "{\"model\":\"stories\",\"prompt\":\"你好，世界 🌍\",\"_debug_render_only\":true}").body());
        assertThat(rendered.get("_debug_info").get("rendered_template").asText()).isEqualTo("你好，世界 🌍");
    }

    @Test
    void imageGenerationModelsAreRefused() throws Exception {
        dev.jollama.server.store.ModelStore store = server.store();
        dev.jollama.server.store.Manifest stories = store.find(dev.jollama.server.store.ModelName.parse("stories")).orElseThrow().manifest();
        dev.jollama.server.store.Manifest.Layer config = store.writeBlob(dev.jollama.server.store.Manifest.CONFIG_MEDIA_TYPE,
                "{\"model_format\":\"gguf\",\"capabilities\":[\"image\"]}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        store.writeManifest(dev.jollama.server.store.ModelName.parse("painter"),
                new dev.jollama.server.store.Manifest(2, stories.mediaType(), config, stories.layers()));
        HttpResponse<String> r = server.post("/api/generate", "{\"model\":\"painter\",\"prompt\":\"a cat\"}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r.body()).get("error").asText()).contains("image generation models are not currently supported");
    }

    @Test
    void aModelFileThatDoesNotLoadIsA500NamingTheProblem() throws Exception {
        dev.jollama.server.store.ModelStore store = server.store();
        dev.jollama.server.store.Manifest stories = store.find(dev.jollama.server.store.ModelName.parse("stories")).orElseThrow().manifest();
        dev.jollama.server.store.Manifest.Layer weights = store.writeBlob(dev.jollama.server.store.Manifest.MODEL,
                "not a GGUF file".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        store.writeManifest(dev.jollama.server.store.ModelName.parse("broken"),
                new dev.jollama.server.store.Manifest(2, stories.mediaType(), stories.config(), List.of(weights)));
        HttpResponse<String> r = server.post("/api/generate", "{\"model\":\"broken\",\"prompt\":\"a\"}");
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(json(r.body()).get("error").asText()).startsWith("unable to load model: ").contains(weights.digest().substring(7));
    }
}
