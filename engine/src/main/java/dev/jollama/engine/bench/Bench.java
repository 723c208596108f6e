package dev.jollama.engine.bench;

import dev.jollama.engine.gguf.GgmlType;
import dev.jollama.engine.gguf.GgufTensorInfo;
import dev.jollama.engine.kvcache.KvCacheType;
import dev.jollama.engine.model.Model;
import dev.jollama.engine.quantize.FileType;
import dev.jollama.engine.model.Sequence;
import dev.jollama.engine.tensor.WorkerPool;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Measures, in one run: the memory read bandwidth (same thread count), prompt processing (pp) and decoding (tg)
 * tokens per second over several repeats after a warm-up, the bytes of weights read per decoded token, how close
 * decoding comes to the memory limit ({@code efficiency = tg · bytes per token / bandwidth}), and how much of the
 * file the run brought into memory (a mixture of experts reads only the chosen experts' pages).
 */
public final class Bench {
    private Bench() {
    }

    /**
     * The measured figures; tokens per second as min, median, max over the repeats. {@code tgParallel} is the
     * aggregate decoding speed of {@code parallel} sequences at once, null when not measured. {@code residentBytes}:
     * of the file's mapping, what was in memory after the run (-1 where /proc/self/smaps is not there).
     */
    public record Result(String model, String type, int threads, double bandwidthGbps, double[] pp, double[] tg,
                         long bytesPerToken, double efficiency, int parallel, double[] tgParallel, KernelSpeeds.Row[] kernels,
                         long residentBytes, long fileBytes, int depth) {

        String json() {
            StringBuilder b = new StringBuilder("{");
            b.append("\"model\":\"").append(escape(model)).append("\",\"type\":\"").append(type).append("\",");
            b.append(String.format(Locale.ROOT, "\"threads\":%d,\"bandwidth_gbps\":%.2f,\"pp_tps\":%.2f,\"tg_tps\":%.2f,"
                            + "\"bytes_per_token\":%d,\"efficiency\":%.3f,\"pp_tps_min\":%.2f,\"pp_tps_max\":%.2f,"
                            + "\"tg_tps_min\":%.2f,\"tg_tps_max\":%.2f",
                    threads, bandwidthGbps, pp[1], tg[1], bytesPerToken, efficiency, pp[0], pp[2], tg[0], tg[2]));
            b.append(String.format(Locale.ROOT, ",\"resident_bytes\":%d,\"file_bytes\":%d,\"depth\":%d", residentBytes, fileBytes, depth));
            if (tgParallel != null) {
                b.append(String.format(Locale.ROOT, ",\"parallel\":%d,\"tg_parallel_tps\":%.2f,\"tg_parallel_tps_min\":%.2f,"
                        + "\"tg_parallel_tps_max\":%.2f", parallel, tgParallel[1], tgParallel[0], tgParallel[2]));
            }
            if (kernels.length > 0) {
                b.append(",\"kernels\":[");
                for (int i = 0; i < kernels.length; i++) {
                    KernelSpeeds.Row k = kernels[i];
                    b.append(i > 0 ? "," : "").append(String.format(Locale.ROOT,
                            "{\"type\":\"%s\",\"reference_gbps\":%.2f,\"fast_gbps\":%.2f}", k.type(), k.referenceGbps(), k.fastGbps()));
                }
                b.append("]");
            }
            return b.append("}").toString();
        }

        private static String escape(String s) {
            return s.replace("\\", "\\\\").replace("\"", "\\\"");
        }
    }

    /** The command's entry point: measures and prints a table, or one JSON object; returns the exit code. */
    public static int run(BenchOptions options, PrintStream out) {
        Result r = measure(options, options.json() ? null : out);
        if (options.json()) {
            out.println(r.json());
        } else {
            table(r, options, out);
        }
        return 0;
    }

    /** For running from the engine's classes alone: {@code Bench MODEL [THREADS [PROMPT GEN REPEAT]] [--json] [--kernels]}. */
    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: Bench MODEL.gguf [THREADS [PROMPT_TOKENS GEN_TOKENS REPEAT]] [--json] [--kernels]");
            System.exit(2);
        }
        String[] numbers = Arrays.stream(args).skip(1).filter(a -> !a.startsWith("--")).toArray(String[]::new);
        boolean json = Arrays.asList(args).contains("--json");
        boolean kernels = Arrays.asList(args).contains("--kernels");
        BenchOptions o = new BenchOptions(Path.of(args[0]),
                numbers.length > 1 ? Integer.parseInt(numbers[1]) : 128,
                numbers.length > 2 ? Integer.parseInt(numbers[2]) : 64,
                numbers.length > 0 ? Integer.parseInt(numbers[0]) : 0,
                numbers.length > 3 ? Integer.parseInt(numbers[3]) : 3, 1, json, kernels, 0);
        System.exit(run(o, System.out));
    }

    /** Runs the measurements; progress goes to {@code progress} when it is not null. */
    public static Result measure(BenchOptions o, PrintStream progress) {
        int threads = o.effectiveThreads();
        double bandwidth;
        try (WorkerPool pool = new WorkerPool(threads)) {
            bandwidth = MemoryBandwidth.measure(pool, 5);
        }
        note(progress, "memory read bandwidth, %d threads: %.1f GB/s", threads, bandwidth / 1e9);
        int context = o.depth() + o.promptTokens() + o.genTokens() + 1;
        try (Model model = load(o, threads, context); Sequence sequence = model.newSequence(context)) {
            int vocabulary = model.tokenizer().vocabularySize();
            Random random = new Random(42);
            int[] prompt = random.ints(o.promptTokens(), 3, vocabulary).toArray();
            int[] generated = random.ints(o.genTokens(), 3, vocabulary).toArray();
            if (o.depth() > 0) {
                note(progress, "filling the cache to depth %d", o.depth());
                model.forward(sequence, random.ints(o.depth(), 3, vocabulary).toArray(), 0, o.depth());
            }

            // Warm-up: compiles the kernels for both the batched and the single-token path, the second decode and
            // prompt the kernels of the copies decoding fills (waited for: the figures are of steady decoding).
            timePrompt(model, sequence, o.depth(), prompt);
            timeDecode(model, sequence, o.depth(), Arrays.copyOf(generated, Math.min(8, generated.length)));
            model.awaitLayouts();
            timeDecode(model, sequence, o.depth(), Arrays.copyOf(generated, Math.min(8, generated.length)));
            timePrompt(model, sequence, o.depth(), prompt);
            double[] pp = new double[o.repeat()], tg = new double[o.repeat()];
            for (int i = 0; i < o.repeat(); i++) {
                pp[i] = o.promptTokens() / timePrompt(model, sequence, o.depth(), prompt);
                tg[i] = o.genTokens() / timeDecode(model, sequence, o.depth(), generated);
                note(progress, "repeat %d: pp%d %.1f t/s, tg%d %.1f t/s", i + 1, o.promptTokens(), pp[i], o.genTokens(), tg[i]);
            }
            double[] tgParallel = null;
            if (o.parallel() > 1) {
                timeParallelDecode(model, context, generated, o.parallel()); // warm-up: compiles the batched products
                tgParallel = new double[o.repeat()];
                for (int i = 0; i < o.repeat(); i++) {
                    tgParallel[i] = o.parallel() * o.genTokens() / timeParallelDecode(model, context, generated, o.parallel());
                    note(progress, "repeat %d: tg%d, %d sequences at once: %.1f t/s in all", i + 1, o.genTokens(), o.parallel(), tgParallel[i]);
                }
                tgParallel = stats(tgParallel);
            }
            long bytes = bytesPerToken(model);
            double[] ppStats = stats(pp), tgStats = stats(tg);
            KernelSpeeds.Row[] kernels = o.kernels() ? KernelSpeeds.measure(model, threads) : new KernelSpeeds.Row[0];
            return new Result(o.model().getFileName().toString(), typeName(model), threads, bandwidth / 1e9, ppStats, tgStats,
                    bytes, tgStats[1] * bytes / bandwidth, o.parallel(), tgParallel, kernels,
                    ResidentMemory.ofMapping(o.model()), o.model().toFile().length(), o.depth());
        }
    }

    /**
     * The model with a cache that holds the measured sequence and the parallel ones. At a depth the measured sequence
     * may run past the file's context (as llama-bench -d lets it), which caps each sequence's share of the cache:
     * then the cache gets as many shares as that sequence needs.
     */
    private static Model load(BenchOptions o, int threads, int context) {
        KvCacheType type = Model.Options.DEFAULT.cacheType();
        int sequences = Math.max(Model.Options.DEFAULT.sequences(), o.parallel() + 1);
        int contextLength = o.depth() > 0 ? context : 0;
        Model model = Model.load(o.model(), new Model.Options(threads, type, sequences, contextLength));
        int needed = Math.ceilDiv(context, model.config().sequenceLength()) + o.parallel();
        if (needed <= sequences) {
            return model;
        }
        model.close();
        return Model.load(o.model(), new Model.Options(threads, type, needed, contextLength));
    }

    /** Seconds to feed the prompt to the sequence cut back to {@code depth} tokens (llama-bench's pp test at -d). */
    private static double timePrompt(Model model, Sequence sequence, int depth, int[] prompt) {
        sequence.truncate(depth);
        long start = System.nanoTime();
        model.forward(sequence, prompt, 0, prompt.length);
        return (System.nanoTime() - start) / 1e9;
    }

    /** Seconds to decode the tokens one at a time after {@code depth} tokens, as llama-bench's tg test does. */
    private static double timeDecode(Model model, Sequence sequence, int depth, int[] tokens) {
        sequence.truncate(depth);
        long start = System.nanoTime();
        for (int token : tokens) {
            model.forward(sequence, token);
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /**
     * Seconds for {@code parallel} threads, each decoding the tokens from an empty sequence of its own (each starting
     * at another place in the list), to finish, from a common start: their steps go through the model's shared steps,
     * as parallel requests' do.
     */
    static double timeParallelDecode(Model model, int context, int[] tokens, int parallel) {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> decoders = new ArrayList<>();
        try (ExecutorService threads = Executors.newFixedThreadPool(parallel)) {
            for (int p = 0; p < parallel; p++) {
                int shift = p;
                decoders.add(threads.submit(() -> {
                    try (Sequence s = model.newSequence(context)) {
                        start.await();
                        for (int i = 0; i < tokens.length; i++) {
                            model.steps().decode(s, tokens[(i + shift) % tokens.length]);
                        }
                    }
                    return null;
                }));
            }
            long began = System.nanoTime();
            start.countDown();
            for (Future<?> decoder : decoders) {
                decoder.get();
            }
            return (System.nanoTime() - began) / 1e9;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while timing parallel decoding", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a parallel decoder failed: " + e.getCause(), e.getCause());
        }
    }

    /**
     * Bytes of weights read per decoded token: every tensor except the token embedding, of which one row is read,
     * unless it is also the output projection; of a mixture of experts' stacked tensors, the share of the experts
     * a token goes through.
     */
    static long bytesPerToken(Model model) {
        Map<String, GgufTensorInfo> tensors = model.file().tensors();
        boolean tied = !tensors.containsKey("output.weight");
        int experts = model.config().expertCount(), used = model.config().expertUsedCount();
        long bytes = 0;
        for (GgufTensorInfo t : tensors.values()) {
            if (experts > 0 && t.shape().length == 3 && t.shape()[2] == experts) {
                bytes += t.data().byteSize() / experts * used;
            } else if (tied || !t.name().equals("token_embd.weight")) {
                bytes += t.data().byteSize();
            }
        }
        return bytes;
    }

    private static String typeName(Model model) {
        Object fileType = model.file().metadata().get("general.file_type");
        if (fileType instanceof Number n) {
            var known = FileType.of(n.intValue());
            if (known.isPresent()) {
                return known.get().name();
            }
        }
        GgufTensorInfo gate = model.file().tensor("blk.0.ffn_gate.weight");
        return gate != null ? gate.type().name() : GgmlType.F32.name();
    }

    /** min, median, max. */
    static double[] stats(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        double median = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        return new double[]{v[0], median, v[v.length - 1]};
    }

    private static void table(Result r, BenchOptions o, PrintStream out) {
        String at = o.depth() > 0 ? " @ d" + o.depth() : "";
        out.printf(Locale.ROOT, "%-28s %-7s %7s %9s %22s %22s %9s %10s%n", "model", "type", "threads", "bw GB/s",
                "pp" + o.promptTokens() + at + " t/s (min/med/max)", "tg" + o.genTokens() + at + " t/s (min/med/max)", "MB/token", "efficiency");
        out.printf(Locale.ROOT, "%-28s %-7s %7d %9.1f %22s %22s %9.0f %10.2f%n", r.model(), r.type(), r.threads(), r.bandwidthGbps(),
                triple(r.pp()), triple(r.tg()), r.bytesPerToken() / 1e6, r.efficiency());
        if (r.residentBytes() >= 0) {
            out.printf(Locale.ROOT, "in memory after the run: %.0f MB of the file's %.0f MB%n", r.residentBytes() / 1e6, r.fileBytes() / 1e6);
        }
        if (r.tgParallel() != null) {
            out.printf(Locale.ROOT, "%d sequences decoding at once: tg%d %s t/s in all (min/med/max)%n", r.parallel(), o.genTokens(),
                    triple(r.tgParallel()));
        }
        if (r.kernels().length > 0) {
            out.printf("%nmatrix-vector kernels, %d threads, GB/s of weights (every matrix of the model but the token embedding):%n", r.threads());
            out.printf("%-6s %10s %10s %7s%n", "type", "reference", "fast", "ratio");
            for (KernelSpeeds.Row k : r.kernels()) {
                out.printf(Locale.ROOT, "%-6s %10.2f %10.2f %7.1f%n", k.type(), k.referenceGbps(), k.fastGbps(), k.fastGbps() / k.referenceGbps());
            }
        }
    }

    private static String triple(double[] v) {
        return String.format(Locale.ROOT, "%.1f/%.1f/%.1f", v[0], v[1], v[2]);
    }

    static void note(PrintStream progress, String format, Object... args) {
        if (progress != null) {
            progress.printf(Locale.ROOT, format + "%n", args);
        }
    }
}
