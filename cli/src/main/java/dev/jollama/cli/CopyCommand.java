package dev.jollama.cli;

import dev.jollama.client.JollamaClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** {@code jollama cp SOURCE DESTINATION}: the same model under a second name; the blobs are shared. */
@Command(name = "cp", description = "Copy a model.")
final class CopyCommand implements Callable<Integer> {
    @ParentCommand
    JollamaCommand root;

    @Parameters(index = "0", paramLabel = "SOURCE")
    String source;

    @Parameters(index = "1", paramLabel = "DESTINATION")
    String destination;

    @Override
    public Integer call() {
        try (JollamaClient client = root.environment().client()) {
            client.copy(source, destination);
        }
        root.environment().stdout().println("copied '" + source + "' to '" + destination + "'");
        return 0;
    }
}
