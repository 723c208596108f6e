package dev.jollama.cli;

import dev.jollama.client.JollamaClient;
import dev.jollama.client.LocalModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code jollama list [PREFIX]}: the models in the server's store, as a table. */
@Command(name = "list", aliases = "ls", description = "List models.")
final class ListCommand implements Callable<Integer> {
    @ParentCommand
    JollamaCommand root;

    @Parameters(arity = "0..1", paramLabel = "PREFIX", description = "Only the models whose name starts with it.")
    String prefix;

    @Override
    public Integer call() {
        CommandEnvironment environment = root.environment();
        List<LocalModel> models;
        try (JollamaClient client = environment.client()) {
            models = client.list();
        }
        Instant now = Instant.now();
        List<List<String>> rows = new ArrayList<>();
        for (LocalModel m : models) {
            if (prefix == null || m.name().toLowerCase(Locale.ROOT).startsWith(prefix.toLowerCase(Locale.ROOT))) {
                rows.add(List.of(m.name(), HumanUnits.shortDigest(m.digest()), HumanUnits.bytes(m.size()),
                        HumanUnits.relativeTime(m.modifiedAt(), now, "Never")));
            }
        }
        environment.stdout().print(TableFormat.render(List.of("NAME", "ID", "SIZE", "MODIFIED"), rows));
        return 0;
    }
}
