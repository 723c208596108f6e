package dev.jollama.server.routes;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jollama.engine.generation.GenerationRequest;
import dev.jollama.engine.generation.GenerationResult;
import dev.jollama.engine.generation.Generator;
import dev.jollama.engine.sampling.SamplingOptions;
import dev.jollama.engine.tokenizer.Tokenizer;
import dev.jollama.server.api.ApiException;
import dev.jollama.server.api.GoJson;
import dev.jollama.server.api.Options;
import dev.jollama.server.scheduler.Lease;
import dev.jollama.server.thinking.OutputParser;
import dev.jollama.server.thinking.ResponseSplit;
import io.javalin.http.Context;

import dev.jollama.engine.grammar.Grammar;
import dev.jollama.engine.grammar.GrammarConstraint;
import dev.jollama.engine.sampling.Logprob;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.lang.System.Logger.Level;
import java.time.Instant;

/**
 * Runs a rendered prompt through a leased model and writes the reply, as NDJSON chunks or one JSON object; shared by
 * /api/generate and /api/chat, which differ only in how text sits in a chunk ({@link Shape}).
 */
final class Completion {
    private static final System.Logger LOG = System.getLogger(Completion.class.getName());

    /** Where a reply puts its text and thinking, and what its final chunk adds. */
    interface Shape {
        /** Puts the answer text (always, even "") and the thinking (only when not empty). */
        void putText(ObjectNode chunk, String text, String thinking);

        void putFinalExtras(ObjectNode chunk, int[] promptTokens, GenerationResult result);
    }

    /**
     * @param start   when the handler began (total_duration counts from here)
     * @param loaded  when the model was ready (load_duration ends here)
     */
    /**
     * @param logprobs -1 for none, else the number of alternatives per token
     * @param output   splits the model's output into thinking and answer
     * @param grammar  what the answer must match (format), or null; thinking before the answer is not constrained
     */
    record Settings(String model, Options options, boolean truncate, boolean shift, boolean stream, int logprobs,
                    OutputParser output, Grammar grammar, long start, long loaded) {
    }

    private Completion() {
    }

    static void run(Context ctx, Lease lease, String prompt, Settings s, Shape shape) throws IOException {
        run(ctx, lease, lease.model().tokenizer().encode(prompt, true, true), s, shape);
    }

    /** Runs a prompt given as tokens (fill-in-the-middle prompts are built from special token ids). */
    static void run(Context ctx, Lease lease, int[] promptTokens, Settings s, Shape shape) throws IOException {
        Tokenizer tokenizer = lease.model().tokenizer();
        int keep = s.options().numKeep() + (tokenizer.bosToken() >= 0 ? 1 : 0);
        int[] tokens = promptTokens;
        int contextLength = lease.contextLength();
        int truncated = 0;
        if (tokens.length >= contextLength - 1) {
            if (!s.truncate()) {
                throw ApiException.badRequest("the input length exceeds the context length");
            }
            int[] kept = PromptTruncation.keepHeadAndTail(tokens, keep, contextLength);
            truncated = tokens.length - kept.length;
            LOG.log(Level.WARNING, "truncating input prompt: {0} tokens, context {1}, kept {2}",
                    String.valueOf(tokens.length), String.valueOf(contextLength), String.valueOf(kept.length));
            tokens = kept;
        }
        GenerationRequest request = new GenerationRequest(tokens, sampling(s.options()), numPredict(s.options(), contextLength),
                s.options().stop(), s.shift(), keep, s.logprobs());
        if (s.grammar() != null) {
            request = request.withConstraint(new GrammarConstraint(s.grammar(), tokenizer), s.output()::answering);
        }
        Generator generator = new Generator(lease.model(), s.output().readsControlTokens());
        int[] fedTokens = tokens;
        int truncatedCount = truncated;
        if (s.stream()) {
            NdjsonStream out = new NdjsonStream(ctx);
            try {
                GenerationResult result = generator.generate(lease.sequence(), request, (piece, logprobs) -> {
                    ResponseSplit split = s.output().add(piece);
                    if (split.isEmpty() && logprobs.isEmpty()) {
                        return; // a tag still being decided: nothing to say yet
                    }
                    ObjectNode c = chunk(s.model());
                    shape.putText(c, split.content(), split.thinking());
                    c.put("done", false);
                    LogprobsJson.put(c, tokenizer, logprobs);
                    out.write(c);
                }, out::closed);
                out.write(finalChunk(s, shape, s.output().flush(), fedTokens, result, truncatedCount));
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "generation failed mid-stream", e);
                out.write(GoJson.object().put("error", String.valueOf(e.getMessage())));
            }
        } else {
            ctx.status(200);
            JsonReply.setJsonContentType(ctx);
            OutputStream body = servletOutput(ctx);
            body.flush(); // headers now: Java clients time out waiting for headers, not for the body
            StringBuilder text = new StringBuilder();
            StringBuilder thinking = new StringBuilder();
            List<Logprob> logprobs = new ArrayList<>();
            GenerationResult result = generator.generate(lease.sequence(), request, (piece, pieceLogprobs) -> {
                ResponseSplit split = s.output().add(piece);
                text.append(split.content());
                thinking.append(split.thinking());
                logprobs.addAll(pieceLogprobs);
            }, () -> false);
            ResponseSplit rest = s.output().flush();
            ResponseSplit all = new ResponseSplit(thinking + rest.thinking(), text + rest.content());
            ObjectNode reply = finalChunk(s, shape, all, fedTokens, result, truncatedCount);
            LogprobsJson.put(reply, tokenizer, logprobs);
            body.write(GoJson.bytes(reply));
        }
    }

    /**
     * The servlet's own output stream: Javalin's wrapper (ctx.outputStream()) buffers and does not pass flush() on,
     * and streamed tokens and early headers must leave at once.
     */
    static OutputStream servletOutput(Context ctx) {
        try {
            return ctx.res().getOutputStream();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** num_predict: 0 means no limit; negative or above 10 x num_ctx becomes 10 x num_ctx, as Ollama bounds it. */
    private static int numPredict(Options options, int contextLength) {
        int n = options.numPredict();
        if (n < 0 || n > 10 * contextLength) {
            return 10 * contextLength;
        }
        return n == 0 ? -1 : n;
    }

    private static SamplingOptions sampling(Options o) {
        return new SamplingOptions(o.temperature(), o.topK(), o.topP(), o.minP(), o.typicalP(), o.repeatPenalty(),
                o.repeatLastN(), o.presencePenalty(), o.frequencyPenalty(), o.seed());
    }

    private static ObjectNode finalChunk(Settings s, Shape shape, ResponseSplit text, int[] prompt, GenerationResult result,
                                         int truncated) {
        ObjectNode c = chunk(s.model());
        shape.putText(c, text.content(), text.thinking());
        c.put("done", true);
        // A cancelled generation has nobody to answer; "stop" keeps the field valid should it be written anyway.
        c.put("done_reason", result.doneReason().equals("cancelled") ? "stop" : result.doneReason());
        shape.putFinalExtras(c, prompt, result);
        putNonZero(c, "total_duration", System.nanoTime() - s.start());
        putNonZero(c, "load_duration", s.loaded() - s.start());
        putNonZero(c, "prompt_eval_count", result.promptTokens());
        putNonZero(c, "prompt_eval_duration", result.promptNanos());
        putNonZero(c, "eval_count", result.generatedTokens());
        putNonZero(c, "eval_duration", result.generationNanos());
        putNonZero(c, "truncated", truncated);
        return c;
    }

    private static void putNonZero(ObjectNode c, String field, long value) {
        if (value != 0) {
            c.put(field, value);
        }
    }

    /** A chunk's first fields, in Ollama's order. */
    static ObjectNode chunk(String model) {
        ObjectNode c = GoJson.object();
        c.put("model", model);
        c.put("created_at", GoJson.timestamp(Instant.now()));
        return c;
    }

    /** The single-object reply to a load or unload request. */
    static ObjectNode loadReply(String model, Shape shape, String doneReason) {
        ObjectNode c = chunk(model);
        shape.putText(c, "", "");
        c.put("done", true);
        c.put("done_reason", doneReason);
        return c;
    }
}
