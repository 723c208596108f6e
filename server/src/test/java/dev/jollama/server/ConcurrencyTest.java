package dev.jollama.server;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.jollama.server.TestServer.json;
import static dev.jollama.server.TestServer.lines;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** Parallel slots, the queue limit and clients that leave mid-stream, against a server on loopback. */
class ConcurrencyTest {
    private static final String GREEDY_12 = "{\"model\":\"stories\",\"prompt\":\"Once upon a time\",\"options\":{\"temperature\":0,\"num_predict\":12}}";
    /** Greedy output never ends this story: with the context shift only num_predict's bound stops it (5,120 tokens). */
    private static final String ENDLESS = "{\"model\":\"stories\",\"prompt\":\"Once upon a time\",\"options\":{\"num_predict\":-1,\"num_ctx\":512,\"temperature\":0}}";
    /** A short request on the same loaded model as {@link #ENDLESS} (another num_ctx would load a second copy). */
    private static final String SHORT = ENDLESS.replace("\"num_predict\":-1", "\"num_predict\":12");
    /** Long enough to keep a slot busy for a while (the context shift keeps it going). */
    private static final String LONG = "{\"model\":\"stories\",\"prompt\":\"Once upon a time\",\"options\":{\"num_predict\":3000,\"num_ctx\":256}}";

    @Test
    void eightParallelStreamsWithTwoSlotsAllComplete() throws Exception {
        try (TestServer server = TestServer.start(Map.of("OLLAMA_NUM_PARALLEL", "2"));
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<HttpResponse<String>>> replies = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                replies.add(pool.submit(() -> server.post("/api/generate", GREEDY_12)));
            }
            for (Future<HttpResponse<String>> f : replies) {
                HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
                assertThat(r.statusCode()).isEqualTo(200);
                List<JsonNode> chunks = lines(r.body());
                StringBuilder text = new StringBuilder();
                chunks.forEach(c -> text.append(c.get("response").asText()));
                assertThat(text.toString()).isEqualTo(", there was a little girl named Lily. She");
                assertThat(chunks.getLast().get("done").asBoolean()).isTrue();
            }
        }
    }

    @Test
    void beyondTheQueueLimitRequestsGet503AndTheServerStaysHealthy() throws Exception {
        try (TestServer server = TestServer.start(Map.of("OLLAMA_NUM_PARALLEL", "1", "OLLAMA_MAX_QUEUE", "2"));
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            server.post("/api/generate", "{\"model\":\"stories\",\"options\":{\"num_ctx\":256}}"); // load first
            List<Future<HttpResponse<String>>> replies = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                replies.add(pool.submit(() -> server.post("/api/generate", LONG)));
            }
            int busy = 0, ok = 0;
            for (Future<HttpResponse<String>> f : replies) {
                HttpResponse<String> r = f.get(120, TimeUnit.SECONDS);
                if (r.statusCode() == 503) {
                    busy++;
                    assertThat(json(r.body()).get("error").asText()).isEqualTo("server busy, please try again.  maximum pending requests exceeded");
                } else {
                    assertThat(r.statusCode()).isEqualTo(200);
                    assertThat(lines(r.body()).getLast().get("done").asBoolean()).isTrue();
                    ok++;
                }
            }
            assertThat(busy).isPositive();
            assertThat(ok).isBetween(1, 3);
            assertThat(server.post("/api/generate", GREEDY_12).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void clientsThatLeaveMidStreamFreeTheirSlot() throws Exception {
        try (TestServer server = TestServer.start(Map.of("OLLAMA_NUM_PARALLEL", "1"))) {
            assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
                for (int i = 0; i < 50; i++) {
                    try (Socket socket = new Socket("127.0.0.1", server.port())) {
                        byte[] body = LONG.getBytes(StandardCharsets.UTF_8);
                        OutputStream out = socket.getOutputStream();
                        out.write(("POST /api/generate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                                + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                        out.write(body);
                        out.flush();
                        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                        String line;
                        while ((line = in.readLine()) != null && !line.contains("\"response\"")) {
                            // headers and chunk sizes, until the first token arrives
                        }
                    }
                }
                // With one slot, a stuck generation would block this request forever.
                HttpResponse<String> r = server.post("/api/generate", GREEDY_12);
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(lines(r.body()).getLast().get("done").asBoolean()).isTrue();
            });
        }
    }

    @Test
    void aNonStreamingClientThatLeavesStopsItsGeneration() throws Exception {
        try (TestServer server = TestServer.start(Map.of("OLLAMA_NUM_PARALLEL", "1"))) {
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                try (Socket socket = rawPost(server, "/api/generate", ENDLESS.replace("{\"model\"", "{\"stream\":false,\"model\""))) {
                    awaitHeaders(socket);
                }
                long start = System.nanoTime();
                HttpResponse<String> r = server.post("/api/generate", SHORT);
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
            });
        }
    }

    @Test
    void numPredictZeroIsBoundedAsMinusOneIs() throws Exception {
        try (TestServer server = TestServer.start(Map.of())) {
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                HttpResponse<String> r = server.post("/api/generate", "{\"model\":\"stories\",\"prompt\":\"Once upon a time\",\"stream\":false,"
                        + "\"options\":{\"num_predict\":0,\"num_ctx\":32,\"temperature\":0}}");
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(json(r.body()).get("eval_count").asInt()).isLessThanOrEqualTo(320);
            });
        }
    }

    @Test
    void aRequestWaitingForASlotEndsWhenItsClientLeaves() throws Exception {
        try (TestServer server = TestServer.start(Map.of("OLLAMA_NUM_PARALLEL", "1", "OLLAMA_MAX_QUEUE", "1"));
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                try (Socket busy = rawPost(server, "/api/generate", ENDLESS)) {
                    awaitHeaders(busy); // holds the only slot while its stream is open and unread
                    try (Socket waiting = rawPost(server, "/api/generate", SHORT)) {
                        Thread.sleep(300); // queued behind the slot
                    }
                    Thread.sleep(600); // the server notices within its poll interval
                    // With the left request still queued, this one would be the second waiting: 503.
                    Future<HttpResponse<String>> next = pool.submit(() -> server.post("/api/generate", SHORT));
                    Thread.sleep(300);
                    busy.close();
                    assertThat(next.get().statusCode()).isEqualTo(200);
                }
            });
        }
    }

    static Socket rawPost(TestServer server, String path, String json) throws java.io.IOException {
        Socket socket = new Socket("127.0.0.1", server.port());
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        return socket;
    }

    /** Reads up to the end of the response headers. */
    static void awaitHeaders(Socket socket) throws java.io.IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        String line;
        while ((line = in.readLine()) != null && !line.isEmpty()) {
            // status line and headers
        }
    }
}
