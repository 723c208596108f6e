package dev.jollama.cli;

import dev.jollama.engine.generation.GenerationRequest;
import dev.jollama.engine.generation.GenerationResult;
import dev.jollama.engine.generation.Generator;
import dev.jollama.engine.model.Model;
import dev.jollama.engine.sampling.SamplingOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code jollama run --model FILE.gguf PROMPT}: continues a raw prompt with a local GGUF file, streaming to stdout. */
@Command(name = "run", description = "Run a model on a prompt (raw prompt, no chat template).")
final class RunCommand implements Callable<Integer> {

    @Option(names = "--model", description = "Path of a GGUF model file.")
    Path model;

    @Option(names = "--temperature", description = "Sampling temperature; 0 is greedy (default: ${DEFAULT-VALUE}).")
    float temperature = 0.8f;

    @Option(names = "--seed", description = "Random seed; -1 picks one (default: ${DEFAULT-VALUE}).")
    long seed = -1;

    @Option(names = "--num-predict", description = "Tokens to generate at most; -1 until the model stops (default: ${DEFAULT-VALUE}).")
    int numPredict = -1;

    @Option(names = "--num-ctx", description = "Context length in tokens (default: ${DEFAULT-VALUE}, capped at the model's).")
    int numCtx = 4096;

    @Parameters(arity = "0..1", description = "The prompt.")
    String prompt;

    @Override
    public Integer call() {
        PrintStream err = System.err;
        if (model == null) {
            err.println("Error: no model given; use --model PATH.gguf");
            return 1;
        }
        if (!Files.isRegularFile(model)) {
            err.println("Error: model file not found: " + model);
            return 1;
        }
        if (prompt == null || prompt.isEmpty()) {
            err.println("Error: no prompt given");
            return 1;
        }
        try (Model m = Model.load(model)) {
            int contextLength = Math.min(numCtx, m.config().contextLength());
            int[] tokens = m.tokenizer().encode(prompt, true, false);
            SamplingOptions defaults = SamplingOptions.defaults();
            SamplingOptions sampling = new SamplingOptions(temperature, defaults.topK(), defaults.topP(), defaults.minP(),
                    defaults.typicalP(), defaults.repeatPenalty(), defaults.repeatLastN(), defaults.presencePenalty(),
                    defaults.frequencyPenalty(), seed);
            PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
            GenerationResult result = new Generator(m).generate(m.newSequence(contextLength),
                    GenerationRequest.of(tokens, sampling, numPredict, List.of()), (piece, logprobs) -> out.print(piece), () -> false);
            out.println();
            return result.doneReason().equals("cancelled") ? 1 : 0;
        }
    }
}
