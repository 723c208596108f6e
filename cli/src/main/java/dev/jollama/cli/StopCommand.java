package dev.jollama.cli;

import dev.jollama.client.JollamaClient;
import dev.jollama.client.JollamaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** {@code jollama stop MODEL}: unloads a model from memory now rather than when its keep_alive runs out. */
@Command(name = "stop", description = "Stop a running model.")
final class StopCommand implements Callable<Integer> {
    @ParentCommand
    JollamaCommand root;

    @Parameters(paramLabel = "MODEL")
    String model;

    @Override
    public Integer call() {
        try (JollamaClient client = root.environment().client()) {
            client.stop(model);
        } catch (JollamaException e) {
            if (e.statusCode() == 404) {
                throw new JollamaException(404, "couldn't find model \"" + model + "\" to stop", e);
            }
            throw e;
        }
        return 0;
    }
}
