package dev.jollama.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/** The {@code jollama} command: one subcommand per verb, as the {@code ollama} command has. */
@Command(name = "jollama", mixinStandardHelpOptions = true, versionProvider = JollamaCommand.Version.class,
        description = "A Java implementation of the Ollama server and command.",
        subcommands = {RunCommand.class, ServeCommand.class,
                CreateCommand.class, ShowCommand.class, StopCommand.class, PullCommand.class, ListCommand.class,
                PsCommand.class, CopyCommand.class, RemoveCommand.class, BenchCommand.class, SynthCommand.class})
public final class JollamaCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Jollama's own version, and the Ollama release whose API its server reports at /api/version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"jollama " + dev.jollama.server.JollamaServer.VERSION
                    + " (Ollama API " + dev.jollama.server.JollamaServer.OLLAMA_API_VERSION + ")"};
        }
    }

    private final CommandEnvironment environment;

    private JollamaCommand(CommandEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public void run() {
        spec.commandLine().usage(environment.stdout());
    }

    /** The streams, terminals and server address the subcommands use. */
    CommandEnvironment environment() {
        return environment;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return commandLine(CommandEnvironment.system());
    }

    /** The command with its error handling: one clear line on stderr and exit code 1, no stack trace. */
    static CommandLine commandLine(CommandEnvironment environment) {
        CommandLine commandLine = new CommandLine(new JollamaCommand(environment));
        commandLine.setOut(new PrintWriter(environment.stdout(), true));
        commandLine.setErr(new PrintWriter(environment.stderr(), true));
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("Error: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
            return 1;
        });
        return commandLine;
    }
}
