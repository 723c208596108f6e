package dev.jollama.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code jollama serve}: starts the API server at OLLAMA_HOST (default 127.0.0.1:11434). */
@Command(name = "serve", description = "Start the server.")
final class ServeCommand implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
        dev.jollama.server.JollamaServer.start(dev.jollama.server.config.ServerConfig.fromEnvironment()).join();
        return 0;
    }
}
