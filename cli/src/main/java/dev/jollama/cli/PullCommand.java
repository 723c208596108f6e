package dev.jollama.cli;

import dev.jollama.client.JollamaClient;
import dev.jollama.client.PullRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** {@code jollama pull MODEL}: downloads a model through the server, showing its progress on stderr. */
@Command(name = "pull", description = "Pull a model from a registry.")
final class PullCommand implements Callable<Integer> {
    @ParentCommand
    JollamaCommand root;

    @Parameters(paramLabel = "MODEL")
    String model;

    @Option(names = "--insecure", description = "Use an insecure registry (plain http, unverified certificates).")
    boolean insecure;

    @Override
    public Integer call() {
        CommandEnvironment environment = root.environment();
        PullProgressView view = new PullProgressView(environment.stderr(), environment.stdoutIsTerminal(),
                PullProgressView.terminalWidth(), System::nanoTime);
        try (JollamaClient client = environment.client()) {
            client.pull(new PullRequest(model, insecure ? true : null), view);
        } finally {
            view.finish();
        }
        return 0;
    }
}
