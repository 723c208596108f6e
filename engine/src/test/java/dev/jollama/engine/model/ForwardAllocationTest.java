package dev.jollama.engine.model;

import dev.jollama.engine.SharedTestData;
import dev.jollama.engine.kvcache.KvCacheType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.management.ManagementFactory;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Once compiled, a forward pass allocates nothing on the calling thread, token by token or a prompt batch at a time:
 * the per-token loop reuses the sequence's buffers. Runs in the JVMs of the kernel allocation tests (see
 * KernelAllocationTest for why).
 */
class ForwardAllocationTest {
    /** How long the compilation of what a forward pass runs may take before its measurements count as allocating. */
    private static final long COMPILE_WAIT_NANOS = 10_000_000_000L;

    @ParameterizedTest
    @ValueSource(strings = {"syn-llama-q4_0.gguf", "syn-llama-q4_k_m.gguf", "syn-qwen2-q8_0.gguf", "syn-gemma2-q8_0.gguf",
            "syn-phi3-q4_k_m.gguf", "syn-qwen3moe-q4_k_m.gguf",
            "syn-gptoss-f32.gguf"})
    void forwardPassesAllocateNothingOnceCompiled(String modelName) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        // A cache of one sequence, so that its blocks are all allocated (and then reused) during the warm-up rounds.
        int length = 2 * Model.BATCH_CAPACITY;
        try (Model model = Model.load(SharedTestData.model(modelName), new Model.Options(0, KvCacheType.F16, 1, 4 * length))) {
            int[] tokens = new Random(3).ints(length, 1, model.tokenizer().vocabularySize()).toArray();
            Sequence sequence = model.newSequence(4 * tokens.length);
            for (int round = 0; round < 40; round++) {
                feed(model, sequence, tokens);
                if (round == 0) {
                    // Decoding started filling the matrices' copies in their own layouts: once filled, the products
                    // switch to them, and the switch (new kernels, recompiled callers) must fall in the warm-up.
                    model.awaitLayouts();
                }
            }
            // Measured again until a measurement allocates (next to) nothing, for up to seconds: on a busy machine
            // C2's queue is long, and code not compiled yet allocates; code compiled with boxed vectors always does.
            long allocated = Long.MAX_VALUE;
            for (long deadline = System.nanoTime() + COMPILE_WAIT_NANOS; allocated >= 16 * 1024 && System.nanoTime() < deadline; ) {
                long before = threads.getCurrentThreadAllocatedBytes();
                for (int round = 0; round < 4; round++) {
                    feed(model, sequence, tokens);
                }
                allocated = threads.getCurrentThreadAllocatedBytes() - before;
            }
            System.out.printf("forward %-24s %d bytes allocated%n", modelName, allocated);
            assertThat(allocated).as("%s: bytes allocated by 4 prompts and 4·%d decoding steps", modelName, tokens.length)
                    .isLessThan(16 * 1024);
        }
    }

    /** A prompt batch, then as many tokens one by one, then back to the start of the sequence. */
    private static void feed(Model model, Sequence sequence, int[] tokens) {
        sequence.truncate(0);
        model.forward(sequence, tokens, 0, tokens.length);
        for (int token : tokens) {
            model.forward(sequence, token);
        }
    }
}
