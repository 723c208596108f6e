package dev.jollama.engine.bench;

import dev.jollama.engine.generation.GenerationRequest;
import dev.jollama.engine.generation.GenerationResult;
import dev.jollama.engine.generation.Generator;
import dev.jollama.engine.grammar.Grammar;
import dev.jollama.engine.grammar.GrammarConstraint;
import dev.jollama.engine.model.Model;
import dev.jollama.engine.model.Sequence;
import dev.jollama.engine.sampling.Sampler;
import dev.jollama.engine.sampling.SamplingOptions;

import java.io.PrintStream;
import java.util.List;

/**
 * The per-token cost of decoding under a grammar, against unconstrained decoding of the same tokens (forward pass and
 * unconstrained sampling per token). The same tokens matter: a model can be slower over JSON-like sequences than over
 * free text, which a comparison of two free-running generations would count against the grammar.
 */
public final class ConstrainedDecodingBench {
    private ConstrainedDecodingBench() {
    }

    /** Constrained over unconstrained time per token; one warm-up pass, then {@code runs} generations measured. */
    public static double overhead(Model model, Grammar grammar, int tokens, int runs, PrintStream out) {
        int[] prompt = model.tokenizer().encode("Answer in JSON:", true, false);
        int context = prompt.length + tokens + 1;
        Sequence sequence = model.newSequence(context);
        double ratio = 0;
        for (int pass = 0; pass < 2; pass++) {
            long free = 0, constrained = 0, generated = 0;
            for (int run = 0; run < runs; run++) {
                SamplingOptions sampling = new SamplingOptions(1.0f, 40, 0.9f, 0f, 1f, 1f, 64, 0f, 0f, run);
                GenerationResult result = new Generator(model).generate(sequence, GenerationRequest.of(prompt, sampling, tokens, List.of())
                        .withConstraint(new GrammarConstraint(grammar, model.tokenizer())), (t, l) -> { }, () -> false);
                constrained += result.generationNanos();
                free += unconstrainedDecoding(model, prompt, context, sampling, result.generatedTokenIds());
                generated += result.generatedTokens();
            }
            ratio = (double) constrained / free;
            if (pass == 1) {
                out.printf("format: %d tokens, unconstrained %.3f ms/token, constrained %.3f ms/token, overhead %+.1f%%%n",
                        generated, free / 1e6 / generated, constrained / 1e6 / generated, (ratio - 1) * 100);
            }
        }
        return ratio;
    }

    /** Nanoseconds to sample (unconstrained) and feed each of the tokens, as the generator's loop does. */
    private static long unconstrainedDecoding(Model model, int[] prompt, int context, SamplingOptions sampling, int[] tokens) {
        Sequence sequence = model.newSequence(context);
        float[] logits = model.forward(sequence, prompt, 0, prompt.length);
        Sampler sampler = new Sampler(sampling, model.config().vocabularySize(), context);
        long start = System.nanoTime();
        for (int i = 0; i < tokens.length; i++) {
            sampler.sample(logits);
            sampler.accept(tokens[i]);
            if (i + 1 < tokens.length) { // the generator does not feed the last token either
                logits = model.steps().decode(sequence, tokens[i]); // as the generator feeds them
            }
        }
        return System.nanoTime() - start;
    }
}
