package dev.jollama.cli;

import dev.jollama.engine.bench.Bench;
import dev.jollama.engine.bench.BenchOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

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

    @Option(names = "--json", description = "Print one JSON object instead of a table.")
    boolean json;

    @Option(names = "--kernels", description = "Also compare each weight type's matrix-vector kernel with the scalar reference.")
    boolean kernels;

    @Override
    public Integer call() {
        if (!Files.isRegularFile(model)) {
            System.err.println("Error: model file not found: " + model);
            return 1;
        }
        try {
            return Bench.run(new BenchOptions(model, promptTokens, genTokens, threads, repeat, json, kernels), System.out);
        } catch (IllegalArgumentException e) {
            System.err.println("Error: " + e.getMessage());
            return 1;
        }
    }
}
