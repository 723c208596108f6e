package dev.jollama.cli;

import dev.jollama.client.JollamaClient;
import dev.jollama.client.JollamaException;
import dev.jollama.client.OllamaHost;
import dev.jollama.server.JollamaServer;
import dev.jollama.server.config.ServerConfig;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The training run of the {@code ./jollama} launcher's ahead-of-time class caches ({@code -XX:AOTCacheOutput}): what
 * a start-up of {@code serve} and of the client commands loads, links and profiles, so that later starts find it in
 * the cache. It starts a server on a free loopback port over the given (empty) model store and runs the client
 * commands against it, their output thrown away; no model, no network beyond loopback. For the engine's cache the
 * server runs in this process (its start-up is what {@code serve} needs cached); for the client commands' cache in a
 * JVM of its own: a cache holds every class its training loaded and a JVM loads them all as it starts, so the
 * server's classes in it (about 1,500 of 4,900) cost each client command's start-up time.
 *
 * <p>Usage: {@code StartupTraining MODEL_STORE_DIRECTORY [engine|client]} (default engine); exit code 0 when every
 * command ran as expected.
 */
final class StartupTraining {
    private static final Duration SERVER_START_LIMIT = Duration.ofSeconds(60);

    private StartupTraining() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length > 1 ? args[1] : "engine";
        if (!mode.equals("engine") && !mode.equals("client")) {
            System.err.println("training: the mode is engine or client, not " + mode);
            System.exit(2);
        }
        boolean client = mode.equals("client");
        Path models = Path.of(args[0]);
        System.exit((client ? runAgainstServerProcess(models) : run(models)) == 0 ? 0 : 1);
    }

    /** @return how many commands did not exit as expected (0: all did), against a server in this process */
    static int run(Path models) {
        JollamaServer server = JollamaServer.start(ServerConfig.from(Map.of("OLLAMA_HOST", "127.0.0.1:0",
                "OLLAMA_MODELS", models.toString())));
        try {
            return runCommands(OllamaHost.parse("127.0.0.1:" + server.port()));
        } finally {
            server.close();
        }
    }

    /**
     * As {@link #run}, against {@code jollama serve} in a JVM of its own (without warm-up; its output in
     * server.log of the store directory).
     */
    static int runAgainstServerProcess(Path models) throws IOException, InterruptedException {
        Files.createDirectories(models);
        int port = freePort();
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                JollamaCommand.class.getName(), "serve")
                .redirectErrorStream(true).redirectOutput(models.resolve("server.log").toFile());
        builder.environment().putAll(Map.of("OLLAMA_HOST", "127.0.0.1:" + port, "OLLAMA_MODELS", models.toString(),
                "JOLLAMA_WARMUP", "0"));
        Process server = builder.start();
        try {
            URI url = OllamaHost.parse("127.0.0.1:" + port);
            awaitServer(url, server);
            return runCommands(url);
        } finally {
            server.destroy();
            server.waitFor();
        }
    }

    /**
     * A loopback port free now. Should another process take it before the server does, the server fails to start, the
     * training fails, and the launcher starts commands without a cache until the next build.
     */
    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void awaitServer(URI url, Process server) throws InterruptedException {
        long deadline = System.nanoTime() + SERVER_START_LIMIT.toNanos();
        try (JollamaClient client = new JollamaClient(url, SERVER_START_LIMIT)) {
            while (true) {
                try {
                    client.version();
                    return;
                } catch (JollamaException e) {
                    if (!server.isAlive() || System.nanoTime() > deadline) {
                        throw new IllegalStateException("training: the server at " + url + " did not start (see its server.log)", e);
                    }
                    Thread.sleep(50);
                }
            }
        }
    }

    /** Each command with its expected exit code: show of a missing model trains the error path. */
    private static int runCommands(URI url) {
        return expect(url, 0, "list") + expect(url, 0, "ps") + expect(url, 1, "show", "missing")
                + expect(url, 0, "--version") + expect(url, 0, "--help");
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
