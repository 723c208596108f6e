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
 */
public record ModelShape(String name, String architecture, int dim, int feedForward, int layers, int heads, int kvHeads,
                         int headDim, int vocabulary, float ropeBase, float rmsEps, boolean tied, boolean biases,
                         boolean queryKeyNorms, boolean ropeFactors) {

    public static final ModelShape TINYLLAMA_1_1B = new ModelShape("tinyllama-1.1b", "llama", 2048, 5632, 22, 32, 4, 64, 32000, 10_000f, 1e-5f, false, false, false, false);
    public static final ModelShape LLAMA_3_2_1B = new ModelShape("llama-3.2-1b", "llama", 2048, 8192, 16, 32, 8, 64, 128256, 500_000f, 1e-5f, true, false, false, true);
    public static final ModelShape QWEN2_5_0_5B = new ModelShape("qwen2.5-0.5b", "qwen2", 896, 4864, 24, 14, 2, 64, 151936, 1_000_000f, 1e-6f, true, true, false, false);
    public static final ModelShape QWEN3_1_7B = new ModelShape("qwen3-1.7b", "qwen3", 2048, 6144, 28, 16, 8, 128, 151936, 1_000_000f, 1e-6f, true, false, true, false);

    private static final ModelShape[] ALL = {TINYLLAMA_1_1B, LLAMA_3_2_1B, QWEN2_5_0_5B, QWEN3_1_7B};

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
