package dev.jollama.cli;

import dev.jollama.engine.bench.Warmup;
import dev.jollama.server.JollamaServer;
import dev.jollama.server.config.ServerConfig;

import picocli.CommandLine.Command;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import java.util.concurrent.Callable;

/**
 * {@code jollama serve}: starts the API server at OLLAMA_HOST (default 127.0.0.1:11434), then warms the JIT up in the
 * background (a few seconds of CPU) so that the first request after a model loads does not run interpreted code;
 * JOLLAMA_WARMUP=0 turns that off. SIGTERM drains: see {@link JollamaServer#shutdown()}.
 */
@Command(name = "serve", description = "Start the server.")
final class ServeCommand implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
        JollamaServer server = JollamaServer.start(ServerConfig.fromEnvironment());
        // SIGTERM (and Ctrl-C) drain: running requests get JOLLAMA_SHUTDOWN_GRACE to finish.
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("jollama-shutdown").unstarted(server::shutdown));
        if (warmUpWanted(System.getenv("JOLLAMA_WARMUP"))) {
            Thread.ofPlatform().daemon().name("jollama-warmup").start(() -> warmUp(server::busy));
        }
        server.join();
        return 0;
    }

    /** JOLLAMA_WARMUP: on unless set to 0 or false. */
    static boolean warmUpWanted(String setting) {
        return setting == null || !(setting.strip().equals("0") || setting.strip().equalsIgnoreCase("false"));
    }

    private static void warmUp(BooleanSupplier serving) {
        try {
            Warmup.run(Path.of(System.getProperty("java.io.tmpdir")), serving);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            System.err.println("jollama: JIT warm-up failed (the server works, its first request may be slower): " + e);
        }
    }
}
