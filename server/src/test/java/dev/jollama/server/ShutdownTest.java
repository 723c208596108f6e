package dev.jollama.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.jollama.server.TestServer.lines;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** SIGTERM's drain: new requests are refused, short ones finish, long streams end with an error line after the grace. */
class ShutdownTest {
    /**
     * Greedy output never ends this story before its cap, 5,120 tokens (10 x its 512-token context): about 1.5 s on
     * a quiet machine, so the grace below is a fraction of that (with 2 s the story sometimes ended first).
     */
    private static final String ENDLESS = "{\"model\":\"stories\",\"prompt\":\"Once upon a time\",\"options\":{\"num_predict\":-1,\"num_ctx\":512,\"temperature\":0}}";

    @Test
    void runningRequestsFinishOrEndWithAnErrorLineAndNewOnesAreRefused() throws Exception {
        TestServer server = TestServer.start(Map.of("JOLLAMA_SHUTDOWN_GRACE", "400ms", "OLLAMA_NUM_PARALLEL", "2"));
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
             Socket idle = new Socket("127.0.0.1", server.port())) {
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                server.post("/api/generate", "{\"model\":\"stories\",\"options\":{\"num_ctx\":512}}"); // loaded
                Future<HttpResponse<String>> endless = pool.submit(() -> server.post("/api/generate", ENDLESS));
                Thread.sleep(100);
                CompletableFuture<Void> shutdown = CompletableFuture.runAsync(server::shutdown, pool);
                Thread.sleep(50);

                idle.getOutputStream().write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                String status = new BufferedReader(new InputStreamReader(idle.getInputStream(), StandardCharsets.US_ASCII)).readLine();
                assertThat(status).as("a health check while draining").isEqualTo("HTTP/1.1 503 Service Unavailable");

                long start = System.nanoTime();
                HttpResponse<String> r = endless.get(30, TimeUnit.SECONDS);
                assertThat(r.statusCode()).isEqualTo(200);
                List<JsonNode> chunks = lines(r.body());
                assertThat(chunks.getLast().get("error").asText()).isEqualTo("server shutting down");
                assertThat(chunks.size()).isGreaterThan(5);
                shutdown.get(10, TimeUnit.SECONDS);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
            });
        } finally {
            server.close();
        }
    }

    @Test
    void aRequestThatEndsWithinTheGraceIsAnsweredInFull() throws Exception {
        TestServer server = TestServer.start(Map.of("JOLLAMA_SHUTDOWN_GRACE", "30s"));
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            server.post("/api/generate", "{\"model\":\"stories\",\"options\":{\"num_ctx\":512}}");
            Future<HttpResponse<String>> shortOne = pool.submit(() -> server.post("/api/generate",
                    ENDLESS.replace("\"num_predict\":-1", "\"num_predict\":300")));
            Thread.sleep(100);
            long start = System.nanoTime();
            server.shutdown();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
            HttpResponse<String> r = shortOne.get();
            assertThat(lines(r.body()).getLast().get("done").asBoolean()).isTrue();
        } finally {
            server.close();
        }
    }
}
