package dev.jollama.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Streamed replies: lazy NDJSON reading, joining, mid-stream errors, cancellation, pull progress. */
@Timeout(20) // a broken cancellation shows as a hang
class StreamingTest extends AgainstFakeOllama {
    private static final GenerateRequest PROMPT = GenerateRequest.builder("m").prompt("Once").build();
    private static final String[] STORY = {
            "{\"model\":\"m\",\"created_at\":\"2025-03-01T10:00:00.1Z\",\"response\":\" upon\",\"thinking\":\"a\","
                    + "\"done\":false}",
            "{\"model\":\"m\",\"created_at\":\"2025-03-01T10:00:00.2Z\",\"response\":\" a time\",\"thinking\":\"b\","
                    + "\"done\":false}",
            "{\"model\":\"m\",\"created_at\":\"2025-03-01T10:00:00.3Z\",\"response\":\"\",\"done\":true,"
                    + "\"done_reason\":\"length\",\"context\":[1,2],\"total_duration\":300,\"eval_count\":2,"
                    + "\"eval_duration\":100}"};

    @Test
    void chunksArriveInOrderWithTheFiguresOnTheLast() {
        server.on("/api/generate", FakeOllama.ndjson(STORY));

        List<GenerateResponse> chunks;
        try (Stream<GenerateResponse> stream = client.generateStream(PROMPT)) {
            chunks = stream.toList();
        }

        assertThat(chunks).extracting(GenerateResponse::response).containsExactly(" upon", " a time", "");
        assertThat(chunks).extracting(GenerateResponse::done).containsExactly(false, false, true);
        assertThat(chunks.get(2).doneReason()).isEqualTo("length");
        assertThat(chunks.get(2).evalCount()).isEqualTo(2);
        assertThat(chunks.get(0).totalDuration()).isZero();
    }

    @Test
    void chunksAreReadAsTheServerWritesThem() throws Exception {
        CountDownLatch firstChunkSeen = new CountDownLatch(1);
        server.on("/api/generate", (exchange, request) -> {
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                writeLine(out, STORY[0]);
                // The rest is only written once the client has the first chunk in hand.
                if (!firstChunkSeen.await(5, TimeUnit.SECONDS)) {
                    return;
                }
                writeLine(out, STORY[1]);
                writeLine(out, STORY[2]);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        try (Stream<GenerateResponse> stream = client.generateStream(PROMPT)) {
            Iterator<GenerateResponse> chunks = stream.iterator();
            assertThat(chunks.next().response()).isEqualTo(" upon");
            firstChunkSeen.countDown();
            assertThat(chunks.next().response()).isEqualTo(" a time");
            assertThat(chunks.next().done()).isTrue();
            assertThat(chunks.hasNext()).isFalse();
        }
    }

    @Test
    void callbackSeesEachChunkAndGetsTheWholeReply() {
        server.on("/api/generate", FakeOllama.ndjson(STORY));
        List<String> seen = new ArrayList<>();

        GenerateResponse whole = client.generate(PROMPT, chunk -> seen.add(chunk.response()));

        assertThat(seen).containsExactly(" upon", " a time", "");
        assertThat(whole.response()).isEqualTo(" upon a time");
        assertThat(whole.thinking()).isEqualTo("ab");
        assertThat(whole.done()).isTrue();
        assertThat(whole.doneReason()).isEqualTo("length");
        assertThat(whole.context()).containsExactly(1, 2);
        assertThat(whole.totalDuration()).isEqualTo(300);
        assertThat(whole.tokensPerSecond()).isEqualTo(2e7);
    }

    @Test
    void chatCallbackJoinsTheMessagePieces() {
        server.on("/api/chat", FakeOllama.ndjson(
                "{\"model\":\"m\",\"created_at\":\"2025-03-01T10:00:00Z\","
                        + "\"message\":{\"role\":\"assistant\",\"content\":\"\",\"thinking\":\"let me \"},"
                        + "\"done\":false}",
                "{\"model\":\"m\",\"created_at\":\"2025-03-01T10:00:00Z\","
                        + "\"message\":{\"role\":\"assistant\",\"content\":\"\",\"thinking\":\"see\"},\"done\":false}",
                "{\"model\":\"m\",\"created_at\":\"2025-03-01T10:00:00Z\","
                        + "\"message\":{\"role\":\"assistant\",\"content\":\"Hel\"},\"done\":false}",
                "{\"model\":\"m\",\"created_at\":\"2025-03-01T10:00:00Z\","
                        + "\"message\":{\"role\":\"assistant\",\"content\":\"lo\"},\"done\":false}",
                "{\"model\":\"m\",\"created_at\":\"2025-03-01T10:00:01Z\",\"message\":{\"role\":\"assistant\","
                        + "\"content\":\"\",\"tool_calls\":[{\"function\":{\"name\":\"f\",\"arguments\":{}}}]},"
                        + "\"done\":true,\"done_reason\":\"stop\",\"eval_count\":4}"));
        List<ChatResponse> seen = new ArrayList<>();

        ChatResponse whole = client.chat(ChatRequest.builder("m").message(Message.user("hi")).build(), seen::add);

        assertThat(seen).hasSize(5);
        assertThat(whole.message().role()).isEqualTo("assistant");
        assertThat(whole.message().content()).isEqualTo("Hello");
        assertThat(whole.message().thinking()).isEqualTo("let me see");
        assertThat(whole.message().toolCalls()).extracting(call -> call.function().name()).containsExactly("f");
        assertThat(whole.doneReason()).isEqualTo("stop");
        assertThat(whole.evalCount()).isEqualTo(4);
    }

    @Test
    void errorLineMidStreamThrowsAfterTheChunksBeforeIt() {
        server.on("/api/generate", FakeOllama.ndjson(STORY[0], STORY[1],
                "{\"error\":\"model runner has unexpectedly stopped, this may be due to resource limitations\"}"));
        List<String> seen = new ArrayList<>();

        assertThatThrownBy(() -> client.generate(PROMPT, chunk -> seen.add(chunk.response())))
                .isInstanceOfSatisfying(JollamaException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(500);
                    assertThat(e).hasMessage(
                            "model runner has unexpectedly stopped, this may be due to resource limitations");
                });
        assertThat(seen).containsExactly(" upon", " a time");
    }

    @Test
    void errorLineKeepsItsStatusWhenItHasOne() {
        server.on("/api/chat", FakeOllama.ndjson("{\"error\":\"model is overloaded\",\"status\":503}"));

        try (Stream<ChatResponse> stream = client.chatStream(ChatRequest.builder("m").build())) {
            assertThatThrownBy(stream::toList).isInstanceOfSatisfying(JollamaException.class, e -> {
                assertThat(e.statusCode()).isEqualTo(503);
                assertThat(e).hasMessage("model is overloaded");
            });
        }
    }

    @Test
    void aLineThatIsNotAChunkIsAnError() {
        server.on("/api/generate", FakeOllama.ndjson(STORY[0], "{\"model\":\"m\",\"resp"));

        try (Stream<GenerateResponse> stream = client.generateStream(PROMPT)) {
            assertThatThrownBy(stream::toList).isInstanceOfSatisfying(JollamaException.class, e -> {
                assertThat(e.statusCode()).isEqualTo(JollamaException.NO_RESPONSE);
                assertThat(e).hasMessage(
                        "the server sent a line that is not a GenerateResponse: {\"model\":\"m\",\"resp");
            });
        }
    }

    @Test
    void aReplyWithoutLinesIsAnErrorForTheCallbackVariant() {
        server.on("/api/generate", FakeOllama.ndjson());

        assertThatThrownBy(() -> client.generate(PROMPT, chunk -> { }))
                .isInstanceOf(JollamaException.class)
                .hasMessage("the server ended the reply without a line");
    }

    @Test
    void closingTheStreamEarlyClosesTheConnection() throws Exception {
        CountDownLatch disconnected = endlessGeneration();

        try (Stream<GenerateResponse> stream = client.generateStream(PROMPT)) {
            assertThat(stream.limit(3).toList()).hasSize(3);
        }

        assertThat(disconnected.await(5, TimeUnit.SECONDS)).as("the server's write failed").isTrue();
    }

    @Test
    void anExceptionFromTheCallbackClosesTheConnection() throws Exception {
        CountDownLatch disconnected = endlessGeneration();
        IllegalStateException enough = new IllegalStateException("enough");
        List<GenerateResponse> seen = new ArrayList<>();

        assertThatThrownBy(() -> client.generate(PROMPT, chunk -> {
            seen.add(chunk);
            if (seen.size() == 2) {
                throw enough;
            }
        })).isSameAs(enough);

        assertThat(disconnected.await(5, TimeUnit.SECONDS)).as("the server's write failed").isTrue();
    }

    @Test
    void closingFromAnotherThreadEndsTheReaderAndTheConnection() throws Exception {
        CountDownLatch disconnected = endlessGeneration();
        Stream<GenerateResponse> stream = client.generateStream(PROMPT);
        List<Object> outcome = new ArrayList<>();
        CountDownLatch reading = new CountDownLatch(1);
        Thread reader = Thread.ofPlatform().start(() -> {
            try {
                stream.forEach(chunk -> reading.countDown());
                outcome.add("ended");
            } catch (RuntimeException e) {
                outcome.add(e);
            }
        });
        assertThat(reading.await(5, TimeUnit.SECONDS)).isTrue();

        stream.close();

        reader.join(5000);
        assertThat(reader.isAlive()).as("reader still blocked").isFalse();
        assertThat(outcome).containsExactly("ended");
        assertThat(disconnected.await(5, TimeUnit.SECONDS)).as("the server's write failed").isTrue();
    }

    @Test
    void pullReportsEachStatus() {
        server.on("/api/pull", FakeOllama.ndjson(
                "{\"status\":\"pulling manifest\"}",
                "{\"status\":\"pulling 5f0a3b1c9d2e\",\"digest\":\"sha256:5f0a3b1c9d2e\",\"total\":2048}",
                "{\"status\":\"pulling 5f0a3b1c9d2e\",\"digest\":\"sha256:5f0a3b1c9d2e\",\"total\":2048,"
                        + "\"completed\":1024}",
                "{\"status\":\"pulling 5f0a3b1c9d2e\",\"digest\":\"sha256:5f0a3b1c9d2e\",\"total\":2048,"
                        + "\"completed\":2048}",
                "{\"status\":\"verifying sha256 digest\"}",
                "{\"status\":\"writing manifest\"}",
                "{\"status\":\"success\"}"));
        List<PullProgress> seen = new ArrayList<>();

        PullProgress last = client.pull("stories", seen::add);

        assertThat(seen).extracting(PullProgress::status).containsExactly("pulling manifest",
                "pulling 5f0a3b1c9d2e", "pulling 5f0a3b1c9d2e", "pulling 5f0a3b1c9d2e", "verifying sha256 digest",
                "writing manifest", "success");
        assertThat(seen).extracting(PullProgress::completed).containsExactly(0L, 0L, 1024L, 2048L, 0L, 0L, 0L);
        assertThat(seen.get(1).total()).isEqualTo(2048);
        assertThat(seen.get(1).digest()).isEqualTo("sha256:5f0a3b1c9d2e");
        assertThat(last.isSuccess()).isTrue();
    }

    @Test
    void pullErrorMidStream() {
        server.on("/api/pull", FakeOllama.ndjson("{\"status\":\"pulling manifest\"}",
                "{\"error\":\"pull model manifest: file does not exist\"}"));

        assertThatThrownBy(() -> client.pull("nope", progress -> { }))
                .isInstanceOf(JollamaException.class)
                .hasMessage("pull model manifest: file does not exist");
    }

    /** A generation that never ends; the latch opens when a write fails because the client went away. */
    private CountDownLatch endlessGeneration() {
        CountDownLatch disconnected = new CountDownLatch(1);
        server.on("/api/generate", (exchange, request) -> {
            exchange.sendResponseHeaders(200, 0);
            try {
                OutputStream out = exchange.getResponseBody();
                for (long i = 0; ; i++) {
                    writeLine(out, "{\"model\":\"m\",\"created_at\":\"2025-03-01T10:00:00Z\",\"response\":\"" + i
                            + "\",\"done\":false}");
                    Thread.sleep(10);
                }
            } catch (IOException e) {
                disconnected.countDown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return disconnected;
    }

    private static void writeLine(OutputStream out, String line) throws IOException {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
