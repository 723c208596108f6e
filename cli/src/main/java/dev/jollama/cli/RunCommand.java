package dev.jollama.cli;

import dev.jollama.client.Format;
import dev.jollama.client.GenerateRequest;
import dev.jollama.client.GenerateResponse;
import dev.jollama.client.JollamaClient;
import dev.jollama.client.JollamaException;
import dev.jollama.client.KeepAlive;
import dev.jollama.client.ShowResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.IParameterConsumer;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Stack;
import java.util.concurrent.Callable;

/**
 * {@code jollama run MODEL [PROMPT]}: answers the prompt (with what stdin pipes in before it), streaming the answer;
 * with neither prompt nor pipe, at a terminal, a chat. A model the server does not have is pulled first, as ollama
 * does. {@code run --model FILE.gguf PROMPT} instead runs a local GGUF
 * file in this process, without a server or template.
 */
@Command(name = "run", description = {"Run a model: answer PROMPT (after what stdin pipes in), or chat at a terminal.",
        "With --model FILE.gguf: continue the raw PROMPT with a local GGUF file, without a server."})
final class RunCommand implements Callable<Integer> {
    @ParentCommand
    JollamaCommand root;

    @Parameters(paramLabel = "MODEL [PROMPT]", description = "The model's name, then the prompt (or only the prompt with --model).")
    List<String> arguments = new ArrayList<>();

    @Option(names = "--model", paramLabel = "FILE.gguf", description = "Run a local GGUF file, without a server.")
    Path modelFile;

    @Option(names = "--format", description = "Response format: json, or a JSON schema.")
    String format;

    @Option(names = "--think", arity = "0..1", paramLabel = "true|false|low|medium|high|max",
            parameterConsumer = ThinkValue.class,
            description = "Enable thinking mode: true/false or a level, for models that think.")
    String think;

    @Option(names = "--hidethinking", description = "Hide thinking output (if provided).")
    boolean hideThinking;

    @Option(names = "--keepalive", paramLabel = "DURATION", description = "How long the model stays loaded (e.g. 5m).")
    String keepAlive;

    @Option(names = "--verbose", description = "Show timings for the response.")
    boolean verbose;

    @Option(names = "--insecure", description = "Pull a missing model from an insecure registry (plain http, unverified certificates).")
    boolean insecure;

    @Option(names = "--temperature", description = "Sampling temperature; 0 is greedy (local default 0.8).")
    Float temperature;

    @Option(names = "--seed", description = "Random seed (local default -1: pick one).")
    Long seed;

    @Option(names = "--num-predict", description = "Tokens to generate at most (local default -1: until the model stops).")
    Integer numPredict;

    @Option(names = "--num-ctx", description = "Context length in tokens (local default 4096, capped at the model's).")
    Integer numCtx;

    /**
     * Takes the next argument as the {@code --think} value only when it is one, so that {@code --think "Why?"}
     * means thinking on and the prompt "Why?", as with ollama's flag.
     */
    static final class ThinkValue implements IParameterConsumer {
        @Override
        public void consumeParameters(Stack<String> args, ArgSpec argSpec, CommandSpec commandSpec) {
            boolean given = !args.isEmpty() && RunSettings.THINK_VALUES.contains(args.peek());
            argSpec.setValue(given ? args.pop() : "true");
        }
    }

    @Override
    public Integer call() throws IOException {
        CommandEnvironment environment = root.environment();
        PrintStream out = environment.stdout();
        if (modelFile != null) {
            LocalModelRun local = new LocalModelRun(modelFile, temperature == null ? 0.8f : temperature,
                    seed == null ? -1 : seed, numPredict == null ? -1 : numPredict, numCtx == null ? 4096 : numCtx);
            return local.run(String.join(" ", arguments), out, environment.stderr());
        }
        if (arguments.isEmpty()) {
            environment.stderr().println("Error: no model given; use jollama run MODEL [PROMPT], "
                    + "or jollama run --model PATH.gguf PROMPT for a local file");
            return 1;
        }
        RunSettings settings = settings(arguments.getFirst());
        List<String> prompts = new ArrayList<>(arguments.subList(1, arguments.size()));
        boolean interactive = environment.stdinIsTerminal() && environment.stdoutIsTerminal();
        if (!environment.stdinIsTerminal()) {
            String piped = new String(environment.stdin().readAllBytes(), StandardCharsets.UTF_8);
            if (!piped.isEmpty()) {
                prompts.addFirst(piped);
            }
        }
        interactive &= prompts.isEmpty();

        try (JollamaClient client = environment.client()) {
            ShowResponse model = showOrPull(client, settings.model, environment);
            // As ollama: a model that can think shows its thinking unless told otherwise.
            if (settings.think == null && model.capabilities() != null && model.capabilities().contains("thinking")) {
                settings.think = RunSettings.think("true");
            }
            if (interactive) {
                BufferedReader typed = new BufferedReader(new InputStreamReader(environment.stdin(),
                        StandardCharsets.UTF_8));
                new InteractiveChat(client, settings, model, typed, out, environment.stderr()).run();
            } else {
                String prompt = String.join(" ", prompts);
                ImagePaths images = vision(model) ? ImagePaths.extract(prompt, environment.stderr()) : new ImagePaths(prompt, List.of());
                answer(client, settings, images, out, environment.stderr());
            }
        }
        return 0;
    }

    /** Whether the model reads images: then image paths in a prompt are attached, as ollama run does. */
    static boolean vision(ShowResponse model) {
        return model.capabilities() != null && model.capabilities().contains("vision");
    }

    private ShowResponse showOrPull(JollamaClient client, String name, CommandEnvironment environment) {
        try {
            return client.show(name);
        } catch (JollamaException e) {
            if (e.statusCode() != 404) {
                throw e;
            }
        }
        PullCommand.pull(environment, client, name, insecure);
        return client.show(name);
    }

    private RunSettings settings(String model) {
        RunSettings settings = new RunSettings(model);
        if (format != null && !format.isBlank()) {
            settings.format = Format.of(format);
        }
        if (think != null) {
            settings.think = RunSettings.think(think);
        }
        settings.hideThinking = hideThinking;
        if (keepAlive != null) {
            settings.keepAlive = KeepAlive.parse(keepAlive);
        }
        settings.verbose = verbose;
        putIfSet(settings, "temperature", temperature);
        putIfSet(settings, "seed", seed);
        putIfSet(settings, "num_predict", numPredict);
        putIfSet(settings, "num_ctx", numCtx);
        return settings;
    }

    private static void putIfSet(RunSettings settings, String option, Object value) {
        if (value != null) {
            settings.options.put(option, value);
        }
    }

    /** One answer through /api/generate, as ollama's non-interactive run; an empty prompt only loads the model. */
    private static void answer(JollamaClient client, RunSettings settings, ImagePaths input, PrintStream out,
            PrintStream err) {
        String prompt = input.prompt();
        GenerateRequest.Builder request = GenerateRequest.builder(settings.model).prompt(prompt)
                .options(settings.requestOptions());
        input.images().forEach(request::image);
        if (settings.format != null) {
            request.format(settings.format);
        }
        if (settings.think != null) {
            request.think(settings.think);
        }
        if (settings.keepAlive != null) {
            request.keepAlive(settings.keepAlive);
        }
        AnswerPrinter printer = new AnswerPrinter(out, settings.hideThinking);
        GenerateResponse answer = client.generate(request.build(), chunk -> printer.chunk(chunk.thinking(),
                chunk.response()));
        if (!prompt.isEmpty()) {
            out.print("\n\n");
        }
        if (settings.verbose && answer.done()) {
            err.print(TimingSummary.of(answer));
        }
    }
}
