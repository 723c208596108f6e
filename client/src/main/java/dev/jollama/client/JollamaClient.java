package dev.jollama.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.function.BinaryOperator;
import java.util.function.Consumer;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;

/**
 * A client for the Ollama HTTP API, as served by Jollama or by Ollama itself. It sends only the fields a request
 * sets, so it works against either.
 *
 * <pre>{@code
 * try (JollamaClient client = new JollamaClient()) {       // OLLAMA_HOST, else http://127.0.0.1:11434
 *     client.pull("llama3.2", progress -> System.out.println(progress.status()));
 *
 *     // One call: prompt, model, max tokens, temperature, keep_alive, format, think (the last three may be null).
 *     String answer = client.generateText("Why is the sky blue?", "llama3.2", 128, 0.7, "10m", null, null);
 *     System.out.println(answer);
 *
 *     // Streamed: chunks arrive as the model writes; closing the stream early stops the generation.
 *     GenerateRequest request = GenerateRequest.builder("llama3.2")
 *             .prompt("Write a haiku about rain.")
 *             .options(Options.builder().temperature(0.2).numPredict(64).build())
 *             .build();
 *     try (Stream<GenerateResponse> chunks = client.generateStream(request)) {
 *         chunks.forEach(chunk -> System.out.print(chunk.response()));
 *     }
 *
 *     ChatResponse reply = client.chat(ChatRequest.builder("llama3.2")
 *             .message(Message.system("Answer in one sentence."))
 *             .message(Message.user("What is a llama?"))
 *             .build());
 *     System.out.println(reply.message().content());
 * } catch (JollamaException e) {
 *     System.err.println("HTTP " + e.statusCode() + ": " + e.getMessage());   // the server's own message
 * }
 * }</pre>
 *
 * <p>Each call blocks the calling thread. The client is thread-safe and holds a connection pool: share one and close
 * it when done. A failed call throws {@link JollamaException}.
 */
public final class JollamaClient implements AutoCloseable {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final URI baseUrl;
    private final Duration responseTimeout;
    private final HttpClient http;

    /** A client for the server named by {@code OLLAMA_HOST}, or {@code http://127.0.0.1:11434}. */
    public JollamaClient() {
        this(OllamaHost.fromEnvironment(), null);
    }

    /** A client for a server given as {@code OLLAMA_HOST} takes it: {@code [scheme://]host[:port][/path]}. */
    public JollamaClient(String host) {
        this(OllamaHost.parse(host), null);
    }

    /**
     * @param baseUrl         the server's address, for example {@code http://127.0.0.1:11434}
     * @param responseTimeout how long to wait for a reply to begin, or null to wait as long as it takes (a
     *                        non-streamed generation only answers when done; a model can take minutes to load)
     */
    public JollamaClient(URI baseUrl, Duration responseTimeout) {
        this.baseUrl = URI.create(baseUrl.toString().replaceAll("/+$", ""));
        this.responseTimeout = responseTimeout;
        // HTTP/1.1: Ollama speaks nothing else on plain http, and closing a stream then closes its connection,
        // which is how the server learns to stop generating.
        HttpClient.Builder http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT);
        if ("http".equalsIgnoreCase(this.baseUrl.getScheme())) {
            // Plain http never uses TLS; without this HttpClient reads and parses the JDK's trust store when built,
            // about a tenth of a second of every CLI command's start.
            http.sslContext(tlsUnused());
        }
        this.http = http.build();
    }

    /** A TLS context with no trust store, for a client that never makes a TLS connection. */
    private static SSLContext tlsUnused() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[0], null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no TLS implementation: " + e.getMessage(), e);
        }
    }

    public URI baseUrl() {
        return baseUrl;
    }

    // ---- generate

    /** Generates a completion and returns it whole, once done. */
    public GenerateResponse generate(GenerateRequest request) {
        return call("POST", "/api/generate", withStream(request, false), GenerateResponse.class);
    }

    /**
     * Generates a completion as a lazy stream of chunks. Close the stream (try-with-resources) to release the
     * connection; closing it before the end cancels the generation, and another thread may close it to stop a
     * reader (whose stream then just ends). An error the server reports mid-stream is thrown as a
     * {@link JollamaException} by the stream's operations.
     */
    public Stream<GenerateResponse> generateStream(GenerateRequest request) {
        return stream("/api/generate", request, GenerateResponse.class);
    }

    /**
     * Generates a completion, handing each chunk to {@code onChunk} as it arrives. An exception thrown by
     * {@code onChunk} cancels the generation and propagates.
     *
     * @return the whole reply: the chunks' texts joined, with the final chunk's figures
     */
    public GenerateResponse generate(GenerateRequest request, Consumer<GenerateResponse> onChunk) {
        return consume(generateStream(request), onChunk, GenerateResponse::followedBy);
    }

    /**
     * Generates text in one call: the common case of an application that needs a model's answer.
     *
     * @param maxTokens   limit on generated tokens ({@code options.num_predict}); -1 for no limit
     * @param keepAlive   how long the model stays loaded afterwards, as a Go duration ({@code "5m"}) or seconds
     *                    ({@code "300"}); null for the server's default
     * @param format      {@code "json"} or a JSON Schema as text, to constrain the output; null for free text
     * @param think       true or false to switch a thinking model's reasoning on or off; null for the model's default
     * @return the answer, without the thinking
     */
    public String generateText(String prompt, String model, int maxTokens, double temperature, String keepAlive,
            String format, Boolean think) {
        return generateTextWithThinking(prompt, model, maxTokens, temperature, keepAlive, format, think).text();
    }

    /** {@link #generateText} that also returns the model's thinking. */
    public GeneratedText generateTextWithThinking(String prompt, String model, int maxTokens, double temperature,
            String keepAlive, String format, Boolean think) {
        GenerateRequest.Builder request = GenerateRequest.builder(model)
                .prompt(prompt)
                .options(Options.builder().numPredict(maxTokens).temperature(temperature).build());
        if (keepAlive != null) {
            request.keepAlive(KeepAlive.parse(keepAlive));
        }
        if (format != null) {
            request.format(Format.of(format));
        }
        if (think != null) {
            request.think(think);
        }
        GenerateResponse response = generate(request.build());
        return new GeneratedText(response.response(), response.thinking());
    }

    // ---- chat

    /** Sends a chat and returns the assistant's whole reply, once done. */
    public ChatResponse chat(ChatRequest request) {
        return call("POST", "/api/chat", withStream(request, false), ChatResponse.class);
    }

    /** Sends a chat and returns the reply as a lazy stream of chunks; see {@link #generateStream}. */
    public Stream<ChatResponse> chatStream(ChatRequest request) {
        return stream("/api/chat", request, ChatResponse.class);
    }

    /**
     * Sends a chat, handing each chunk to {@code onChunk} as it arrives; see {@link #generate(GenerateRequest,
     * Consumer)}.
     *
     * @return the whole reply: the message pieces joined, with the final chunk's figures
     */
    public ChatResponse chat(ChatRequest request, Consumer<ChatResponse> onChunk) {
        return consume(chatStream(request), onChunk, ChatResponse::followedBy);
    }

    // ---- models

    /** Downloads a model from its registry, each status line a chunk of a lazy stream; see {@link #generateStream}. */
    public Stream<PullProgress> pullStream(PullRequest request) {
        return stream("/api/pull", request, PullProgress.class);
    }

    /**
     * Downloads a model from its registry, handing each status line to {@code onProgress}.
     *
     * @return the last status, {@code "success"} when the model is in place
     */
    public PullProgress pull(PullRequest request, Consumer<PullProgress> onProgress) {
        return consume(pullStream(request), onProgress, (earlier, later) -> later);
    }

    public PullProgress pull(String model, Consumer<PullProgress> onProgress) {
        return pull(PullRequest.of(model), onProgress);
    }

    /** The models in the server's store ({@code GET /api/tags}). */
    public List<LocalModel> list() {
        return call("GET", "/api/tags", null, LocalModels.class).models();
    }

    public ShowResponse show(String model) {
        return call("POST", "/api/show", new ShowBody(model, null), ShowResponse.class);
    }

    /** @param verbose true to include large metadata arrays such as the vocabulary in {@code model_info} */
    public ShowResponse show(String model, boolean verbose) {
        return call("POST", "/api/show", new ShowBody(model, verbose), ShowResponse.class);
    }

    /** The models loaded in memory ({@code GET /api/ps}). */
    public List<RunningModel> ps() {
        return call("GET", "/api/ps", null, RunningModels.class).models();
    }

    /** Stores a model under a second name; the blobs are shared. */
    public void copy(String source, String destination) {
        call("POST", "/api/copy", new CopyBody(source, destination), Void.class);
    }

    /** Removes a model from the store, and its blobs that no other model uses. */
    public void delete(String model) {
        call("DELETE", "/api/delete", new DeleteBody(model), Void.class);
    }

    /**
     * Unloads a model from memory now, as {@code ollama stop} does: a generate request with no prompt and
     * {@code keep_alive} 0. Stopping a model that is not loaded does nothing.
     */
    public void stop(String model) {
        generate(GenerateRequest.builder(model).keepAlive(KeepAlive.UNLOAD).build());
    }

    // ---- creating models

    /** Creates a model, each status line a chunk of a lazy stream; see {@link #generateStream}. */
    public Stream<CreateProgress> createStream(CreateRequest request) {
        return stream("/api/create", request, CreateProgress.class);
    }

    /**
     * Creates a model, handing each status line to {@code onProgress}. Blobs named in {@code files} must be uploaded
     * first ({@link #uploadBlob}).
     *
     * @return the last status, {@code "success"} when the model is in place
     */
    public CreateProgress create(CreateRequest request, Consumer<CreateProgress> onProgress) {
        return consume(createStream(request), onProgress, (earlier, later) -> later);
    }

    /** Whether the server holds a blob ({@code HEAD /api/blobs/:digest}). */
    public boolean blobExists(String digest) {
        try {
            send("HEAD", "/api/blobs/" + digest, HttpRequest.BodyPublishers.noBody(), null).body().close();
            return true;
        } catch (JollamaException e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw e;
        } catch (IOException e) {
            return true; // the status said yes; an empty body that fails to close changes nothing
        }
    }

    /**
     * Uploads a file as a blob, streamed from disk, after reading it once for its digest.
     *
     * @return the blob's digest, {@code sha256:<hex>}, to name it in a {@link CreateRequest}
     * @throws UncheckedIOException when the file cannot be read
     */
    public String uploadBlob(Path file) {
        String digest = BlobDigest.of(file);
        uploadBlob(file, digest);
        return digest;
    }

    /**
     * Uploads a file whose digest is known ({@link BlobDigest#of}); the server checks the bytes against it. A blob
     * the server already has is not stored twice.
     *
     * @throws UncheckedIOException when the file cannot be read
     */
    public void uploadBlob(Path file, String digest) {
        HttpRequest.BodyPublisher bytes;
        try {
            bytes = HttpRequest.BodyPublishers.ofFile(file);
        } catch (FileNotFoundException e) {
            throw new UncheckedIOException("cannot read " + file + ": no such file", e);
        }
        call("POST", "/api/blobs/" + digest, bytes, "application/octet-stream", Void.class);
    }

    public EmbedResponse embed(EmbedRequest request) {
        return call("POST", "/api/embed", request, EmbedResponse.class);
    }

    /** The server's version, for example {@code "0.12.3"}. */
    public String version() {
        return call("GET", "/api/version", null, Version.class).version();
    }

    /** Releases the connections. A call still in flight on another thread, or a stream not yet closed, fails. */
    @Override
    public void close() {
        // Not HttpClient.close(): it waits for every response body to be read, forever for an abandoned stream.
        http.shutdownNow();
    }

    // ---- wire bodies that are not worth a public type

    private record ShowBody(String model, Boolean verbose) {
    }

    private record CopyBody(String source, String destination) {
    }

    private record DeleteBody(String model) {
    }

    private record LocalModels(List<LocalModel> models) {
        LocalModels {
            models = models == null ? List.of() : models;
        }
    }

    private record RunningModels(List<RunningModel> models) {
        RunningModels {
            models = models == null ? List.of() : models;
        }
    }

    private record Version(String version) {
    }

    // ---- transport

    private static ObjectNode withStream(Object request, boolean stream) {
        ObjectNode body = Json.MAPPER.valueToTree(request);
        body.put("stream", stream);
        return body;
    }

    private <T> Stream<T> stream(String path, Object request, Class<T> chunkType) {
        byte[] body = toJson(withStream(request, true));
        return NdjsonChunks.stream(send("POST", path, HttpRequest.BodyPublishers.ofByteArray(body), "application/json")
                .body(), chunkType);
    }

    private static <T> T consume(Stream<T> chunks, Consumer<T> onChunk, BinaryOperator<T> join) {
        try (chunks) {
            T whole = null;
            for (Iterator<T> it = chunks.iterator(); it.hasNext(); ) {
                T chunk = it.next();
                onChunk.accept(chunk);
                whole = whole == null ? chunk : join.apply(whole, chunk);
            }
            if (whole == null) {
                throw new JollamaException(JollamaException.NO_RESPONSE, "the server ended the reply without a line");
            }
            return whole;
        }
    }

    private <T> T call(String method, String path, Object body, Class<T> replyType) {
        return body == null
                ? call(method, path, HttpRequest.BodyPublishers.noBody(), null, replyType)
                : call(method, path, HttpRequest.BodyPublishers.ofByteArray(toJson(body)), "application/json", replyType);
    }

    private <T> T call(String method, String path, HttpRequest.BodyPublisher body, String contentType,
            Class<T> replyType) {
        HttpResponse<InputStream> response = send(method, path, body, contentType);
        byte[] reply;
        try (InputStream in = response.body()) {
            reply = in.readAllBytes();
        } catch (IOException e) {
            throw new JollamaException(JollamaException.NO_RESPONSE,
                    "the connection to the server broke off mid-reply: " + e.getMessage(), e);
        }
        if (replyType == Void.class) {
            return null;
        }
        try {
            return Json.MAPPER.readValue(reply, replyType);
        } catch (IOException e) {
            throw new JollamaException(JollamaException.NO_RESPONSE, "the server sent a reply that is not a "
                    + replyType.getSimpleName() + ": " + new String(reply, StandardCharsets.UTF_8), e);
        }
    }

    /**
     * Sends a request and returns the response if its status is a success; the body is left to the caller.
     *
     * @param contentType of the body, or null for a request without one
     */
    private HttpResponse<InputStream> send(String method, String path, HttpRequest.BodyPublisher body,
            String contentType) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .header("Accept", "application/json, application/x-ndjson")
                .method(method, body);
        if (responseTimeout != null) {
            request.timeout(responseTimeout);
        }
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        HttpResponse<InputStream> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw new JollamaException(JollamaException.NO_RESPONSE,
                    "could not connect to jollama server at " + baseUrl + ", is it running?", e);
        } catch (HttpTimeoutException e) {
            throw new JollamaException(JollamaException.NO_RESPONSE,
                    "no reply from " + baseUrl + path + " within " + responseTimeout, e);
        } catch (IOException e) {
            throw new JollamaException(JollamaException.NO_RESPONSE,
                    "request to " + baseUrl + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JollamaException(JollamaException.NO_RESPONSE,
                    "interrupted while waiting for " + baseUrl + path, e);
        }
        if (response.statusCode() >= 400) {
            throw errorOf(response);
        }
        return response;
    }

    private static byte[] toJson(Object body) {
        try {
            return Json.MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("request cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** The server's {@code {"error": "..."}} message, or the body as text when it is something else. */
    private static JollamaException errorOf(HttpResponse<InputStream> response) {
        String text;
        try (InputStream in = response.body()) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            text = "";
        }
        String message = text.isEmpty() ? "HTTP " + response.statusCode() : text;
        try {
            JsonNode error = Json.MAPPER.readTree(text).get("error");
            if (error != null && error.isTextual()) {
                message = error.asText();
            }
        } catch (JsonProcessingException e) {
            // Not JSON (a proxy's page, gin's "404 page not found"): the text itself is the message.
        }
        return new JollamaException(response.statusCode(), message);
    }
}
