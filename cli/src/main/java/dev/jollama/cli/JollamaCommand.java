package dev.jollama.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/** The {@code jollama} command: one subcommand per verb, as the {@code ollama} command has. */
@Command(name = "jollama", mixinStandardHelpOptions = true, versionProvider = JollamaCommand.Version.class,
        description = "A Java implementation of the Ollama server and command.")
public final class JollamaCommand implements Runnable {
    /** The subcommands, in the order the usage lists them. */
    private static final List<Class<?>> VERBS = List.of(RunCommand.class, ServeCommand.class,
            CreateCommand.class, ShowCommand.class, StopCommand.class, PullCommand.class, ListCommand.class,
            PsCommand.class, CopyCommand.class, RemoveCommand.class, BenchCommand.class, SynthCommand.class);

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
        System.exit(execute(CommandEnvironment.system(), args));
    }

    /**
     * Runs the command line with its error handling: one clear line on stderr and exit code 1, no stack trace.
     *
     * @return the exit code
     */
    static int execute(CommandEnvironment environment, String... args) {
        CommandLine commandLine = new CommandLine(new JollamaCommand(environment));
        // Only the verb asked for: picocli reads every option of every subcommand it is given, a tenth of a second of
        // each command's start. The usage (no verb, or one that is not a verb) lists them all.
        List<Class<?>> verbs = VERBS.stream().filter(verb -> args.length > 0 && names(verb).contains(args[0])).toList();
        for (Class<?> verb : verbs.isEmpty() ? VERBS : verbs) {
            commandLine.addSubcommand(verb);
        }
        // After the subcommands: picocli hands these settings to the subcommands it has at the time.
        commandLine.setOut(new PrintWriter(environment.stdout(), true));
        commandLine.setErr(new PrintWriter(environment.stderr(), true));
        commandLine.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("Error: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
            return 1;
        });
        return commandLine.execute(args);
    }

    /** A subcommand's name and aliases, as its annotation gives them. */
    private static List<String> names(Class<?> verb) {
        Command command = verb.getAnnotation(Command.class);
        return Stream.concat(Stream.of(command.name()), Arrays.stream(command.aliases())).toList();
    }
}
