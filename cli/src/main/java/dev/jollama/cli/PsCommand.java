package dev.jollama.cli;

import dev.jollama.client.JollamaClient;
import dev.jollama.client.RunningModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code jollama ps [PREFIX]}: the models loaded in memory, with where they run and until when. */
@Command(name = "ps", description = "List running models.")
final class PsCommand implements Callable<Integer> {
    @ParentCommand
    JollamaCommand root;

    @Parameters(arity = "0..1", paramLabel = "PREFIX", description = "Only the models whose name starts with it.")
    String prefix;

    @Override
    public Integer call() {
        CommandEnvironment environment = root.environment();
        List<RunningModel> models;
        try (JollamaClient client = environment.client()) {
            models = client.ps();
        }
        Instant now = Instant.now();
        List<List<String>> rows = new ArrayList<>();
        for (RunningModel m : models) {
            if (prefix == null || m.name().startsWith(prefix)) {
                rows.add(List.of(m.name(), HumanUnits.shortDigest(m.digest()), HumanUnits.bytes(m.size()),
                        processor(m), Integer.toString(m.contextLength()), until(m.expiresAt(), now)));
            }
        }
        environment.stdout().print(TableFormat.render(
                List.of("NAME", "ID", "SIZE", "PROCESSOR", "CONTEXT", "UNTIL"), rows));
        return 0;
    }

    /** Where the model's memory is: all CPU, all GPU, or the split. */
    private static String processor(RunningModel m) {
        if (m.sizeVram() == 0) {
            return "100% CPU";
        }
        if (m.sizeVram() == m.size()) {
            return "100% GPU";
        }
        if (m.sizeVram() > m.size() || m.size() == 0) {
            return "Unknown";
        }
        long cpuPercent = Math.round((double) (m.size() - m.sizeVram()) / m.size() * 100);
        return cpuPercent + "%/" + (100 - cpuPercent) + "% CPU/GPU";
    }

    /** A time already past means the server is unloading it now. */
    private static String until(Instant expiresAt, Instant now) {
        if (expiresAt != null && expiresAt.isBefore(now)) {
            return "Stopping...";
        }
        return HumanUnits.relativeTime(expiresAt, now, "Never");
    }
}
