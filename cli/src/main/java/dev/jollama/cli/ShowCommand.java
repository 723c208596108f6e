package dev.jollama.cli;

import dev.jollama.client.JollamaClient;
import dev.jollama.client.ShowResponse;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.util.concurrent.Callable;

/** {@code jollama show MODEL}: a summary of a model, or one of its parts with a flag. */
@Command(name = "show", description = "Show information for a model.")
final class ShowCommand implements Callable<Integer> {
    @ParentCommand
    JollamaCommand root;

    @Parameters(paramLabel = "MODEL")
    String model;

    @ArgGroup(exclusive = true)
    Part part;

    @Option(names = {"-v", "--verbose"}, description = "Show detailed model information (every metadata entry).")
    boolean verbose;

    /** At most one part instead of the summary. */
    static final class Part {
        @Option(names = "--license", description = "Show license of a model.")
        boolean license;

        @Option(names = "--modelfile", description = "Show Modelfile of a model.")
        boolean modelfile;

        @Option(names = "--parameters", description = "Show parameters of a model.")
        boolean parameters;

        @Option(names = "--template", description = "Show template of a model.")
        boolean template;

        @Option(names = "--system", description = "Show system message of a model.")
        boolean system;
    }

    @Override
    public Integer call() {
        ShowResponse show;
        try (JollamaClient client = root.environment().client()) {
            show = client.show(model, verbose);
        }
        PrintStream out = root.environment().stdout();
        if (part == null) {
            out.print(ModelSummary.of(show, verbose));
        } else if (part.license) {
            out.println(orEmpty(show.license()));
        } else if (part.modelfile) {
            out.println(orEmpty(show.modelfile()));
        } else if (part.parameters) {
            out.println(orEmpty(show.parameters()));
        } else if (part.template) {
            out.print(orEmpty(show.template()));
        } else {
            out.print(orEmpty(show.system()));
        }
        return 0;
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
