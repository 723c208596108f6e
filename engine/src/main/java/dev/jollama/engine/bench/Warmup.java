package dev.jollama.engine.bench;

import dev.jollama.engine.model.Model;
import dev.jollama.engine.model.Sequence;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/**
 * Runs a small synthetic model of every common weight type through a batched prompt and some decoding steps, so that
 * the JIT has compiled the kernels and the forward pass before the first real request: on tinyllama-1.1b Q4_0 a
 * 58-token prompt right after loading took 1.79 s cold and 0.92 s after one second of this (0.86 s fully warm). It
 * waits while the server serves: all of it takes about 7 s of two cores, and a request in that time shared them with
 * it (the first 64-token answer of tinyllama-shape Q4_0 decoded at 7.8 tokens/s, 21.5 with no warm-up at all).
 */
public final class Warmup {
    private static final ModelShape SHAPE = new ModelShape("warm-up", "llama", 512, 1024, 2, 8, 2, 64, 1024,
            10_000f, 1e-5f, false, false, false, false, 0, 0, 0);
    private static final int DECODE_STEPS = 32;
    private static final long IDLE_POLL_MILLIS = 20;

    private Warmup() {
    }

    /**
     * Writes each model to a temporary file in {@code directory}, maps it, deletes the file and runs the model (a
     * mapping outlives its file's name on Linux and macOS); before each step, waits while {@code serving} says so.
     */
    public static void run(Path directory, BooleanSupplier serving) throws IOException, InterruptedException {
        for (SynthType type : SynthType.values()) {
            awaitIdle(serving);
            Path file = Files.createTempFile(directory, "jollama-warmup-", ".gguf");
            // The server may stop at any time, and this thread with it, without its finally blocks: a server stopped
            // while a file is written leaves nothing if it exits normally, and one stopped while a model runs leaves
            // nothing at all, as the file's name is gone once it is mapped (a stopped server left one 11 MB file).
            file.toFile().deleteOnExit();
            try {
                Synth.write(SHAPE, type, file);
                try (Model model = Model.load(file)) {
                    Files.delete(file);
                    Sequence sequence = model.newSequence(2 * Model.BATCH_CAPACITY + DECODE_STEPS);
                    int[] prompt = new int[Model.BATCH_CAPACITY];
                    for (int i = 0; i < prompt.length; i++) {
                        prompt[i] = 3 + (7 * i) % (SHAPE.vocabulary() - 3);
                    }
                    awaitIdle(serving);
                    model.forward(sequence, prompt, 0, prompt.length);
                    for (int i = 0; i < DECODE_STEPS; i++) {
                        awaitIdle(serving);
                        if (i == DECODE_STEPS / 2) {
                            model.awaitLayouts(); // the second half compiles the kernels of the filled copies
                        }
                        model.forward(sequence, 3 + i);
                    }
                    awaitIdle(serving);
                    model.forward(sequence, prompt, 0, prompt.length); // prompts through the filled copies
                }
            } finally {
                Files.deleteIfExists(file);
            }
        }
    }

    private static void awaitIdle(BooleanSupplier serving) throws InterruptedException {
        while (serving.getAsBoolean()) {
            Thread.sleep(IDLE_POLL_MILLIS);
        }
    }
}
