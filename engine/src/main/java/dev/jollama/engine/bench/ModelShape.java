package dev.jollama.engine.bench;

import java.util.Arrays;
import java.util.Locale;

/**
 * The exact tensor shapes of released models, for synthetic benchmark files ({@link Synth}).
 *
 * @param headDim       width of a head; stored as attention.key_length only when it differs from dim / heads
 * @param tied          no output.weight: the token embedding is the output projection
 * @param biases        q/k/v biases (Qwen2)
 * @param queryKeyNorms per-head RMSNorm weights on q and k (Qwen3)
 * @param ropeFactors   a rope_freqs.weight tensor (Llama 3.1+)
 * @param experts       experts of each mixture-of-experts block, 0 for a dense feed-forward
 * @param expertsUsed   experts each token goes through
 * @param expertFeedForward hidden width of one expert
 */
public record ModelShape(String name, String architecture, int dim, int feedForward, int layers, int heads, int kvHeads,
                         int headDim, int vocabulary, float ropeBase, float rmsEps, boolean tied, boolean biases,
                         boolean queryKeyNorms, boolean ropeFactors, int experts, int expertsUsed, int expertFeedForward) {

    public static final ModelShape TINYLLAMA_1_1B = new ModelShape("tinyllama-1.1b", "llama", 2048, 5632, 22, 32, 4, 64, 32000, 10_000f, 1e-5f, false, false, false, false, 0, 0, 0);
    public static final ModelShape LLAMA_3_2_1B = new ModelShape("llama-3.2-1b", "llama", 2048, 8192, 16, 32, 8, 64, 128256, 500_000f, 1e-5f, true, false, false, true, 0, 0, 0);
    public static final ModelShape QWEN2_5_0_5B = new ModelShape("qwen2.5-0.5b", "qwen2", 896, 4864, 24, 14, 2, 64, 151936, 1_000_000f, 1e-6f, true, true, false, false, 0, 0, 0);
    public static final ModelShape QWEN3_1_7B = new ModelShape("qwen3-1.7b", "qwen3", 2048, 6144, 28, 16, 8, 128, 151936, 1_000_000f, 1e-6f, true, false, true, false, 0, 0, 0);
    public static final ModelShape LLAMA_3_2_3B = new ModelShape("llama-3.2-3b", "llama", 3072, 8192, 28, 24, 8, 128, 128256, 500_000f, 1e-5f, true, false, false, true, 0, 0, 0);
    public static final ModelShape LLAMA_3_1_8B = new ModelShape("llama-3.1-8b", "llama", 4096, 14336, 32, 32, 8, 128, 128256, 500_000f, 1e-5f, false, false, false, true, 0, 0, 0);
    /** Qwen3-30B-A3B's layers (128 experts of 768, 8 per token), 8 of its 48: 4.8 billion weights, 3 GB at Q4_K_M. */
    public static final ModelShape QWEN3_MOE_30B_A3B_8L = new ModelShape("qwen3moe-30b-a3b-8l", "qwen3moe", 2048, 6144, 8, 32, 4, 128, 151936, 1_000_000f, 1e-6f, false, false, true, false, 128, 8, 768);

    private static final ModelShape[] ALL = {TINYLLAMA_1_1B, LLAMA_3_2_1B, LLAMA_3_2_3B, LLAMA_3_1_8B, QWEN2_5_0_5B, QWEN3_1_7B,
            QWEN3_MOE_30B_A3B_8L};

    public static ModelShape named(String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        return Arrays.stream(ALL).filter(s -> s.name.equals(wanted)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("unknown shape '" + name + "' (known: " + String.join(", ", names()) + ")"));
    }

    public static String[] names() {
        return Arrays.stream(ALL).map(ModelShape::name).toArray(String[]::new);
    }

    public int queryDim() {
        return heads * headDim;
    }

    public int kvDim() {
        return kvHeads * headDim;
    }
}
