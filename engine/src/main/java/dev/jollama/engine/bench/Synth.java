package dev.jollama.engine.bench;

import dev.jollama.engine.gguf.GgmlType;
import dev.jollama.engine.gguf.GgufWriter;
import dev.jollama.engine.quantize.QuantizationPlan;
import dev.jollama.engine.tensor.Quantizers;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Writes a random-weight GGUF model with the exact shapes of a released one ({@link ModelShape}), quantized with
 * our own quantizers in llama.cpp's mix of types ({@link QuantizationPlan}), and a SentencePiece vocabulary of the
 * right size made of byte tokens and synthetic words, so
 * speed can be measured without downloads. Text from it is gibberish by design.
 */
public final class Synth {
    /** Weights are uniform with this standard deviation, about what trained models of this size have. */
    private static final float WEIGHT_STD = 0.02f;
    private static final int ROWS_PER_CHUNK = 64;

    private Synth() {
    }

    /** Writes the file (a model, or an image projector for a projector shape's name); returns its size in bytes. */
    public static long write(String shape, String type, Path out) throws IOException {
        if (ProjectorShape.isNamed(shape)) {
            return ProjectorSynth.write(ProjectorShape.named(shape), out);
        }
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
                .put("general.file_type", type.fileType.id)
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

        List<Spec> specs = new ArrayList<>();
        specs.add(Spec.matrix("token_embd.weight", s.dim(), s.vocabulary()));
        for (int i = 0; i < s.layers(); i++) {
            String b = "blk." + i + ".";
            specs.add(Spec.ones(b + "attn_norm.weight", s.dim()));
            specs.add(Spec.matrix(b + "attn_q.weight", s.dim(), s.queryDim()));
            specs.add(Spec.matrix(b + "attn_k.weight", s.dim(), s.kvDim()));
            specs.add(Spec.matrix(b + "attn_v.weight", s.dim(), s.kvDim()));
            specs.add(Spec.matrix(b + "attn_output.weight", s.queryDim(), s.dim()));
            if (s.biases()) {
                specs.add(Spec.random(b + "attn_q.bias", s.queryDim()));
                specs.add(Spec.random(b + "attn_k.bias", s.kvDim()));
                specs.add(Spec.random(b + "attn_v.bias", s.kvDim()));
            }
            if (s.queryKeyNorms()) {
                specs.add(Spec.ones(b + "attn_q_norm.weight", s.headDim()));
                specs.add(Spec.ones(b + "attn_k_norm.weight", s.headDim()));
            }
            specs.add(Spec.ones(b + "ffn_norm.weight", s.dim()));
            if (s.experts() > 0) {
                specs.add(Spec.random(b + "ffn_gate_inp.weight", s.dim(), s.experts()));
                specs.add(Spec.experts(b + "ffn_gate_exps.weight", s.dim(), s.expertFeedForward(), s.experts()));
                specs.add(Spec.experts(b + "ffn_up_exps.weight", s.dim(), s.expertFeedForward(), s.experts()));
                specs.add(Spec.experts(b + "ffn_down_exps.weight", s.expertFeedForward(), s.dim(), s.experts()));
            } else {
                specs.add(Spec.matrix(b + "ffn_gate.weight", s.dim(), s.feedForward()));
                specs.add(Spec.matrix(b + "ffn_up.weight", s.dim(), s.feedForward()));
                specs.add(Spec.matrix(b + "ffn_down.weight", s.feedForward(), s.dim()));
            }
        }
        specs.add(Spec.ones("output_norm.weight", s.dim()));
        if (!s.tied()) {
            specs.add(Spec.matrix("output.weight", s.dim(), s.vocabulary()));
        }
        if (s.ropeFactors()) {
            specs.add(Spec.ones("rope_freqs.weight", s.headDim() / 2));
        }
        QuantizationPlan plan = QuantizationPlan.of(new QuantizationPlan.Model(a, s.layers(), s.heads(), s.kvHeads(), s.experts()),
                specs.stream().map(spec -> new QuantizationPlan.Weight(spec.name(), spec.shape(), GgmlType.F32)).toList(),
                type.fileType, type.pure());
        tensors(w, specs, plan::typeOf);
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

    /**
     * A tensor of the model: a matrix of random weights (a 3-D stack of them for a mixture's experts), a vector of
     * ones (norms) or random values of the weights' spread (biases; a router, whose scores then differ by expert).
     */
    record Spec(String name, long[] shape, Kind kind) {
        enum Kind { MATRIX, ONES, RANDOM }

        static Spec matrix(String name, int rowLength, int rows) {
            return new Spec(name, new long[]{rowLength, rows}, Kind.MATRIX);
        }

        static Spec ones(String name, int n) {
            return new Spec(name, new long[]{n}, Kind.ONES);
        }

        static Spec experts(String name, int rowLength, int rows, int experts) {
            return new Spec(name, new long[]{rowLength, rows, experts}, Kind.MATRIX);
        }

        /** Random weights of any shape: the first dimension is the row length, the others multiply to the rows. */
        static Spec weights(String name, long... shape) {
            return new Spec(name, shape, Kind.MATRIX);
        }

        static Spec random(String name, long... shape) {
            return new Spec(name, shape, Kind.RANDOM);
        }

        long elements() {
            return Arrays.stream(shape).reduce(1, Math::multiplyExact);
        }
    }

    /** Writes the tensors in order, each matrix in the type {@code typeOf} names for it; random ones seeded 1, 2, ... */
    static void tensors(GgufWriter w, List<Spec> specs, Function<String, GgmlType> typeOf) {
        long seed = 1;
        for (Spec spec : specs) {
            switch (spec.kind()) {
                case MATRIX -> matrix(w, spec, typeOf.apply(spec.name()), seed++);
                case ONES -> ones(w, spec);
                case RANDOM -> random(w, spec, seed++);
            }
        }
    }

    private static void matrix(GgufWriter w, Spec spec, GgmlType type, long seed) {
        int rowLength = (int) spec.shape()[0];
        long rows = spec.elements() / rowLength;
        w.tensor(spec.name(), spec.shape(), type, out -> {
            SplittableRandom random = new SplittableRandom(seed);
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

    private static void ones(GgufWriter w, Spec spec) {
        float[] values = new float[(int) spec.shape()[0]];
        Arrays.fill(values, 1f);
        vector(w, spec.name(), values);
    }

    private static void random(GgufWriter w, Spec spec, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] values = new float[Math.toIntExact(spec.elements())];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) ((random.nextDouble() * 2 - 1) * WEIGHT_STD);
        }
        vector(w, spec.name(), values, spec.shape());
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
