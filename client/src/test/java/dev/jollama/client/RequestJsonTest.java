package dev.jollama.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What the client puts on the wire: method, path and the exact JSON body, with no nulls and the stream flag. */
class RequestJsonTest extends AgainstFakeOllama {
    private static final String GENERATE_DONE =
            "{\"model\":\"m\",\"created_at\":\"2025-03-01T10:00:00.123456Z\",\"response\":\"\",\"done\":true}";
    private static final String CHAT_DONE = "{\"model\":\"m\",\"created_at\":\"2025-03-01T10:00:00Z\","
            + "\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true}";

    @BeforeEach
    void routes() {
        server.on("/api/generate", streamedOrWhole(GENERATE_DONE))
                .on("/api/chat", streamedOrWhole(CHAT_DONE))
                .on("/api/pull", FakeOllama.ndjson("{\"status\":\"success\"}"))
                .on("/api/create", FakeOllama.ndjson("{\"status\":\"success\"}"))
                .on("/api/tags", FakeOllama.json(200, "{\"models\":[]}"))
                .on("/api/ps", FakeOllama.json(200, "{\"models\":[]}"))
                .on("/api/show", FakeOllama.json(200, "{}"))
                .on("/api/copy", FakeOllama.json(200, ""))
                .on("/api/delete", FakeOllama.json(200, ""))
                .on("/api/embed", FakeOllama.json(200, "{\"model\":\"m\",\"embeddings\":[]}"))
                .on("/api/version", FakeOllama.json(200, "{\"version\":\"0.12.3\"}"));
    }

    private static FakeOllama.Reply streamedOrWhole(String line) {
        return (exchange, request) -> {
            FakeOllama.Reply reply = request.json().path("stream").asBoolean(true)
                    ? FakeOllama.ndjson(line) : FakeOllama.json(200, line);
            reply.send(exchange, request);
        };
    }

    private static Arguments call(String name, Consumer<JollamaClient> call, String method, String path,
            String body) {
        return Arguments.of(name, call, method, path, body);
    }

    static Stream<Arguments> calls() {
        GenerateRequest everyGenerateField = GenerateRequest.builder("m")
                .prompt("p").suffix("s").system("sys").template("{{ .Prompt }}").context(List.of(1, 2))
                .raw(false).format(Format.schema("{\"type\":\"object\"}")).keepAlive(KeepAlive.parse("1h"))
                .image(new byte[] {1, 2, 3}).think(Think.HIGH).truncate(false).shift(false).logprobs(true)
                .topLogprobs(3)
                .options(Options.builder().numPredict(10).temperature(0.5).seed(42).topK(40).topP(0.9).minP(0.05)
                        .typicalP(1.0).repeatPenalty(1.1).repeatLastN(64).presencePenalty(0.1).frequencyPenalty(0.2)
                        .stop("\n", "END").numCtx(2048).numKeep(4).numBatch(512).numThread(2).numGpu(0)
                        .set("mirostat", 1).build())
                .build();
        ChatRequest chatWithTools = ChatRequest.builder("m")
                .message(Message.system("be brief"))
                .message(Message.user("look", new byte[] {1, 2, 3}))
                .message(new Message("assistant", "", null, null,
                        List.of(ToolCall.of("weather", Map.of("city", "Paris"))), null))
                .message(Message.tool("weather", "sunny"))
                .tool(Tool.function("weather", "Current weather",
                        "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}"))
                .format(Format.JSON).keepAlive(KeepAlive.FOREVER).think(false)
                .options(Options.builder().temperature(0).build())
                .build();
        return Stream.of(
                call("generate, prompt only",
                        c -> c.generate(GenerateRequest.builder("m").prompt("hi").build()),
                        "POST", "/api/generate", "{\"model\":\"m\",\"prompt\":\"hi\",\"stream\":false}"),
                call("generate, every field", c -> c.generate(everyGenerateField), "POST", "/api/generate", """
                        {"model":"m","prompt":"p","suffix":"s","system":"sys","template":"{{ .Prompt }}",
                         "context":[1,2],"raw":false,"format":{"type":"object"},"keep_alive":3600,
                         "images":["AQID"],
                         "options":{"num_predict":10,"temperature":0.5,"seed":42,"top_k":40,"top_p":0.9,
                                    "min_p":0.05,"typical_p":1.0,"repeat_penalty":1.1,"repeat_last_n":64,
                                    "presence_penalty":0.1,"frequency_penalty":0.2,"stop":["\\n","END"],
                                    "num_ctx":2048,"num_keep":4,"num_batch":512,"num_thread":2,"num_gpu":0,
                                    "mirostat":1},
                         "think":"high","truncate":false,"shift":false,"logprobs":true,"top_logprobs":3,
                         "stream":false}"""),
                call("generate, load (no prompt)", c -> c.generate(GenerateRequest.builder("m").build()),
                        "POST", "/api/generate", "{\"model\":\"m\",\"stream\":false}"),
                call("generate, unload",
                        c -> c.generate(GenerateRequest.builder("m").keepAlive(KeepAlive.UNLOAD).build()),
                        "POST", "/api/generate", "{\"model\":\"m\",\"keep_alive\":0,\"stream\":false}"),
                call("generate, streamed",
                        c -> c.generateStream(GenerateRequest.builder("m").prompt("hi").build()).close(),
                        "POST", "/api/generate", "{\"model\":\"m\",\"prompt\":\"hi\",\"stream\":true}"),
                call("generate, callback",
                        c -> c.generate(GenerateRequest.builder("m").prompt("hi").build(), chunk -> { }),
                        "POST", "/api/generate", "{\"model\":\"m\",\"prompt\":\"hi\",\"stream\":true}"),
                call("generateText, no optional arguments",
                        c -> c.generateText("p", "m", 32, 0.5, null, null, null), "POST", "/api/generate",
                        "{\"model\":\"m\",\"prompt\":\"p\",\"options\":{\"num_predict\":32,\"temperature\":0.5},"
                                + "\"stream\":false}"),
                call("generateText, every argument",
                        c -> c.generateTextWithThinking("p", "m", 8, 0.0, "10m", "json", true), "POST",
                        "/api/generate", "{\"model\":\"m\",\"prompt\":\"p\",\"format\":\"json\",\"keep_alive\":600,"
                                + "\"options\":{\"num_predict\":8,\"temperature\":0.0},\"think\":true,"
                                + "\"stream\":false}"),
                call("generateText, schema format and seconds",
                        c -> c.generateText("p", "m", -1, 1.0, "-1", "{\"type\":\"string\"}", false), "POST",
                        "/api/generate", "{\"model\":\"m\",\"prompt\":\"p\",\"format\":{\"type\":\"string\"},"
                                + "\"keep_alive\":-1,\"options\":{\"num_predict\":-1,\"temperature\":1.0},"
                                + "\"think\":false,\"stream\":false}"),
                call("chat, one message",
                        c -> c.chat(ChatRequest.builder("m").message(Message.user("hi")).build()),
                        "POST", "/api/chat",
                        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":false}"),
                call("chat, tools, images and options", c -> c.chat(chatWithTools), "POST", "/api/chat", """
                        {"model":"m","messages":[
                           {"role":"system","content":"be brief"},
                           {"role":"user","content":"look","images":["AQID"]},
                           {"role":"assistant","content":"",
                            "tool_calls":[{"function":{"name":"weather","arguments":{"city":"Paris"}}}]},
                           {"role":"tool","content":"sunny","tool_name":"weather"}],
                         "tools":[{"type":"function","function":{"name":"weather","description":"Current weather",
                           "parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}],
                         "format":"json","keep_alive":-1,"options":{"temperature":0.0},"think":false,
                         "stream":false}"""),
                call("chat, load (no messages)", c -> c.chat(ChatRequest.builder("m").build()),
                        "POST", "/api/chat", "{\"model\":\"m\",\"messages\":[],\"stream\":false}"),
                call("chat, streamed",
                        c -> c.chatStream(ChatRequest.builder("m").message(Message.user("hi")).build()).close(),
                        "POST", "/api/chat",
                        "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true}"),
                call("pull", c -> c.pull("m", progress -> { }),
                        "POST", "/api/pull", "{\"model\":\"m\",\"stream\":true}"),
                call("pull, insecure", c -> c.pull(new PullRequest("m", true), progress -> { }),
                        "POST", "/api/pull", "{\"model\":\"m\",\"insecure\":true,\"stream\":true}"),
                call("create from a model", c -> c.create(CreateRequest.builder("new").from("m").build(), p -> { }),
                        "POST", "/api/create", "{\"model\":\"new\",\"from\":\"m\",\"stream\":true}"),
                call("create, every field", c -> c.create(CreateRequest.builder("new")
                        .file("model.gguf", "sha256:" + "ab".repeat(32)).template("{{ .Prompt }}").system("be brief")
                        .parameter("temperature", 0.0).parameter("stop", List.of("a", "b"))
                        .message(Message.user("hi")).message(Message.assistant("hello"))
                        .license("MIT").license("other").quantize("q4_K_M").build(), p -> { }),
                        "POST", "/api/create", """
                        {"model":"new","files":{"model.gguf":"sha256:%s"},"template":"{{ .Prompt }}",
                         "system":"be brief","parameters":{"temperature":0.0,"stop":["a","b"]},
                         "messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello"}],
                         "license":["MIT","other"],"quantize":"q4_K_M","stream":true}""".formatted("ab".repeat(32))),
                call("stop", c -> c.stop("m"), "POST", "/api/generate",
                        "{\"model\":\"m\",\"keep_alive\":0,\"stream\":false}"),
                call("list", JollamaClient::list, "GET", "/api/tags", ""),
                call("show", c -> c.show("m"), "POST", "/api/show", "{\"model\":\"m\"}"),
                call("show, verbose", c -> c.show("m", true), "POST", "/api/show",
                        "{\"model\":\"m\",\"verbose\":true}"),
                call("ps", JollamaClient::ps, "GET", "/api/ps", ""),
                call("copy", c -> c.copy("a", "b"), "POST", "/api/copy",
                        "{\"source\":\"a\",\"destination\":\"b\"}"),
                call("delete", c -> c.delete("m"), "DELETE", "/api/delete", "{\"model\":\"m\"}"),
                call("embed", c -> c.embed(EmbedRequest.of("m", "a", "b")), "POST", "/api/embed",
                        "{\"model\":\"m\",\"input\":[\"a\",\"b\"]}"),
                call("embed, every field",
                        c -> c.embed(new EmbedRequest("m", List.of("a"), false, 256,
                                Options.builder().numCtx(512).build(), KeepAlive.of(Duration.ofMinutes(1)))),
                        "POST", "/api/embed", "{\"model\":\"m\",\"input\":[\"a\"],\"truncate\":false,"
                                + "\"dimensions\":256,\"options\":{\"num_ctx\":512},\"keep_alive\":60}"),
                call("version", JollamaClient::version, "GET", "/api/version", ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("calls")
    void sendsExactlyTheFieldsSet(String name, Consumer<JollamaClient> call, String method, String path,
            String body) throws Exception {
        call.accept(client);

        FakeOllama.Request sent = server.request();
        assertThat(sent.method()).isEqualTo(method);
        assertThat(sent.path()).isEqualTo(path);
        if (body.isEmpty()) {
            assertThat(sent.body()).isEmpty();
        } else {
            assertThat(sent.contentType()).isEqualTo("application/json");
            assertThat(sent.json()).isEqualTo(new ObjectMapper().readTree(body));
        }
    }

    @Test
    void formatIsJsonOrASchemaObject() {
        assertThat(Format.of("json")).isEqualTo(Format.JSON);
        assertThat(Format.of("{\"type\":\"object\"}").value().get("type").asText()).isEqualTo("object");
        assertThatIllegalArgumentException().isThrownBy(() -> Format.of("yaml"))
                .withMessageStartingWith("format schema is not valid JSON");
        assertThatIllegalArgumentException().isThrownBy(() -> Format.of("[1]"))
                .withMessage("format must be \"json\" or a JSON Schema object, got [1]");
    }
}
