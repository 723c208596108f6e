package dev.jollama.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jollama.server.config.ServerConfig;
import dev.jollama.server.store.ModelImport;
import dev.jollama.server.store.ModelName;
import dev.jollama.server.store.ModelStore;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A server on a free loopback port with its own model store under target/, holding models made from
 * {@code ../shared/models}; tests are skipped when ../shared is absent.
 */
public final class TestServer implements AutoCloseable {
    /** The template of Ollama's own generate tests. */
    public static final String TEST_TEMPLATE = "{{- if .System }}System: {{ .System }} {{ end }}{{- if .Prompt }}User: {{ .Prompt }} {{ end }}{{- if .Response }}Assistant: {{ .Response }} {{ end }}";
    public static final String FIM_TEMPLATE = "{{- if .Suffix }}<PRE> {{ .Prompt }} <SUF>{{ .Suffix }} <MID>{{- else }}{{ .Prompt }}{{- end }}";
    /**
     * A thinking model's template: .Thinking inside range .Messages gives the capability and the tags; when thinking
     * is on it prefills the think block, so stories260K's text lands in thinking.
     */
    public static final String THINKING_TEMPLATE = "{{- range .Messages }}{{ if eq .Role \"user\" }}{{ .Content }}"
            + "{{ else if eq .Role \"assistant\" }}{{ if .Thinking }}<think>{{ .Thinking }}</think>{{ end }}{{ .Content }}{{ end }}{{ end }}"
            + "{{ if .Think }}<think>{{ end }}";
    private static final ObjectMapper JSON = new ObjectMapper();

    public final JollamaServer server;
    public final ModelStore store;
    public final URI base;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private TestServer(JollamaServer server, ModelStore store) {
        this.server = server;
        this.store = store;
        this.base = URI.create("http://127.0.0.1:" + server.port());
    }

    public static Path shared() {
        Path projectRoot = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        if (Files.exists(projectRoot.getParent().resolve("pom.xml"))) {
            projectRoot = projectRoot.getParent();
        }
        Path shared = projectRoot.resolveSibling("shared");
        Assumptions.assumeTrue(Files.isDirectory(shared), "../shared not found at " + shared + ": skipping server tests that need its models");
        return shared;
    }

    /** A server with the standard test models (see {@link #newStore()}). */
    public static TestServer start(Map<String, String> env) throws IOException {
        ModelStore store = newStore();
        Map<String, String> all = new HashMap<>(env);
        all.put("OLLAMA_HOST", "127.0.0.1:0");
        all.put("OLLAMA_MODELS", store.root().toString());
        return new TestServer(JollamaServer.start(ServerConfig.from(all)), store);
    }

    /** A new store under target/ with the standard test models: test (test template + system), stories (no template), fim. */
    public static ModelStore newStore() throws IOException {
        Path stories = shared().resolve("models/stories260K.gguf");
        // A non-ASCII folder name, as users with such home folders have (Ollama's unicode-model-dir case).
        Path root = Path.of("target", "test-stores", "模型-" + UUID.randomUUID()).toAbsolutePath();
        ModelStore store = new ModelStore(root);
        ModelImport.create(store, ModelName.parse("test"), stories, new ModelImport.Parts(TEST_TEMPLATE,
                "You are a helpful assistant.", Map.of(), List.of(), List.of()));
        ModelImport.create(store, ModelName.parse("stories"), stories, ModelImport.Parts.none());
        ModelImport.create(store, ModelName.parse("fim"), stories, new ModelImport.Parts(FIM_TEMPLATE, null, Map.of(), List.of(), List.of()));
        return store;
    }

    public HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body);
        return http.send(HttpRequest.newBuilder(base.resolve(path)).method(method, publisher).build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    public static JsonNode json(String text) throws IOException {
        return JSON.readTree(text);
    }

    /** Every line of an NDJSON body, parsed. */
    public static List<JsonNode> lines(String body) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : body.split("\n")) {
            lines.add(JSON.readTree(line));
        }
        return lines;
    }

    @Override
    public void close() {
        server.close();
    }
}
