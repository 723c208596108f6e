package dev.jollama.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jollama.engine.bench.Bench;
import dev.jollama.engine.bench.ConstrainedDecodingBench;
import dev.jollama.engine.bench.ImageBench;
import dev.jollama.engine.grammar.Grammar;
import dev.jollama.engine.grammar.JsonGrammar;
import dev.jollama.engine.grammar.JsonSchemaCompiler;
import dev.jollama.engine.grammar.SchemaException;
import dev.jollama.engine.model.Model;
import dev.jollama.engine.bench.BenchOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code jollama bench --model FILE.gguf}: memory bandwidth, prompt and decode speed of a model on this machine. */
@Command(name = "bench", description = "Measure memory bandwidth and prompt processing / decoding speed of a model.")
final class BenchCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, description = "Path of a GGUF model file.")
    Path model;

    @Option(names = "--prompt-tokens", description = "Prompt tokens processed per repeat (default: ${DEFAULT-VALUE}).")
    int promptTokens = 128;

    @Option(names = "--gen-tokens", description = "Tokens decoded per repeat (default: ${DEFAULT-VALUE}).")
    int genTokens = 64;

    @Option(names = "--threads", description = "Worker threads; 0 is one per processor (default: ${DEFAULT-VALUE}).")
    int threads = 0;

    @Option(names = "--repeat", description = "Repeats; figures are min/median/max over them (default: ${DEFAULT-VALUE}).")
    int repeat = 3;

    @Option(names = "--parallel", description = "Also decode this many sequences at once, as parallel requests do, and "
            + "report their aggregate speed (default: ${DEFAULT-VALUE}: not measured).")
    int parallel = 1;

    @Option(names = "--depth", description = "Tokens already in the KV cache when the prompt and decoding are timed, "
            + "as llama-bench's -d (default: ${DEFAULT-VALUE}).")
    int depth = 0;

    @Option(names = "--json", description = "Print one JSON object instead of a table.")
    boolean json;

    @Option(names = "--kernels", description = "Also compare each weight type's matrix-vector kernel with the scalar reference.")
    boolean kernels;

    @Option(names = "--format", description = "Also measure decoding under a grammar: json, or a file holding a JSON schema.")
    String format;

    @Option(names = "--image", paramLabel = "PROJECTOR", description = "Also time encoding one image (at the encoder's input "
            + "size) with this image projector GGUF, as a vision model's prompt does.")
    Path image;

    @Override
    public Integer call() {
        if (!Files.isRegularFile(model)) {
            System.err.println("Error: model file not found: " + model);
            return 1;
        }
        try {
            Grammar grammar = format == null ? null : grammar(format);
            int status = Bench.run(new BenchOptions(model, promptTokens, genTokens, threads, repeat, parallel, json, kernels, depth), System.out);
            if (status == 0 && grammar != null) {
                try (Model m = Model.load(model)) {
                    ConstrainedDecodingBench.overhead(m, grammar, genTokens, repeat, System.out);
                }
            }
            if (status == 0 && image != null) {
                System.out.println(ImageBench.measure(image, repeat, json ? null : System.out).line());
            }
            return status;
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("Error: " + e.getMessage());
            return 1;
        }
    }

    /** "json" is the format-json grammar; anything else names a file holding a JSON schema. */
    private static Grammar grammar(String format) throws IOException {
        if (format.equals("json")) {
            return JsonGrammar.object();
        }
        try {
            return JsonSchemaCompiler.compile(new ObjectMapper().readValue(Path.of(format).toFile(), Object.class),
                    ignored -> System.err.println("ignored: " + ignored.getMessage()));
        } catch (SchemaException e) {
            throw new IllegalArgumentException(format + ": " + e.getMessage());
        }
    }
}
