package dev.jollama.cli;

import dev.jollama.engine.bench.Synth;
import dev.jollama.engine.bench.SynthType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.concurrent.Callable;

/** {@code jollama synth --shape S --type T --out FILE}: writes a random-weight model of a released model's shape. */
@Command(name = "synth", description = "Write a random-weight GGUF model with the exact shapes of a released model, for benchmarks.")
final class SynthCommand implements Callable<Integer> {

    @Option(names = "--shape", required = true, description = "tinyllama-1.1b, llama-3.2-1b, llama-3.2-3b, llama-3.1-8b, qwen2.5-0.5b, qwen3-1.7b or qwen3moe-30b-a3b-8l (Qwen3-30B-A3B's mixture-of-experts layers, 8 of its 48); "
            + "or gemma3-4b-vision for an image projector (--type is then ignored; @N: only its first N blocks).")
    String shape;

    @Option(names = "--type", required = true, completionCandidates = TypeNames.class, description = "One of ${COMPLETION-CANDIDATES}.")
    String type;

    @Option(names = "--out", required = true, description = "Where to write the GGUF file.")
    Path out;

    /** The types Synth writes, for the help text. */
    static final class TypeNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return SynthType.names().iterator();
        }
    }

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
