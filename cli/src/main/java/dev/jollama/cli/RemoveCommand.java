package dev.jollama.cli;

import dev.jollama.client.JollamaClient;
import dev.jollama.client.JollamaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.concurrent.Callable;

/** {@code jollama rm MODEL...}: unloads each model, then removes it and the blobs no other model uses. */
@Command(name = "rm", description = "Remove a model.")
final class RemoveCommand implements Callable<Integer> {
    @ParentCommand
    JollamaCommand root;

    @Parameters(arity = "1..*", paramLabel = "MODEL")
    List<String> models;

    @Override
    public Integer call() {
        CommandEnvironment environment = root.environment();
        try (JollamaClient client = environment.client()) {
            for (String model : models) {
                try {
                    client.stop(model);
                } catch (JollamaException e) {
                    if (e.statusCode() == JollamaException.NO_RESPONSE) {
                        throw e;
                    }
                    // A model that is not there is reported by the delete below; anything else is worth a word.
                    if (e.statusCode() != 404) {
                        environment.stderr().println("Warning: unable to stop model '" + model + "'");
                    }
                }
                client.delete(model);
                environment.stdout().println("deleted '" + model + "'");
            }
        }
        return 0;
    }
}
