package dev.jollama.cli;

import dev.jollama.engine.bench.Synth;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code jollama synth --shape S --type T --out FILE}: writes a random-weight model of a released model's shape. */
@Command(name = "synth", description = "Write a random-weight GGUF model with the exact shapes of a released model, for benchmarks.")
final class SynthCommand implements Callable<Integer> {

    @Option(names = "--shape", required = true, description = "tinyllama-1.1b, llama-3.2-1b, qwen2.5-0.5b or qwen3-1.7b.")
    String shape;

    @Option(names = "--type", required = true, description = "f16, q8_0, q4_0 or q4_k_m.")
    String type;

    @Option(names = "--out", required = true, description = "Where to write the GGUF file.")
    Path out;

    @Override
    public Integer call() throws IOException {
        try {
            return Synth.run(shape, type, out, System.out);
        } catch (IllegalArgumentException e) {
            System.err.println("Error: " + e.getMessage());
            return 1;
        }
    }
}
