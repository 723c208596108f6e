package dev.jollama.engine.generation;

import dev.jollama.engine.model.Model;
import dev.jollama.engine.model.PromptImage;
import dev.jollama.engine.model.Sequence;
import dev.jollama.engine.sampling.LogProbabilities;
import dev.jollama.engine.sampling.Logprob;
import dev.jollama.engine.sampling.Sampler;
import dev.jollama.engine.sampling.StopSequences;
import dev.jollama.engine.sampling.TokenConstraint;
import dev.jollama.engine.tokenizer.StreamingDecoder;
import dev.jollama.engine.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The token loop: feeds the prompt, then samples, decodes and emits text until an end-of-generation token, a stop
 * sequence, the end of a grammar's match, the token limit, the end of the context, or cancellation. Text reaches the
 * listener only in whole UTF-8 characters and never includes a stop sequence or what follows it.
 */
public final class Generator {
    private final Model model;
    private final Tokenizer tokenizer;
    private final boolean renderControlTokens;

    public Generator(Model model) {
        this(model, false);
    }

    /** @param renderControlTokens spell control tokens out in the text (harmony output is framed by them) */
    public Generator(Model model, boolean renderControlTokens) {
        this.model = model;
        this.tokenizer = model.tokenizer();
        this.renderControlTokens = renderControlTokens;
    }

    /**
     * Runs one generation on a sequence. Tokens already in the sequence that match the prompt's start are reused;
     * the rest of the sequence is dropped.
     */
    public GenerationResult generate(Sequence sequence, GenerationRequest request, TextListener text, BooleanSupplier cancelled) {
        int[] prompt = request.promptTokens();
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt has no tokens");
        }
        if (prompt.length >= sequence.contextLength()) {
            throw new IllegalArgumentException("the prompt has " + prompt.length + " tokens, the context holds " + sequence.contextLength());
        }
        Sampler sampler = new Sampler(request.sampling(), model.config().vocabularySize(), sequence.contextLength());
        StreamingDecoder decoder = renderControlTokens ? tokenizer.streamingDecoderWithControlTokens() : tokenizer.streamingDecoder();
        StopSequences stops = new StopSequences(request.stop());
        LogProbabilities logProbabilities = request.logprobs() >= 0 ? new LogProbabilities() : null;
        PendingLogprobs pendingLogprobs = new PendingLogprobs();
        TokenConstraint constraint = request.constraint();

        long start = System.nanoTime();
        float[] logits = feedPrompt(sequence, prompt, request.images(), cancelled);
        if (logits == null) {
            return new GenerationResult("cancelled", prompt.length, System.nanoTime() - start, 0, 0, new int[0]);
        }
        for (int token : prompt) {
            if (token >= 0) { // not an image row
                sampler.accept(token);
            }
        }
        long promptNanos = System.nanoTime() - start;

        long generationStart = System.nanoTime();
        int[] generated = new int[16];
        int count = 0;
        String doneReason = "length";
        while (request.maxTokens() < 0 || count < request.maxTokens()) {
            if (cancelled.getAsBoolean()) {
                doneReason = "cancelled";
                break;
            }
            boolean constrained = constraint != null
                    && (request.constraintActive() == null || request.constraintActive().getAsBoolean());
            int token = constrained ? sampler.sample(logits, constraint) : sampler.sample(logits);
            if (tokenizer.isEndOfGeneration(token)) {
                doneReason = "stop";
                break;
            }
            if (constrained) {
                constraint.accept(token);
            }
            sampler.accept(token);
            if (count == generated.length) {
                generated = Arrays.copyOf(generated, count * 2);
            }
            generated[count++] = token;
            String decoded = decoder.append(token);
            if (logProbabilities != null) {
                pendingLogprobs.add(logProbabilities.compute(logits, token, request.logprobs()), decoded.length());
            }
            emit(text, stops.push(decoded), pendingLogprobs);
            if (stops.stopped() || (constrained && constraint.isFinished())) {
                doneReason = "stop";
                break;
            }
            if (request.maxTokens() >= 0 && count >= request.maxTokens()) {
                break;
            }
            if (sequence.length() >= sequence.contextLength()) {
                if (!request.contextShift() || !shift(sequence, request.keepTokens(), request.images())) {
                    break; // the context is full: "length"
                }
            }
            logits = model.steps().decode(sequence, token);
        }
        if (!stops.stopped()) {
            String rest = decoder.flush();
            pendingLogprobs.extendLast(rest.length());
            emit(text, stops.push(rest), pendingLogprobs);
            emit(text, stops.flush(), pendingLogprobs);
        }
        return new GenerationResult(doneReason, prompt.length, promptNanos, count, System.nanoTime() - generationStart,
                Arrays.copyOf(generated, count));
    }

    /**
     * Reuses the longest cached prefix, this sequence's or any earlier one's (always recomputing the last prompt
     * token, whose logits are needed), and feeds the rest in the model's shared steps. Returns null when cancelled
     * part-way, so a client that leaves during a long prompt frees its slot within one step.
     */
    private float[] feedPrompt(Sequence sequence, int[] prompt, List<PromptImage> images, BooleanSupplier cancelled) {
        int reused = sequence.reusePrefix(prompt, prompt.length - 1);
        return model.steps().feed(sequence, prompt, images, reused, prompt.length, cancelled);
    }

    /**
     * Makes room by dropping half of the tokens after the kept head and recomputing the rest at their new positions
     * (simpler than re-rotating cached keys, and exact). False when nothing can be dropped.
     */
    private boolean shift(Sequence sequence, int keep, List<PromptImage> images) {
        int length = sequence.length();
        int discard = (length - keep) / 2;
        if (keep < 0 || discard <= 0) {
            return false;
        }
        int[] tail = sequence.tokens(keep + discard, length);
        sequence.truncate(keep);
        if (tail.length > 0) {
            model.steps().feed(sequence, tail, images, 0, tail.length, () -> false);
        }
        return true;
    }

    /** Hands a piece of final text on with the log-probabilities of the tokens it completes. */
    private static void emit(TextListener text, String piece, PendingLogprobs pendingLogprobs) {
        if (!piece.isEmpty()) {
            text.onText(piece, pendingLogprobs.emitted(piece.length()));
        }
    }

    /**
     * Log-probabilities of tokens whose text is not all emitted yet. An entry goes out with the piece that emits the
     * last character of its token; entries of tokens whose text a stop sequence cut (even in part) never go out.
     */
    private static final class PendingLogprobs {
        private final List<Logprob> entries = new ArrayList<>();
        private final List<Long> textEnds = new ArrayList<>();
        private long decoded;
        private long emitted;

        void add(Logprob logprob, int decodedChars) {
            decoded += decodedChars;
            entries.add(logprob);
            textEnds.add(decoded);
        }

        /** Text the decoder held back and gave up at the end belongs to the last token. */
        void extendLast(int chars) {
            decoded += chars;
            if (!textEnds.isEmpty()) {
                textEnds.set(textEnds.size() - 1, decoded);
            }
        }

        List<Logprob> emitted(int chars) {
            emitted += chars;
            int n = 0;
            while (n < entries.size() && textEnds.get(n) <= emitted) {
                n++;
            }
            List<Logprob> out = List.copyOf(entries.subList(0, n));
            entries.subList(0, n).clear();
            textEnds.subList(0, n).clear();
            return out;
        }
    }
}
