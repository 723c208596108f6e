package dev.jollama.cli;

import dev.jollama.client.ChatRequest;
import dev.jollama.client.ChatResponse;
import dev.jollama.client.EmbedRequest;
import dev.jollama.client.EmbedResponse;
import dev.jollama.client.GenerateRequest;
import dev.jollama.client.GenerateResponse;
import dev.jollama.client.JollamaClient;
import dev.jollama.client.JollamaException;
import dev.jollama.client.Message;
import dev.jollama.client.Options;
import dev.jollama.client.ShowResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The client library against a real Jollama server (this module sees both). */
class ClientLibraryTest {
    private static final String GREEDY_12 = ", there was a little girl named Lily. She";
    private static final Options GREEDY = Options.builder().temperature(0).numPredict(12).build();

    private static TestServer server;
    private static JollamaClient client;

    @BeforeAll
    static void start() throws IOException {
        server = TestServer.start();
        client = new JollamaClient(server.url(), Duration.ofMinutes(1));
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void generateWhole() {
        GenerateResponse r = client.generate(GenerateRequest.builder("stories").prompt("Once upon a time")
                .options(GREEDY).build());
        assertThat(r.response()).isEqualTo(GREEDY_12);
        assertThat(r.done()).isTrue();
        assertThat(r.doneReason()).isEqualTo("length");
        assertThat(r.evalCount()).isEqualTo(12);
        assertThat(r.totalDuration()).isPositive();
    }

    @Test
    void generateStreamed() {
        List<GenerateResponse> chunks;
        try (Stream<GenerateResponse> stream = client.generateStream(GenerateRequest.builder("stories")
                .prompt("Once upon a time").options(GREEDY).build())) {
            chunks = stream.toList();
        }
        assertThat(chunks).hasSizeGreaterThan(1);
        assertThat(chunks.stream().map(GenerateResponse::response).reduce("", String::concat)).isEqualTo(GREEDY_12);
        assertThat(chunks.getLast().done()).isTrue();
    }

    @Test
    void generateText() {
        assertThat(client.generateText("Once upon a time", "stories", 12, 0, null, null, null)).isEqualTo(GREEDY_12);
    }

    @Test
    void chat() {
        ChatResponse r = client.chat(ChatRequest.builder("stories").message(Message.user("Once upon a time"))
                .options(GREEDY).build());
        assertThat(r.message().role()).isEqualTo("assistant");
        assertThat(r.message().content()).isEqualTo(GREEDY_12);
    }

    @Test
    void listAndShow() {
        assertThat(client.list()).extracting(m -> m.name()).contains("stories:latest");
        ShowResponse show = client.show("stories");
        assertThat(show.details().family()).isEqualTo("llama");
        assertThat(show.modelInfo().get("general.architecture")).isEqualTo("llama");
        assertThat(show.capabilities()).contains("completion");
        assertThatThrownBy(() -> client.show("nope")).isInstanceOfSatisfying(JollamaException.class,
                e -> assertThat(e.statusCode()).isEqualTo(404)).hasMessage("model 'nope:latest' not found");
    }

    @Test
    void embed() {
        EmbedResponse r = client.embed(EmbedRequest.of("stories", "Once upon a time", "a little girl"));
        assertThat(r.embeddings()).hasSize(2);
        float[] first = r.embeddings().getFirst();
        assertThat(first).hasSize(64);
        double norm = 0;
        for (float x : first) {
            norm += x * x;
        }
        assertThat(Math.sqrt(norm)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
    }

    @Test
    void version() {
        assertThat(client.version()).matches("\\d+\\.\\d+\\.\\d+");
    }
}
