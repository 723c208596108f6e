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
        try (JollamaClient client = environment.client()) {
            pull(environment, client, model, insecure);
        }
        return 0;
    }

    /** Pulls {@code model} through the server, drawing its progress on stderr; {@code run} uses it too. */
    static void pull(CommandEnvironment environment, JollamaClient client, String model, boolean insecure) {
        PullProgressView view = new PullProgressView(environment.stderr(), environment.stdoutIsTerminal(),
                PullProgressView.terminalWidth(), System::nanoTime);
        try {
            client.pull(new PullRequest(model, insecure ? true : null), view);
        } finally {
            view.finish();
        }
    }
}
