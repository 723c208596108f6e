package dev.jollama.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Replies as Ollama writes them, with fields this client does not know about, parsed into the records. */
class ResponseParsingTest extends AgainstFakeOllama {
    @Test
    void generateWithEveryFigure() {
        server.on("/api/generate", FakeOllama.json(200, """
                {"model":"m","remote_host":"x","created_at":"2023-08-04T19:22:45.499127Z","response":"Hi there",
                 "thinking":"hmm","done":true,"done_reason":"stop","context":[1,2,3],
                 "total_duration":5000000000,"load_duration":1000000,"prompt_eval_count":26,
                 "prompt_eval_duration":130079000,"eval_count":259,"eval_duration":4232710000,
                 "logprobs":[{"token":"Hi","logprob":-0.25,"bytes":[72,105],
                              "top_logprobs":[{"token":"Hi","logprob":-0.25,"bytes":[72,105]},
                                              {"token":"Hello","logprob":-1.5}]}],
                 "a_field_from_the_future":{"x":1}}"""));

        GenerateResponse reply = client.generate(GenerateRequest.builder("m").prompt("p").build());

        assertThat(reply.model()).isEqualTo("m");
        assertThat(reply.createdAt()).isEqualTo(Instant.parse("2023-08-04T19:22:45.499127Z"));
        assertThat(reply.response()).isEqualTo("Hi there");
        assertThat(reply.thinking()).isEqualTo("hmm");
        assertThat(reply.done()).isTrue();
        assertThat(reply.doneReason()).isEqualTo("stop");
        assertThat(reply.context()).containsExactly(1, 2, 3);
        assertThat(reply.totalDuration()).isEqualTo(5_000_000_000L);
        assertThat(reply.loadDuration()).isEqualTo(1_000_000L);
        assertThat(reply.promptEvalCount()).isEqualTo(26);
        assertThat(reply.promptEvalDuration()).isEqualTo(130_079_000L);
        assertThat(reply.evalCount()).isEqualTo(259);
        assertThat(reply.evalDuration()).isEqualTo(4_232_710_000L);
        assertThat(reply.tokensPerSecond()).isCloseTo(61.19, within(0.01));
        assertThat(reply.logprobs()).singleElement().satisfies(token -> {
            assertThat(token.token()).isEqualTo("Hi");
            assertThat(token.logprob()).isEqualTo(-0.25);
            assertThat(token.bytes()).containsExactly(72, 105);
            assertThat(token.topLogprobs()).extracting(TokenLogprob::token).containsExactly("Hi", "Hello");
        });
    }

    @Test
    void loadReplyHasNoFiguresAndThoseReadAsZero() {
        server.on("/api/generate", FakeOllama.json(200,
                "{\"model\":\"m\",\"created_at\":\"2025-03-01T10:00:00Z\",\"response\":\"\",\"done\":true,"
                        + "\"done_reason\":\"load\"}"));

        GenerateResponse reply = client.generate(GenerateRequest.builder("m").build());

        assertThat(reply.doneReason()).isEqualTo("load");
        assertThat(reply.totalDuration()).isZero();
        assertThat(reply.evalCount()).isZero();
        assertThat(reply.tokensPerSecond()).isZero();
        assertThat(reply.thinking()).isNull();
        assertThat(reply.context()).isNull();
    }

    @Test
    void generateTextReturnsTheAnswerAndTheThinking() {
        server.on("/api/generate", FakeOllama.json(200,
                "{\"model\":\"m\",\"created_at\":\"2025-03-01T10:00:00Z\",\"response\":\"42\","
                        + "\"thinking\":\"six times seven\",\"done\":true,\"done_reason\":\"stop\"}"));

        assertThat(client.generateText("q", "m", 8, 0, null, null, true)).isEqualTo("42");
        assertThat(client.generateTextWithThinking("q", "m", 8, 0, null, null, true))
                .isEqualTo(new GeneratedText("42", "six times seven"));
    }

    @Test
    void chatWithToolCalls() {
        server.on("/api/chat", FakeOllama.json(200, """
                {"model":"m","created_at":"2025-03-01T10:00:00.5Z",
                 "message":{"role":"assistant","content":"","thinking":"need weather",
                            "tool_calls":[{"id":"call_1","function":{"index":0,"name":"weather",
                                                                     "arguments":{"city":"Paris","days":2}}}]},
                 "done":true,"done_reason":"stop","total_duration":9,"eval_count":3,"eval_duration":3000000000}"""));

        ChatResponse reply = client.chat(ChatRequest.builder("m").message(Message.user("weather?")).build());

        assertThat(reply.createdAt()).isEqualTo(Instant.parse("2025-03-01T10:00:00.5Z"));
        assertThat(reply.message().role()).isEqualTo("assistant");
        assertThat(reply.message().thinking()).isEqualTo("need weather");
        assertThat(reply.message().toolCalls()).singleElement().satisfies(call -> {
            assertThat(call.function().index()).isZero();
            assertThat(call.function().name()).isEqualTo("weather");
            assertThat(call.function().arguments()).isEqualTo(Map.of("city", "Paris", "days", 2));
        });
        assertThat(reply.tokensPerSecond()).isEqualTo(1.0);
    }

    @Test
    void tagsWithLocalTimeOffsets() {
        server.on("/api/tags", FakeOllama.json(200, """
                {"models":[{"name":"stories:latest","model":"stories:latest",
                            "modified_at":"2024-05-01T10:00:00.123456789+02:00","size":1185024,
                            "digest":"5f0a3b1c","details":{"parent_model":"","format":"gguf","family":"llama",
                            "families":["llama"],"parameter_size":"260K","quantization_level":"F32"},
                            "capabilities":["completion"],"remote_model":null}]}"""));

        List<LocalModel> models = client.list();

        assertThat(models).singleElement().satisfies(model -> {
            assertThat(model.name()).isEqualTo("stories:latest");
            assertThat(model.modifiedAt()).isEqualTo(Instant.parse("2024-05-01T08:00:00.123456789Z"));
            assertThat(model.size()).isEqualTo(1_185_024L);
            assertThat(model.digest()).isEqualTo("5f0a3b1c");
            assertThat(model.details()).isEqualTo(
                    new ModelDetails("", "gguf", "llama", List.of("llama"), "260K", "F32"));
            assertThat(model.capabilities()).containsExactly("completion");
        });
    }

    @Test
    void emptyStoreListsNothing() {
        server.on("/api/tags", FakeOllama.json(200, "{\"models\":[]}"));
        server.on("/api/ps", FakeOllama.json(200, "{}"));

        assertThat(client.list()).isEmpty();
        assertThat(client.ps()).isEmpty();
    }

    @Test
    void show() {
        server.on("/api/show", FakeOllama.json(200, """
                {"license":"MIT","modelfile":"FROM /models/x\\n","parameters":"stop \\"</s>\\"\\ntemperature 0.7",
                 "template":"{{ .Prompt }}","system":"be nice",
                 "details":{"format":"gguf","family":"llama","parameter_size":"260K","quantization_level":"F32"},
                 "messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello"}],
                 "model_info":{"general.architecture":"llama","llama.context_length":512,
                               "tokenizer.ggml.tokens":null},
                 "tensors":[{"name":"x"}],"capabilities":["completion"],
                 "modified_at":"2025-01-02T03:04:05.000000006Z"}"""));

        ShowResponse shown = client.show("x");

        assertThat(shown.license()).isEqualTo("MIT");
        assertThat(shown.modelfile()).isEqualTo("FROM /models/x\n");
        assertThat(shown.parameters()).isEqualTo("stop \"</s>\"\ntemperature 0.7");
        assertThat(shown.template()).isEqualTo("{{ .Prompt }}");
        assertThat(shown.system()).isEqualTo("be nice");
        assertThat(shown.details().family()).isEqualTo("llama");
        assertThat(shown.messages()).containsExactly(Message.user("hi"), Message.assistant("hello"));
        assertThat(shown.modelInfo()).containsEntry("general.architecture", "llama")
                .containsEntry("llama.context_length", 512);
        assertThat(shown.capabilities()).containsExactly("completion");
        assertThat(shown.modifiedAt()).isEqualTo(Instant.parse("2025-01-02T03:04:05.000000006Z"));
    }

    @Test
    void ps() {
        server.on("/api/ps", FakeOllama.json(200, """
                {"models":[{"name":"m:latest","model":"m:latest","size":5137025024,"digest":"2ae6f6dd",
                            "details":{"family":"llama"},"expires_at":"2318-09-13T12:00:00-07:00",
                            "size_vram":0,"context_length":4096}]}"""));

        assertThat(client.ps()).singleElement().satisfies(running -> {
            assertThat(running.name()).isEqualTo("m:latest");
            assertThat(running.size()).isEqualTo(5_137_025_024L);
            assertThat(running.expiresAt()).isEqualTo(Instant.parse("2318-09-13T19:00:00Z"));
            assertThat(running.sizeVram()).isZero();
            assertThat(running.contextLength()).isEqualTo(4096);
            assertThat(running.details().family()).isEqualTo("llama");
        });
    }

    @Test
    void embed() {
        server.on("/api/embed", FakeOllama.json(200,
                "{\"model\":\"m\",\"embeddings\":[[0.6,0.8],[1,0]],\"total_duration\":14143917,"
                        + "\"load_duration\":1019500,\"prompt_eval_count\":8}"));

        EmbedResponse reply = client.embed(EmbedRequest.of("m", "a", "b"));

        assertThat(reply.embeddings()).hasSize(2);
        assertThat(reply.embeddings().get(0)).containsExactly(0.6f, 0.8f);
        assertThat(reply.embeddings().get(1)).containsExactly(1f, 0f);
        assertThat(reply.totalDuration()).isEqualTo(14_143_917L);
        assertThat(reply.promptEvalCount()).isEqualTo(8);
    }

    @Test
    void versionCopyAndDelete() {
        server.on("/api/version", FakeOllama.json(200, "{\"version\":\"0.12.3\"}"));
        server.on("/api/copy", FakeOllama.json(200, ""));
        server.on("/api/delete", FakeOllama.json(200, ""));

        assertThat(client.version()).isEqualTo("0.12.3");
        assertThatNoException().isThrownBy(() -> client.copy("a", "b"));
        assertThatNoException().isThrownBy(() -> client.delete("a"));
    }
}
