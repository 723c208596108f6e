package dev.jollama.server;

import dev.langchain4j.model.StreamingResponseHandler;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.langchain4j.model.ollama.OllamaLanguageModel;
import dev.langchain4j.model.ollama.OllamaStreamingLanguageModel;
import dev.langchain4j.model.output.Response;
import io.github.ollama4j.Ollama;
import io.github.ollama4j.models.generate.OllamaGenerateRequest;
import io.github.ollama4j.models.generate.OllamaGenerateStreamObserver;
import io.github.ollama4j.models.request.ThinkMode;
import io.github.ollama4j.models.response.OllamaResult;
import io.github.ollama4j.utils.OptionsBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.jollama.server.TestServer.STORY;
import static org.assertj.core.api.Assertions.assertThat;

/** Unmodified LangChain4j and ollama4j clients get stories260K's text from the server. */
class RealClientsTest {
    @RegisterExtension
    static final TestServer server = TestServer.perClass();

    @Test
    void langchain4jLanguageModel() {
        OllamaLanguageModel model = OllamaLanguageModel.builder().baseUrl(server.base().toString()).modelName("stories")
                .temperature(0.0).numPredict(12).timeout(Duration.ofSeconds(30)).build();
        Response<String> response = model.generate("Once upon a time");
        assertThat(response.content()).isEqualTo(STORY);
    }

    @Test
    void langchain4jStreamingLanguageModel() throws Exception {
        OllamaStreamingLanguageModel model = OllamaStreamingLanguageModel.builder().baseUrl(server.base().toString())
                .modelName("stories").temperature(0.0).numPredict(12).timeout(Duration.ofSeconds(30)).build();
        StringBuilder streamed = new StringBuilder();
        CompletableFuture<Response<String>> done = new CompletableFuture<>();
        model.generate("Once upon a time", new StreamingResponseHandler<>() {
            @Override
            public void onNext(String token) {
                streamed.append(token);
            }

            @Override
            public void onComplete(Response<String> response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        Response<String> response = done.get(30, TimeUnit.SECONDS);
        assertThat(streamed.toString()).isEqualTo(STORY);
        assertThat(response.content()).isEqualTo(STORY);
    }

    @Test
    void langchain4jChatModel() {
        OllamaChatModel model = OllamaChatModel.builder().baseUrl(server.base().toString()).modelName("stories")
                .temperature(0.0).numPredict(12).timeout(Duration.ofSeconds(30)).build();
        // stories has no template: the default {{ .Prompt }} renders the last user message.
        assertThat(model.chat("Once upon a time")).isEqualTo(STORY);
    }

    @Test
    void ollama4jGenerateStreamingAndNot() throws Exception {
        Ollama ollama = new Ollama(server.base().toString());
        ollama.setRequestTimeoutSeconds(30);
        for (boolean stream : new boolean[]{false, true}) {
            StringBuilder streamed = new StringBuilder();
            OllamaGenerateRequest request = OllamaGenerateRequest.builder().withModel("stories").withPrompt("Once upon a time")
                    .withRaw(false).withThink(ThinkMode.DISABLED).withStreaming(stream)
                    .withOptions(new OptionsBuilder().setTemperature(0f).setNumPredict(12).build()).build();
            OllamaResult result = ollama.generate(request, stream ? new OllamaGenerateStreamObserver(null, streamed::append) : null);
            assertThat(result.getResponse()).as("stream " + stream).isEqualTo(STORY);
            assertThat(result.getDoneReason()).isEqualTo("length");
            if (stream) {
                assertThat(streamed.toString()).isEqualTo(STORY);
            }
        }
    }
}
