package dev.jollama.engine.generation;

import dev.jollama.engine.model.Model;
import dev.jollama.engine.model.Sequence;
import dev.jollama.engine.sampling.Sampler;
import dev.jollama.engine.sampling.StopSequences;
import dev.jollama.engine.tokenizer.StreamingDecoder;
import dev.jollama.engine.tokenizer.Tokenizer;

import java.util.Arrays;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The token loop: feeds the prompt, then samples, decodes and emits text until an end-of-generation token, a stop
 * sequence, the token limit, the end of the context, or cancellation. Text reaches the listener only in whole UTF-8
 * characters and never includes a stop sequence or what follows it.
 */
public final class Generator {
    private final Model model;
    private final Tokenizer tokenizer;

    public Generator(Model model) {
        this.model = model;
        this.tokenizer = model.tokenizer();
    }

    /**
     * Runs one generation on a sequence. Tokens already in the sequence that match the prompt's start are reused;
     * the rest of the sequence is dropped.
     */
    public GenerationResult generate(Sequence sequence, GenerationRequest request, Consumer<String> text, BooleanSupplier cancelled) {
        int[] prompt = request.promptTokens();
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt has no tokens");
        }
        if (prompt.length >= sequence.contextLength()) {
            throw new IllegalArgumentException("the prompt has " + prompt.length + " tokens, the context holds " + sequence.contextLength());
        }
        Sampler sampler = new Sampler(request.sampling(), model.config().vocabularySize(), sequence.contextLength());
        StreamingDecoder decoder = tokenizer.streamingDecoder();
        StopSequences stops = new StopSequences(request.stop());

        long start = System.nanoTime();
        float[] logits = feedPrompt(sequence, prompt);
        for (int token : prompt) {
            sampler.accept(token);
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
            int token = sampler.sample(logits);
            if (tokenizer.isEndOfGeneration(token)) {
                doneReason = "stop";
                break;
            }
            sampler.accept(token);
            if (count == generated.length) {
                generated = Arrays.copyOf(generated, count * 2);
            }
            generated[count++] = token;
            emit(text, stops.push(decoder.append(token)));
            if (stops.stopped()) {
                doneReason = "stop";
                break;
            }
            if (request.maxTokens() >= 0 && count >= request.maxTokens()) {
                break;
            }
            if (sequence.length() >= sequence.contextLength()) {
                if (!request.contextShift() || !shift(sequence, request.keepTokens())) {
                    break; // the context is full: "length"
                }
            }
            logits = model.forward(sequence, token);
        }
        if (!stops.stopped()) {
            emit(text, stops.push(decoder.flush()));
            emit(text, stops.flush());
        }
        return new GenerationResult(doneReason, prompt.length, promptNanos, count, System.nanoTime() - generationStart,
                Arrays.copyOf(generated, count));
    }

    /** Reuses the longest cached prefix (always recomputing the last prompt token, whose logits are needed). */
    private float[] feedPrompt(Sequence sequence, int[] prompt) {
        int reusable = sequence.commonPrefixLength(prompt, prompt.length - 1);
        sequence.truncate(reusable);
        return model.forward(sequence, prompt, reusable, prompt.length);
    }

    /**
     * Makes room by dropping half of the tokens after the kept head and recomputing the rest at their new positions
     * (simpler than re-rotating cached keys, and exact). False when nothing can be dropped.
     */
    private boolean shift(Sequence sequence, int keep) {
        int length = sequence.length();
        int discard = (length - keep) / 2;
        if (keep < 0 || discard <= 0) {
            return false;
        }
        int[] tail = sequence.tokens(keep + discard, length);
        sequence.truncate(keep);
        if (tail.length > 0) {
            model.forward(sequence, tail, 0, tail.length);
        }
        return true;
    }

    private static void emit(Consumer<String> text, String piece) {
        if (!piece.isEmpty()) {
            text.accept(piece);
        }
    }
}
