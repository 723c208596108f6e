package dev.jollama.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jollama.server.config.ServerConfig;
import dev.jollama.server.store.ModelImport;
import dev.jollama.server.store.ModelName;
import dev.jollama.server.store.ModelStore;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

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
import java.util.function.Supplier;

/**
 * A server on a free loopback port with its own model store under target/, holding models made from
 * {@code ../shared/models}; tests are skipped when ../shared is absent. Either started for one test
 * ({@link #start}, closed by the test) or for a whole class:
 * {@code @RegisterExtension static final TestServer server = TestServer.perClass();} starts it before the class's
 * {@code @BeforeAll} methods and closes it after the class.
 */
public final class TestServer implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
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
    /** stories260K's greedy continuation of "Once upon a time" in 12 tokens. */
    public static final String STORY = ", there was a little girl named Lily. She";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Supplier<Map<String, String>> env;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private JollamaServer server;
    private ModelStore store;
    private URI base;

    private TestServer(Supplier<Map<String, String>> env) {
        this.env = env;
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

    /** A server with the standard test models (see {@link #newStore()}), started now. */
    public static TestServer start(Map<String, String> env) throws IOException {
        TestServer started = new TestServer(() -> env);
        started.open();
        return started;
    }

    /** A server with the standard test models for a test class, to register with {@code @RegisterExtension}. */
    public static TestServer perClass() {
        return perClass(Map::of);
    }

    /** As {@link #perClass()} with extra environment, computed when the class starts (so it may use {@link #shared()}). */
    public static TestServer perClass(Supplier<Map<String, String>> env) {
        return new TestServer(env);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        open();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    private void open() throws IOException {
        store = newStore();
        Map<String, String> all = new HashMap<>(env.get());
        all.put("OLLAMA_HOST", "127.0.0.1:0");
        all.put("OLLAMA_MODELS", store.root().toString());
        server = JollamaServer.start(ServerConfig.from(all));
        base = URI.create("http://127.0.0.1:" + server.port());
    }

    public ModelStore store() {
        return store;
    }

    public URI base() {
        return base;
    }

    public int port() {
        return server.port();
    }

    /** Stops the server as a signal does: drains running requests within the grace. */
    public void shutdown() {
        server.shutdown();
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

    /** Adds a model made from a GGUF file with a template (null: none, so the default {{ .Prompt }}). */
    public void addModel(String name, Path gguf, String template) throws IOException {
        ModelImport.create(store, ModelName.parse(name), gguf, template == null ? ModelImport.Parts.none()
                : new ModelImport.Parts(template, null, Map.of(), List.of(), List.of()));
    }

    /** Adds {@code ../shared/models/<name>.gguf} under its own name, without a template. */
    public void addSharedModel(String name) throws IOException {
        addModel(name, shared().resolve("models/" + name + ".gguf"), null);
    }

    /** Adds "thinker": stories260K with {@link #THINKING_TEMPLATE}. */
    public void addThinker() throws IOException {
        addModel("thinker", shared().resolve("models/stories260K.gguf"), THINKING_TEMPLATE);
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

    /** Closes the server if it started (a class skipped for want of ../shared never started one). */
    @Override
    public void close() {
        if (server != null) {
            server.close();
            server = null;
        }
    }
}
