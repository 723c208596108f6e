package dev.jollama.engine.bench;

import java.nio.file.Path;

/**
 * What {@link Bench} measures.
 *
 * @param threads 0 for one per available processor
 * @param kernels also time each weight type's matrix-vector product against the scalar reference kernel
 */
public record BenchOptions(Path model, int promptTokens, int genTokens, int threads, int repeat, boolean json, boolean kernels) {

    public BenchOptions {
        if (promptTokens < 1 || genTokens < 1 || repeat < 1 || threads < 0) {
            throw new IllegalArgumentException("prompt and generated tokens and repeats must be positive, threads at least 0");
        }
    }

    public static BenchOptions of(Path model) {
        return new BenchOptions(model, 128, 64, 0, 3, false, false);
    }

    public int effectiveThreads() {
        return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    }
}
