package dev.jollama.cli;

import dev.jollama.engine.generation.GenerationRequest;
import dev.jollama.engine.generation.GenerationResult;
import dev.jollama.engine.generation.Generator;
import dev.jollama.engine.model.Model;
import dev.jollama.engine.sampling.SamplingOptions;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code run --model FILE.gguf PROMPT}: continues a raw prompt with a local GGUF file in this process, no server
 * and no template, streaming to stdout.
 *
 * @param temperature sampling temperature; 0 is greedy
 * @param seed        random seed; -1 picks one
 * @param numPredict  tokens to generate at most; -1 until the model stops
 * @param numCtx      context length in tokens, capped at the model's
 */
record LocalModelRun(Path model, float temperature, long seed, int numPredict, int numCtx) {

    /** @return the exit code */
    int run(String prompt, PrintStream out, PrintStream err) {
        if (!Files.isRegularFile(model)) {
            err.println("Error: model file not found: " + model);
            return 1;
        }
        if (prompt.isEmpty()) {
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
            GenerationResult result = new Generator(m).generate(m.newSequence(contextLength),
                    GenerationRequest.of(tokens, sampling, numPredict, List.of()), (piece, logprobs) -> out.print(piece), () -> false);
            out.println();
            return result.doneReason().equals("cancelled") ? 1 : 0;
        } catch (OutOfMemoryError e) {
            err.println("Error: out of memory running " + model.getFileName() + " (Java heap " + (Runtime.getRuntime().maxMemory() >> 20)
                    + " MiB); use a smaller --num-ctx or give the JVM more with JOLLAMA_JAVA_OPTS=-Xmx...");
            return 1;
        }
    }
}
