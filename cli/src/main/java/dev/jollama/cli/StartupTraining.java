package dev.jollama.cli;

import dev.jollama.client.OllamaHost;
import dev.jollama.server.JollamaServer;
import dev.jollama.server.config.ServerConfig;

import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * The training run of the {@code ./jollama} launcher's ahead-of-time class caches ({@code -XX:AOTCacheOutput}): what
 * a start-up of {@code serve} and of the client commands loads, links and profiles, so that later starts find it in
 * the cache. It starts a server on a free loopback port over the given (empty) model store and runs the client
 * commands against it in this process, their output thrown away; no model, no network beyond loopback.
 *
 * <p>Usage: {@code StartupTraining MODEL_STORE_DIRECTORY}; exit code 0 when every command ran as expected.
 */
final class StartupTraining {
    private StartupTraining() {
    }

    public static void main(String[] args) {
        System.exit(run(Path.of(args[0])) == 0 ? 0 : 1);
    }

    /** @return how many commands did not exit as expected (0: all did) */
    static int run(Path models) {
        JollamaServer server = JollamaServer.start(ServerConfig.from(Map.of("OLLAMA_HOST", "127.0.0.1:0",
                "OLLAMA_MODELS", models.toString())));
        try {
            URI url = OllamaHost.parse("127.0.0.1:" + server.port());
            // Each command with its expected exit code: show of a missing model trains the error path.
            return expect(url, 0, "list") + expect(url, 0, "ps") + expect(url, 1, "show", "missing")
                    + expect(url, 0, "--version") + expect(url, 0, "--help");
        } finally {
            server.close();
        }
    }

    /** Runs the command and returns 0 when it exits as expected, else 1 (saying so on stderr). */
    private static int expect(URI server, int exitCode, String... args) {
        PrintStream discard = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
        CommandEnvironment environment = new CommandEnvironment(new ByteArrayInputStream(new byte[0]), discard,
                discard, false, false, server);
        int actual = JollamaCommand.execute(environment, args);
        if (actual != exitCode) {
            System.err.println("training: jollama " + String.join(" ", args) + " exited " + actual + ", not " + exitCode);
            return 1;
        }
        return 0;
    }
}
