package dev.jollama.cli;

import dev.jollama.server.JollamaServer;
import dev.jollama.server.config.ServerConfig;
import dev.jollama.server.store.ModelImport;
import dev.jollama.server.store.ModelName;
import dev.jollama.server.store.ModelStore;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

/**
 * A real server on a free loopback port with its own store under target/, holding {@code stories} (stories260K
 * with no template), and the jollama command run in-process against it. Tests that need it are skipped when
 * {@code ../shared} is absent.
 */
final class TestServer implements AutoCloseable {
    /** What a run of the command did. */
    record Outcome(int exitCode, String out, String err) {
    }

    private final JollamaServer server;
    final Path models;

    private TestServer(JollamaServer server, Path models) {
        this.server = server;
        this.models = models;
    }

    /** {@code ../shared} beside the project root, or the test is skipped (the server tests' lookup). */
    static Path shared() {
        return dev.jollama.server.TestServer.shared();
    }

    static Path stories260K() {
        return shared().resolve("models/stories260K.gguf");
    }

    static TestServer start() throws IOException {
        Path stories = stories260K();
        Path models = Path.of("target", "cli-test-stores", UUID.randomUUID().toString()).toAbsolutePath();
        ModelImport.create(new ModelStore(models), ModelName.parse("stories"), stories, ModelImport.Parts.none());
        JollamaServer server = JollamaServer.start(ServerConfig.from(Map.of("OLLAMA_HOST", "127.0.0.1:0",
                "OLLAMA_MODELS", models.toString())));
        return new TestServer(server, models);
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.port());
    }

    /** The command with nothing on stdin, writing to a pipe. */
    Outcome run(String... args) {
        return run(url(), "", false, args);
    }

    /** The command with text piped to stdin. */
    Outcome runPiped(String stdin, String... args) {
        return run(url(), stdin, false, args);
    }

    /** The command as a person at a terminal runs it, typing the given lines. */
    Outcome runAtTerminal(String typed, String... args) {
        return run(url(), typed, true, args);
    }

    static Outcome run(URI server, String stdin, boolean terminal, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CommandEnvironment environment = new CommandEnvironment(
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                terminal, terminal, server);
        int exitCode = JollamaCommand.execute(environment, args);
        return new Outcome(exitCode, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        server.close();
    }
}
