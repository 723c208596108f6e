package dev.jollama.engine.bench;

import dev.jollama.engine.gguf.GgmlType;
import dev.jollama.engine.gguf.GgufWriter;
import dev.jollama.engine.tensor.Quantizers;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Writes a random-weight GGUF model with the exact shapes of a released one ({@link ModelShape}), quantized with
 * our own quantizers, and a SentencePiece vocabulary of the right size made of byte tokens and synthetic words, so
 * speed can be measured without downloads. Text from it is gibberish by design.
 */
public final class Synth {
    /** Weights are uniform with this standard deviation, about what trained models of this size have. */
    private static final float WEIGHT_STD = 0.02f;
    private static final int ROWS_PER_CHUNK = 64;

    private Synth() {
    }

    /** Writes the file; returns its size in bytes. */
    public static long write(String shape, String type, Path out) throws IOException {
        return write(ModelShape.named(shape), SynthType.named(type), out);
    }

    /** The command's entry point: writes the file and reports on {@code log}; returns the exit code. */
    public static int run(String shape, String type, Path out, PrintStream log) throws IOException {
        long start = System.nanoTime();
        long bytes = write(shape, type, out);
        log.printf("wrote %s (%s, %s): %.2f GB in %.1f s%n", out, shape, type, bytes / 1e9, (System.nanoTime() - start) / 1e9);
        return 0;
    }

    /** For running from the engine's classes alone: {@code Synth SHAPE TYPE OUT}. */
    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: Synth " + String.join("|", ModelShape.names()) + " " + String.join("|", SynthType.names()) + " OUT.gguf");
            System.exit(2);
        }
        System.exit(run(args[0], args[1], Path.of(args[2]), System.out));
    }

    static long write(ModelShape s, SynthType type, Path out) throws IOException {
        GgufWriter w = new GgufWriter();
        String a = s.architecture();
        w.put("general.architecture", a)
                .put("general.name", "synthetic " + s.name())
                .put("general.file_type", type.fileType)
                .put(a + ".context_length", 4096)
                .put(a + ".embedding_length", s.dim())
                .put(a + ".feed_forward_length", s.feedForward())
                .put(a + ".block_count", s.layers())
                .put(a + ".attention.head_count", s.heads())
                .put(a + ".attention.head_count_kv", s.kvHeads())
                .put(a + ".attention.layer_norm_rms_epsilon", s.rmsEps())
                .put(a + ".rope.freq_base", s.ropeBase());
        if (s.experts() > 0) {
            w.put(a + ".expert_count", s.experts()).put(a + ".expert_used_count", s.expertsUsed())
                    .put(a + ".expert_feed_forward_length", s.expertFeedForward());
        }
        if (s.headDim() != s.dim() / s.heads()) {
            w.put(a + ".attention.key_length", s.headDim()).put(a + ".attention.value_length", s.headDim());
        }
        vocabulary(w, s.vocabulary());

        long[] seed = {1};
        matrix(w, type, "token_embd.weight", "token_embd", s.tied(), -1, s, s.dim(), s.vocabulary(), seed);
        for (int i = 0; i < s.layers(); i++) {
            String b = "blk." + i + ".";
            ones(w, b + "attn_norm.weight", s.dim());
            matrix(w, type, b + "attn_q.weight", "attn_q", false, i, s, s.dim(), s.queryDim(), seed);
            matrix(w, type, b + "attn_k.weight", "attn_k", false, i, s, s.dim(), s.kvDim(), seed);
            matrix(w, type, b + "attn_v.weight", "attn_v", false, i, s, s.dim(), s.kvDim(), seed);
            matrix(w, type, b + "attn_output.weight", "attn_output", false, i, s, s.queryDim(), s.dim(), seed);
            if (s.biases()) {
                random(w, b + "attn_q.bias", seed, s.queryDim());
                random(w, b + "attn_k.bias", seed, s.kvDim());
                random(w, b + "attn_v.bias", seed, s.kvDim());
            }
            if (s.queryKeyNorms()) {
                ones(w, b + "attn_q_norm.weight", s.headDim());
                ones(w, b + "attn_k_norm.weight", s.headDim());
            }
            ones(w, b + "ffn_norm.weight", s.dim());
            if (s.experts() > 0) {
                random(w, b + "ffn_gate_inp.weight", seed, s.dim(), s.experts());
                experts(w, type, b + "ffn_gate_exps.weight", "ffn_gate", i, s, s.dim(), s.expertFeedForward(), seed);
                experts(w, type, b + "ffn_up_exps.weight", "ffn_up", i, s, s.dim(), s.expertFeedForward(), seed);
                experts(w, type, b + "ffn_down_exps.weight", "ffn_down", i, s, s.expertFeedForward(), s.dim(), seed);
            } else {
                matrix(w, type, b + "ffn_gate.weight", "ffn_gate", false, i, s, s.dim(), s.feedForward(), seed);
                matrix(w, type, b + "ffn_up.weight", "ffn_up", false, i, s, s.dim(), s.feedForward(), seed);
                matrix(w, type, b + "ffn_down.weight", "ffn_down", false, i, s, s.feedForward(), s.dim(), seed);
            }
        }
        ones(w, "output_norm.weight", s.dim());
        if (!s.tied()) {
            matrix(w, type, "output.weight", "output", true, -1, s, s.dim(), s.vocabulary(), seed);
        }
        if (s.ropeFactors()) {
            ones(w, "rope_freqs.weight", s.headDim() / 2);
        }
        w.write(out);
        return Files.size(out);
    }

    /** Byte tokens, three specials and synthetic words "▁w123", scored so the SentencePiece tokenizer loads. */
    private static void vocabulary(GgufWriter w, int size) {
        String[] tokens = new String[size];
        float[] scores = new float[size];
        int[] types = new int[size];
        tokens[0] = "<unk>";
        types[0] = 2;
        tokens[1] = "<s>";
        tokens[2] = "</s>";
        types[1] = types[2] = 3;
        for (int b = 0; b < 256; b++) {
            tokens[3 + b] = String.format("<0x%02X>", b);
            types[3 + b] = 6;
        }
        for (int i = 259; i < size; i++) {
            tokens[i] = "\u2581w" + i;
            scores[i] = -i;
            types[i] = 1;
        }
        w.put("tokenizer.ggml.model", "llama")
                .put("tokenizer.ggml.tokens", tokens)
                .put("tokenizer.ggml.scores", scores)
                .put("tokenizer.ggml.token_type", types)
                .put("tokenizer.ggml.unknown_token_id", 0)
                .put("tokenizer.ggml.bos_token_id", 1)
                .put("tokenizer.ggml.eos_token_id", 2);
    }

    private static void matrix(GgufWriter w, SynthType fileType, String name, String role, boolean output, int layer,
                               ModelShape s, int rowLength, int rows, long[] seed) {
        weights(w, fileType.typeOf(role, output, layer, s.layers(), rowLength), name, new long[]{rowLength, rows}, seed);
    }

    /** One matrix per expert, stacked in a 3-D tensor as the reference stores them. */
    private static void experts(GgufWriter w, SynthType fileType, String name, String role, int layer,
                                ModelShape s, int rowLength, int rows, long[] seed) {
        weights(w, fileType.typeOf(role, false, layer, s.layers(), rowLength), name, new long[]{rowLength, rows, s.experts()}, seed);
    }

    private static void weights(GgufWriter w, GgmlType type, String name, long[] shape, long[] seed) {
        int rowLength = (int) shape[0];
        long rows = shape.length == 2 ? shape[1] : shape[1] * shape[2];
        long tensorSeed = seed[0]++;
        w.tensor(name, shape, type, out -> {
            SplittableRandom random = new SplittableRandom(tensorSeed);
            float amplitude = (float) (WEIGHT_STD * Math.sqrt(3));
            float[] values = new float[ROWS_PER_CHUNK * rowLength];
            byte[] bytes = new byte[(int) type.byteSize((long) ROWS_PER_CHUNK * rowLength)];
            for (long r = 0; r < rows; r += ROWS_PER_CHUNK) {
                int n = (int) Math.min(ROWS_PER_CHUNK, rows - r) * rowLength;
                for (int i = 0; i < n; i++) {
                    values[i] = (float) ((random.nextDouble() * 2 - 1) * amplitude);
                }
                Quantizers.quantize(type, values, 0, n, bytes, 0);
                out.write(bytes, 0, (int) type.byteSize(n));
            }
        });
    }

    private static void ones(GgufWriter w, String name, int n) {
        float[] values = new float[n];
        Arrays.fill(values, 1f);
        vector(w, name, values);
    }

    /** F32 values of the weights' spread (biases; a router, whose scores then differ between experts). */
    private static void random(GgufWriter w, String name, long[] seed, long... shape) {
        SplittableRandom random = new SplittableRandom(seed[0]++);
        float[] values = new float[(int) Arrays.stream(shape).reduce(1, Math::multiplyExact)];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) ((random.nextDouble() * 2 - 1) * WEIGHT_STD);
        }
        vector(w, name, values, shape);
    }

    private static void vector(GgufWriter w, String name, float[] values) {
        vector(w, name, values, new long[]{values.length});
    }

    private static void vector(GgufWriter w, String name, float[] values, long[] shape) {
        w.tensor(name, shape, GgmlType.F32, (OutputStream out) -> {
            byte[] bytes = new byte[values.length * 4];
            Quantizers.quantize(GgmlType.F32, values, 0, values.length, bytes, 0);
            out.write(bytes);
        });
    }
}
