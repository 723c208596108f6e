package dev.jollama.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code jollama} command: one subcommand per verb, as the {@code ollama} command has. */
@Command(name = "jollama", mixinStandardHelpOptions = true, version = "jollama 0.1.0",
        description = "A Java implementation of the Ollama server and command.",
        subcommands = {RunCommand.class, ServeCommand.class})
public final class JollamaCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command with its error handling: one clear line on stderr and exit code 1, no stack trace. */
    static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new JollamaCommand());
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("Error: " + e.getMessage());
            return 1;
        });
        return commandLine;
    }
}
