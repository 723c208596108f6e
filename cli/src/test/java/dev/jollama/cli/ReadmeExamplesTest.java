package dev.jollama.cli;

import dev.jollama.client.ChatRequest;
import dev.jollama.client.ChatResponse;
import dev.jollama.client.GenerateRequest;
import dev.jollama.client.GenerateResponse;
import dev.jollama.client.JollamaClient;
import dev.jollama.client.Message;
import dev.jollama.client.Options;
import org.junit.jupiter.api.Test;

import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's "Use it from Java" code, run as written against a real server (only the address differs). */
class ReadmeExamplesTest {

    @Test
    void useItFromJava() throws Exception {
        try (TestServer server = TestServer.start();
             JollamaClient client = new JollamaClient(server.url().toString())) {
            // README: one call
            String story = client.generateText("Once upon a time", "stories", 12, 0.0, "5m", null, null);
            assertThat(story).isEqualTo(", there was a little girl named Lily. She");

            // README: streamed
            GenerateRequest request = GenerateRequest.builder("stories")
                    .prompt("Once upon a time")
                    .options(Options.builder().temperature(0.0).numPredict(12).build())
                    .build();
            String streamed;
            try (Stream<GenerateResponse> chunks = client.generateStream(request)) {
                streamed = chunks.map(GenerateResponse::response).collect(Collectors.joining());
            }
            assertThat(streamed).isEqualTo(story);

            // README: chat
            ChatResponse reply = client.chat(ChatRequest.builder("stories")
                    .message(Message.user("Once upon a time"))
                    .options(Options.builder().temperature(0.0).numPredict(12).build())
                    .build());
            assertThat(reply.message().content()).isEqualTo(story);
        }
    }
}
