package dev.jollama.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The usage example of the {@link JollamaClient} Javadoc, run as written (printing to a buffer). */
class UsageExampleTest {

    @Test
    void theJavadocExampleRuns() throws IOException {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        try (FakeOllama server = new FakeOllama()) {
            server.on("/api/pull", FakeOllama.ndjson("{\"status\":\"pulling manifest\"}", "{\"status\":\"success\"}"))
                    .on("/api/generate", (exchange, request) -> {
                        FakeOllama.Reply reply = request.json().path("stream").asBoolean(true)
                                ? FakeOllama.ndjson(
                                        "{\"model\":\"llama3.2\",\"created_at\":\"2025-03-01T10:00:00Z\","
                                                + "\"response\":\"Drops \",\"done\":false}",
                                        "{\"model\":\"llama3.2\",\"created_at\":\"2025-03-01T10:00:00Z\","
                                                + "\"response\":\"fall.\",\"done\":true,\"done_reason\":\"stop\"}")
                                : FakeOllama.json(200, "{\"model\":\"llama3.2\","
                                        + "\"created_at\":\"2025-03-01T10:00:00Z\","
                                        + "\"response\":\"Rayleigh scattering.\",\"done\":true}");
                        reply.send(exchange, request);
                    })
                    .on("/api/chat", FakeOllama.json(200, "{\"model\":\"llama3.2\",\"created_at\":"
                            + "\"2025-03-01T10:00:00Z\",\"message\":{\"role\":\"assistant\",\"content\":"
                            + "\"A South American camelid.\"},\"done\":true}"));
            // ---- the example, with new JollamaClient() given the fake's address and System.out replaced by out
            try (JollamaClient client = new JollamaClient(server.url().toString())) {
                client.pull("llama3.2", progress -> out.println(progress.status()));

                String answer = client.generateText("Why is the sky blue?", "llama3.2", 128, 0.7, "10m", null, null);
                out.println(answer);

                GenerateRequest request = GenerateRequest.builder("llama3.2")
                        .prompt("Write a haiku about rain.")
                        .options(Options.builder().temperature(0.2).numPredict(64).build())
                        .build();
                try (Stream<GenerateResponse> chunks = client.generateStream(request)) {
                    chunks.forEach(chunk -> out.print(chunk.response()));
                }

                ChatResponse reply = client.chat(ChatRequest.builder("llama3.2")
                        .message(Message.system("Answer in one sentence."))
                        .message(Message.user("What is a llama?"))
                        .build());
                out.println(reply.message().content());
            } catch (JollamaException e) {
                out.println("HTTP " + e.statusCode() + ": " + e.getMessage());
            }
            // ----
        }
        assertThat(printed.toString(StandardCharsets.UTF_8))
                .isEqualTo("pulling manifest\nsuccess\nRayleigh scattering.\nDrops fall.A South American camelid.\n");
    }
}
