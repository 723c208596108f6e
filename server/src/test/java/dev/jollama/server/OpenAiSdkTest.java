package dev.jollama.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.ResponseFormatJsonObject;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionTokenLogprob;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseOutputText;
import com.openai.models.responses.ResponseStatus;
import com.openai.models.responses.ResponseStreamEvent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.jollama.server.TestServer.STORY;
import static dev.jollama.server.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The official OpenAI Java SDK, unmodified, against the server's /v1 routes. */
class OpenAiSdkTest {
    private static final String EMBEDDER = "syn-bert-mean-f16";
    @RegisterExtension
    static final TestServer server = TestServer.perClass();
    private static OpenAIClient client;

    @BeforeAll
    static void start() throws Exception {
        server.addSharedModel(EMBEDDER);
        client = client(server);
    }

    /** The SDK's client for the server's /v1 routes: no retries, so an error reaches the test as the server sent it. */
    static OpenAIClient client(TestServer server) {
        return OpenAIOkHttpClient.builder().baseUrl(server.base() + "/v1").apiKey("ignored").maxRetries(0)
                .timeout(Duration.ofSeconds(60)).build();
    }

    private static ChatCompletionCreateParams.Builder story() {
        return ChatCompletionCreateParams.builder().model("stories").addUserMessage("Once upon a time").temperature(0.0);
    }

    @Test
    void modelsAreListedAndRetrieved() {
        List<String> ids = client.models().list().data().stream().map(Model::id).toList();
        assertThat(ids).contains("test:latest", "stories:latest", "fim:latest", EMBEDDER + ":latest");
        Model model = client.models().retrieve("stories").validate();
        assertThat(model.id()).isEqualTo("stories");
        assertThat(model.ownedBy()).isEqualTo("library");
        assertThat(model.created()).isPositive();
    }

    @Test
    void chatCompletion() {
        ChatCompletion c = client.chat().completions().create(story().maxCompletionTokens(12).build()).validate();
        assertThat(c.id()).startsWith("chatcmpl-");
        assertThat(c.model()).isEqualTo("stories");
        assertThat(c.choices()).hasSize(1);
        assertThat(c.choices().getFirst().message().content()).contains(STORY);
        assertThat(c.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.LENGTH);
        assertThat(c.usage().get().completionTokens()).isEqualTo(12);
        assertThat(c.usage().get().promptTokens()).isPositive();
        assertThat(c.usage().get().totalTokens()).isEqualTo(c.usage().get().promptTokens() + 12);
    }

    @Test
    void maxTokensAlsoLimits() {
        ChatCompletion c = client.chat().completions().create(story().maxTokens(3).build());
        assertThat(c.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.LENGTH);
        assertThat(c.usage().get().completionTokens()).isEqualTo(3);
    }

    @Test
    void streamedChatCompletionWithUsage() {
        StringBuilder text = new StringBuilder();
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(story().maxCompletionTokens(12)
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            stream.stream().forEach(chunk -> {
                chunks.add(chunk.validate());
                chunk.choices().forEach(c -> c.delta().content().ifPresent(text::append));
            });
        }
        assertThat(text.toString()).isEqualTo(STORY);
        assertThat(chunks.stream().map(ChatCompletionChunk::id).distinct()).hasSize(1);
        assertThat(chunks.getFirst().choices().getFirst().delta().role()).hasValue(ChatCompletionChunk.Choice.Delta.Role.ASSISTANT);
        ChatCompletionChunk finish = chunks.get(chunks.size() - 2);
        assertThat(finish.choices().getFirst().finishReason()).hasValue(ChatCompletionChunk.Choice.FinishReason.LENGTH);
        ChatCompletionChunk usage = chunks.getLast();
        assertThat(usage.choices()).isEmpty();
        assertThat(usage.usage().get().completionTokens()).isEqualTo(12);
    }

    @Test
    void aStopSequenceEndsTheAnswer() {
        ChatCompletion c = client.chat().completions().create(story().maxCompletionTokens(30).stop("Lily").build());
        assertThat(c.choices().getFirst().message().content()).hasValue(", there was a little girl named ");
        assertThat(c.choices().getFirst().finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    }

    @Test
    void aSeedRepeatsTheSampledAnswer() {
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model("stories").addUserMessage("Once upon a time")
                .temperature(1.0).seed(42).maxCompletionTokens(20).build();
        String first = client.chat().completions().create(params).choices().getFirst().message().content().orElseThrow();
        String second = client.chat().completions().create(params).choices().getFirst().message().content().orElseThrow();
        assertThat(second).isEqualTo(first);
    }

    @Test
    void aJsonSchemaIsFollowed() throws Exception {
        ResponseFormatJsonSchema.JsonSchema.Schema schema = ResponseFormatJsonSchema.JsonSchema.Schema.builder()
                .putAdditionalProperty("type", JsonValue.from("object"))
                .putAdditionalProperty("properties", JsonValue.from(Map.of(
                        "name", Map.of("type", "string", "maxLength", 12),
                        "age", Map.of("type", "integer", "minimum", 0, "maximum", 120))))
                .putAdditionalProperty("required", JsonValue.from(List.of("name", "age")))
                .putAdditionalProperty("additionalProperties", JsonValue.from(false)).build();
        int complete = 0;
        for (int seed = 1; seed <= 5; seed++) {
            ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder().model("stories")
                    .addUserMessage("Tell me about Lily").temperature(1.0).seed(seed).maxCompletionTokens(200)
                    .responseFormat(ResponseFormatJsonSchema.builder().jsonSchema(ResponseFormatJsonSchema.JsonSchema.builder()
                            .name("person").schema(schema).strict(true).build()).build()).build());
            if (c.choices().getFirst().finishReason().equals(ChatCompletion.Choice.FinishReason.LENGTH)) {
                continue;
            }
            JsonNode answer = json(c.choices().getFirst().message().content().orElseThrow());
            assertThat(answer.get("name").isTextual()).isTrue();
            assertThat(answer.get("name").asText().length()).isLessThanOrEqualTo(12);
            assertThat(answer.get("age").asInt()).isBetween(0, 120);
            assertThat(answer.size()).isEqualTo(2);
            complete++;
        }
        assertThat(complete).isPositive();
    }

    /** stories260K rarely closes a free-form object within a few hundred tokens: a cut answer must still open one. */
    @Test
    void jsonObjectConstrainsTheAnswerToAnObject() throws Exception {
        for (int seed = 1; seed <= 3; seed++) {
            ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder().model("stories")
                    .addUserMessage("Once upon a time").temperature(1.0).seed(seed).maxCompletionTokens(60)
                    .responseFormat(ResponseFormatJsonObject.builder().build()).build());
            String content = c.choices().getFirst().message().content().orElseThrow();
            assertThat(content.strip()).startsWith("{");
            if (c.choices().getFirst().finishReason().equals(ChatCompletion.Choice.FinishReason.STOP)) {
                assertThat(json(content).isObject()).isTrue();
            }
        }
    }

    @Test
    void logprobsComeWithTheirAlternatives() {
        ChatCompletion c = client.chat().completions().create(story().maxCompletionTokens(5).logprobs(true).topLogprobs(3).build());
        List<ChatCompletionTokenLogprob> content = c.choices().getFirst().logprobs().orElseThrow().content().orElseThrow();
        assertThat(content).hasSize(5);
        StringBuilder text = new StringBuilder();
        for (ChatCompletionTokenLogprob l : content) {
            text.append(l.token());
            assertThat(l.logprob()).isLessThanOrEqualTo(0);
            assertThat(l.topLogprobs()).hasSize(3);
            assertThat(l.topLogprobs().getFirst().logprob()).isGreaterThanOrEqualTo(l.logprob() - 1e-6);
        }
        assertThat(text.toString()).isEqualTo(c.choices().getFirst().message().content().orElseThrow());
    }

    @Test
    void completionsStreamedAndNot() {
        CompletionCreateParams params = CompletionCreateParams.builder().model("stories").prompt("Once upon a time")
                .maxTokens(12).temperature(0.0).build();
        Completion c = client.completions().create(params).validate();
        assertThat(c.id()).startsWith("cmpl-");
        assertThat(c.choices().getFirst().text()).isEqualTo(STORY);
        assertThat(c.choices().getFirst().finishReason()).isEqualTo(com.openai.models.completions.CompletionChoice.FinishReason.LENGTH);
        assertThat(c.usage().get().completionTokens()).isEqualTo(12);
        StringBuilder streamed = new StringBuilder();
        List<Completion> chunks = new ArrayList<>();
        try (StreamResponse<Completion> stream = client.completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> {
                chunks.add(chunk);
                chunk.choices().forEach(choice -> streamed.append(choice.text()));
            });
        }
        assertThat(streamed.toString()).isEqualTo(STORY);
        assertThat(chunks.getLast().choices().getFirst().finishReason()).hasToString("length");
    }

    @Test
    void completionLogprobsTakeTheLegacyLayout() {
        Completion c = client.completions().create(CompletionCreateParams.builder().model("stories").prompt("Once upon a time")
                .maxTokens(4).temperature(0.0).logprobs(2).build());
        var logprobs = c.choices().getFirst().logprobs().orElseThrow();
        assertThat(String.join("", logprobs.tokens().orElseThrow())).isEqualTo(c.choices().getFirst().text());
        assertThat(logprobs.tokenLogprobs().orElseThrow()).hasSize(4);
        assertThat(logprobs.textOffset().orElseThrow().getFirst()).isZero();
        assertThat(logprobs.topLogprobs().orElseThrow().getFirst()._additionalProperties()).hasSize(2);
    }

    @Test
    void fillInTheMiddleThroughASuffix() {
        Completion c = client.completions().create(CompletionCreateParams.builder().model("fim").prompt("Once upon a time")
                .suffix("The end.").maxTokens(5).temperature(0.0).build());
        assertThat(c.choices().getFirst().text()).isNotEmpty();
    }

    @Test
    void embeddingsAsFloatsAndBase64() throws Exception {
        JsonNode reference = json(server.post("/api/embed", "{\"model\":\"" + EMBEDDER + "\",\"input\":[\"a cat\",\"a dog\"]}").body());
        for (EmbeddingCreateParams.EncodingFormat format : List.of(EmbeddingCreateParams.EncodingFormat.FLOAT,
                EmbeddingCreateParams.EncodingFormat.BASE64)) {
            CreateEmbeddingResponse r = client.embeddings().create(EmbeddingCreateParams.builder().model(EMBEDDER)
                    .input(EmbeddingCreateParams.Input.ofArrayOfStrings(List.of("a cat", "a dog"))).encodingFormat(format).build());
            assertThat(r.data()).hasSize(2);
            assertThat(r.usage().promptTokens()).isEqualTo(reference.get("prompt_eval_count").asLong());
            for (int i = 0; i < 2; i++) {
                List<Float> vector = r.data().get(i).embedding();
                assertThat(r.data().get(i).index()).isEqualTo(i);
                assertThat(vector).hasSize(reference.get("embeddings").get(i).size());
                for (int j = 0; j < vector.size(); j++) {
                    assertThat(vector.get(j)).as(format + " " + i + "," + j)
                            .isCloseTo(reference.get("embeddings").get(i).get(j).floatValue(), within(1e-6f));
                }
            }
        }
    }

    @Test
    void responsesStreamedAndNot() {
        ResponseCreateParams params = ResponseCreateParams.builder().model("stories").input("Once upon a time")
                .maxOutputTokens(12).temperature(0.0).build();
        Response response = client.responses().create(params).validate();
        assertThat(response.id()).startsWith("resp-");
        ResponseOutputText text = response.output().getFirst().asMessage().content().getFirst().asOutputText();
        assertThat(text.text()).isEqualTo(STORY);
        assertThat(response.status()).hasValue(ResponseStatus.INCOMPLETE);
        assertThat(response.usage().orElseThrow().outputTokens()).isEqualTo(12);
        StringBuilder streamed = new StringBuilder();
        List<ResponseStreamEvent> events = new ArrayList<>();
        try (StreamResponse<ResponseStreamEvent> stream = client.responses().createStreaming(params)) {
            stream.stream().forEach(event -> {
                events.add(event.validate());
                event.outputTextDelta().ifPresent(d -> streamed.append(d.delta()));
            });
        }
        assertThat(streamed.toString()).isEqualTo(STORY);
        assertThat(events.getFirst().isCreated()).isTrue();
        Response last = events.getLast().incomplete().orElseThrow().response();
        assertThat(last.output().getFirst().asMessage().content().getFirst().asOutputText().text()).isEqualTo(STORY);
    }

    @Test
    void anUnknownModelIsNotFound() {
        assertThatThrownBy(() -> client.chat().completions().create(ChatCompletionCreateParams.builder().model("missing")
                .addUserMessage("hi").build()))
                .isInstanceOfSatisfying(NotFoundException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(404);
                    assertThat(e.getMessage()).contains("model 'missing' not found");
                });
        assertThatThrownBy(() -> client.models().retrieve("missing")).isInstanceOf(NotFoundException.class);
    }

    @Test
    void badRequestsAreRefused() {
        assertThatThrownBy(() -> client.chat().completions().create(story().n(2).build()))
                .isInstanceOfSatisfying(BadRequestException.class, e -> assertThat(e.getMessage()).contains("n = 2"));
        assertThatThrownBy(() -> client.chat().completions().create(story().topLogprobs(30).build()))
                .isInstanceOfSatisfying(BadRequestException.class, e -> assertThat(e.getMessage()).contains("top_logprobs"));
    }
}
