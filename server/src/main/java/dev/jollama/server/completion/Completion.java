package dev.jollama.server.completion;

import dev.jollama.engine.generation.GenerationRequest;
import dev.jollama.engine.generation.GenerationResult;
import dev.jollama.engine.generation.Generator;
import dev.jollama.engine.grammar.Grammar;
import dev.jollama.engine.model.PromptImage;
import dev.jollama.engine.sampling.Logprob;
import dev.jollama.engine.sampling.SamplingOptions;
import dev.jollama.engine.tokenizer.Tokenizer;
import dev.jollama.server.api.ApiException;
import dev.jollama.server.api.Options;
import dev.jollama.server.api.TokenLogprob;
import dev.jollama.server.scheduler.Lease;
import dev.jollama.server.thinking.OutputParser;
import dev.jollama.server.thinking.ResponseSplit;

import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Runs a prompt through a leased model and reports the output as {@link CompletionEvent}s; the sink decides how
 * they reach the client. Every endpoint that generates text goes through here, so this is the one place that
 * drives the engine's generation.
 */
public final class Completion {
    private static final System.Logger LOG = System.getLogger(Completion.class.getName());

    /**
     * @param logprobs -1 for none, else the number of alternatives per token
     * @param output   splits the model's output into thinking and answer
     * @param grammar  what the answer must match (format), or null; the output parser says where the answer begins
     * @param start    when the handler began, by System.nanoTime (the total duration counts from here)
     * @param loaded   when the model was ready (the load duration ends here)
     */
    public record Settings(Options options, boolean truncate, boolean shift, int logprobs, OutputParser output,
                           Grammar grammar, long start, long loaded) {
    }

    private Completion() {
    }

    public static void run(Lease lease, String prompt, Settings s, CompletionSink sink) {
        run(lease, lease.model().tokenizer().encode(prompt, true, true), s, sink);
    }

    /**
     * Runs a rendered prompt whose [img-N] tags stand for the request's images (none: as text). The images' encoding
     * counts into the prompt's evaluation time.
     */
    public static void run(Lease lease, String prompt, List<RequestImage> images, Settings s, CompletionSink sink) {
        if (images.isEmpty()) {
            run(lease, prompt, s, sink);
            return;
        }
        if (lease.images() == null) {
            throw new IllegalStateException("images reached a model without a projector");
        }
        ImagePrompt p = ImagePrompt.build(lease.model().tokenizer(), lease.images(), prompt, images);
        run(lease, p.tokens(), p.images(), p.encodeNanos(), s, sink);
    }

    /**
     * Runs a prompt given as tokens (fill-in-the-middle prompts are built from special token ids). A prompt too long
     * for the context without truncate is a 400 before the sink starts.
     */
    public static void run(Lease lease, int[] promptTokens, Settings s, CompletionSink sink) {
        run(lease, promptTokens, List.of(), 0, s, sink);
    }

    /**
     * A prompt of tokens and image rows: an image's rows are never cut, so such a prompt too long for the context
     * is a 400 even with truncate.
     */
    private static void run(Lease lease, int[] promptTokens, List<PromptImage> images, long encodeNanos, Settings s, CompletionSink sink) {
        Tokenizer tokenizer = lease.model().tokenizer();
        int keep = s.options().numKeep() + (tokenizer.bosToken() >= 0 ? 1 : 0);
        int[] tokens = promptTokens;
        int contextLength = lease.contextLength();
        int truncated = 0;
        if (tokens.length >= contextLength - 1) {
            if (!s.truncate() || !images.isEmpty()) {
                throw ApiException.badRequest("the input length exceeds the context length");
            }
            if (!s.shift()) {
                // Ollama's completionPrompt: without context shift an over-long prompt is refused, not cut
                throw ApiException.badRequest("the prompt is longer than the context length currently available to the model; "
                        + "shorten the prompt, adjust the context length in settings, or use a model with a longer context length");
            }
            int[] kept = PromptTruncation.keepHeadAndTail(tokens, keep, contextLength);
            truncated = tokens.length - kept.length;
            LOG.log(Level.WARNING, "truncating input prompt: {0} tokens, context {1}, kept {2}",
                    String.valueOf(tokens.length), String.valueOf(contextLength), String.valueOf(kept.length));
            tokens = kept;
        }
        GenerationRequest request = new GenerationRequest(tokens, sampling(s.options()), numPredict(s.options(), contextLength),
                s.options().stop(), s.shift(), keep, s.logprobs()).withImages(images);
        if (s.grammar() != null) {
            request = s.output().constrained(request, s.grammar(), tokenizer);
        }
        Generator generator = new Generator(lease.model(), s.output().readsControlTokens());
        sink.start();
        try {
            GenerationResult result = generator.generate(lease.sequence(), request, (piece, logprobs) -> {
                ResponseSplit split = s.output().add(piece);
                if (split.isEmpty() && logprobs.isEmpty()) {
                    return; // a tag still being decided: nothing to say yet
                }
                sink.accept(new CompletionEvent.Delta(split.content(), split.thinking(), split.toolCalls(), wire(tokenizer, logprobs)));
            }, sink::cancelled);
            ResponseSplit rest = s.output().flush();
            sink.accept(done(s, rest, withoutBos(tokens, tokenizer), result, truncated, encodeNanos));
        } catch (RuntimeException e) {
            sink.fail(e);
        }
    }

    /** The prompt as a later request continues from it: Ollama tokenizes prompt and answer again without BOS. */
    private static int[] withoutBos(int[] tokens, Tokenizer tokenizer) {
        return tokens.length > 0 && tokens[0] == tokenizer.bosToken() ? Arrays.copyOfRange(tokens, 1, tokens.length) : tokens;
    }

    private static CompletionEvent.Done done(Settings s, ResponseSplit rest, int[] prompt, GenerationResult result, int truncated,
                                            long encodeNanos) {
        // The context carries text tokens only, as Ollama's: image rows are left out.
        int[] text = IntStream.of(prompt).filter(t -> t >= 0).toArray();
        int[] tokens = Arrays.copyOf(text, text.length + result.generatedTokenIds().length);
        System.arraycopy(result.generatedTokenIds(), 0, tokens, text.length, result.generatedTokenIds().length);
        var metrics = new CompletionEvent.Metrics(System.nanoTime() - s.start(), s.loaded() - s.start(), result.promptTokens(),
                result.promptNanos() + encodeNanos, result.generatedTokens(), result.generationNanos(), truncated);
        // A cancelled generation has nobody to answer; "stop" keeps the field valid should it be written anyway.
        String reason = result.doneReason().equals("cancelled") ? "stop" : result.doneReason();
        return new CompletionEvent.Done(rest.content(), rest.thinking(), rest.toolCalls(), reason, tokens, metrics);
    }

    /**
     * num_predict: negative or above 10 x num_ctx becomes 10 x num_ctx, as Ollama bounds it. Ollama's runner takes 0
     * as no limit at all, which with the context shift never ends; here 0 is bounded as -1 is.
     */
    private static int numPredict(Options options, int contextLength) {
        int n = options.numPredict();
        return n <= 0 || n > 10 * contextLength ? 10 * contextLength : n;
    }

    /** The engine refuses out-of-range values (repeat_last_n below -1) with a message fit for the client. */
    private static SamplingOptions sampling(Options o) {
        try {
            return new SamplingOptions(o.temperature(), o.topK(), o.topP(), o.minP(), o.typicalP(), o.repeatPenalty(),
                    o.repeatLastN(), o.presencePenalty(), o.frequencyPenalty(), o.seed());
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
    }

    private static List<TokenLogprob> wire(Tokenizer tokenizer, List<Logprob> logprobs) {
        List<TokenLogprob> list = new ArrayList<>(logprobs.size());
        for (Logprob l : logprobs) {
            List<TokenLogprob> top = new ArrayList<>(l.alternatives().size());
            l.alternatives().forEach(a -> top.add(token(tokenizer, a.token(), a.logprob(), List.of())));
            list.add(token(tokenizer, l.chosen().token(), l.chosen().logprob(), top));
        }
        return list;
    }

    private static TokenLogprob token(Tokenizer tokenizer, int token, double logprob, List<TokenLogprob> top) {
        byte[] bytes = tokenizer.tokenBytes(token);
        return new TokenLogprob(new String(bytes, StandardCharsets.UTF_8), logprob, bytes, top);
    }
}
