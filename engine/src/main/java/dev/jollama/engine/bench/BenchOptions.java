package dev.jollama.engine.bench;

import java.nio.file.Path;

/**
 * What {@link Bench} measures.
 *
 * @param threads  0 for one per available processor
 * @param parallel above 1, also decode that many sequences at once (as parallel requests do) and report their
 *                 aggregate speed
 * @param kernels  also time each weight type's matrix-vector product against the scalar reference kernel
 * @param depth    tokens already in the cache when the prompt and decoding are timed (llama-bench's -d)
 */
public record BenchOptions(Path model, int promptTokens, int genTokens, int threads, int repeat, int parallel, boolean json,
                           boolean kernels, int depth) {

    public BenchOptions {
        if (promptTokens < 1 || genTokens < 1 || repeat < 1 || parallel < 1 || threads < 0 || depth < 0) {
            throw new IllegalArgumentException("prompt and generated tokens, repeats and parallel sequences must be positive, threads and depth at least 0");
        }
    }

    public static BenchOptions of(Path model) {
        return new BenchOptions(model, 128, 64, 0, 3, 1, false, false, 0);
    }

    public int effectiveThreads() {
        return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    }
}
