package dev.jollama.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An Ollama stand-in on a free loopback port: each test scripts the replies per path and reads back the requests
 * the client sent.
 */
final class FakeOllama implements AutoCloseable {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** How the fake answers one request; the request is the one just recorded. */
    @FunctionalInterface
    interface Reply {
        void send(HttpExchange exchange, Request request) throws IOException;
    }

    record Request(String method, String path, String contentType, String body) {
        JsonNode json() {
            try {
                return MAPPER.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final Map<String, Reply> replies = new ConcurrentHashMap<>();
    private final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();

    FakeOllama() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    JollamaClient client() {
        return new JollamaClient(url(), Duration.ofSeconds(10));
    }

    FakeOllama on(String path, Reply reply) {
        replies.put(path, reply);
        return this;
    }

    /** The next request the client sent, waiting briefly for it. */
    Request request() throws InterruptedException {
        Request request = requests.poll(5, TimeUnit.SECONDS);
        if (request == null) {
            throw new AssertionError("the client sent no request");
        }
        return request;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Request request = new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    exchange.getRequestHeaders().getFirst("Content-Type"), body);
            requests.add(request);
            Reply reply = replies.getOrDefault(request.path(), text(404, "404 page not found"));
            reply.send(exchange, request);
        }
    }

    static Reply json(int status, String body) {
        return (exchange, request) -> {
            exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
            write(exchange, status, body);
        };
    }

    static Reply text(int status, String body) {
        return (exchange, request) -> {
            exchange.getResponseHeaders().set("Content-Type", "text/plain");
            write(exchange, status, body);
        };
    }

    static Reply ndjson(String... lines) {
        return (exchange, request) -> {
            exchange.getResponseHeaders().set("Content-Type", "application/x-ndjson");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                for (String line : lines) {
                    out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            }
        };
    }

    private static void write(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
