package dev.jollama.engine.grammar;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jollama.engine.SharedTestData;
import dev.jollama.engine.bench.ConstrainedDecodingBench;
import dev.jollama.engine.gguf.GgufFile;
import dev.jollama.engine.model.Model;
import dev.jollama.engine.sampling.Sampler;
import dev.jollama.engine.sampling.SamplingOptions;
import dev.jollama.engine.sampling.TokenFilter;
import dev.jollama.engine.tokenizer.Tokenizer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Per-token cost of constrained decoding against unconstrained decoding, not run by default (its name does not end
 * in Test): {@code mvn -pl engine test -Dtest=ConstrainedDecodingBenchmark}. Prints, no timed assertions.
 */
class ConstrainedDecodingBenchmark {
    private static final int TOKENS = 256;
    private static final int RUNS = 12;

    @Test
    void overheadPerToken() throws Exception {
        for (String modelFile : List.of("syn-llama-q8_0.gguf", "syn-qwen2-gpt2-q8_0.gguf")) {
            try (Model model = Model.load(SharedTestData.model(modelFile))) {
                endToEnd(model, modelFile);
            }
        }
        for (String vocabulary : List.of("llama-spm", "gpt-2")) {
            try (GgufFile file = GgufFile.open(SharedTestData.root().resolve("tokenizer/ggml-vocab-" + vocabulary + ".gguf"))) {
                grammarWork(Tokenizer.fromGguf(file), vocabulary, JsonGrammar.object(), "format json");
                grammarWork(Tokenizer.fromGguf(file), vocabulary, schema(), "schema 3");
            }
        }
    }

    private static Grammar schema() throws Exception {
        return JsonSchemaCompiler.compile(new ObjectMapper().readValue(JsonSchemaAcceptanceTest.SCHEMAS.get(2).replace('\'', '"'), Object.class), JsonSchemaCompilerTest.STRICT);
    }

    /** Whole generations under format json and under a schema, each against unconstrained decoding of the same tokens. */
    private static void endToEnd(Model model, String modelFile) throws Exception {
        System.out.printf("%s (vocabulary %d)%n", modelFile, model.config().vocabularySize());
        ConstrainedDecodingBench.overhead(model, JsonGrammar.object(), TOKENS, RUNS / 2, System.out);
        ConstrainedDecodingBench.overhead(model, schema(), TOKENS, RUNS / 2, System.out);
    }

    /**
     * The grammar's own work per token on a vocabulary, apart from any model: random logits are sampled first, the
     * token checked, and on rejection the whole vocabulary masked and the best allowed token taken (as the sampler
     * would), then the constraint advanced.
     */
    private static void grammarWork(Tokenizer tokenizer, String vocabularyName, Grammar grammar, String grammarName) {
        int vocabulary = tokenizer.vocabularySize();
        float[] logits = new float[vocabulary];
        SplittableRandom random = new SplittableRandom(1);
        for (int pass = 0; pass < 2; pass++) {
            long sample = 0;
            long check = 0;
            long mask = 0;
            long maskWorst = 0;
            int masks = 0;
            int tokens = 0;
            for (int run = 0; run < 20; run++) {
                GrammarConstraint constraint = new GrammarConstraint(grammar, tokenizer);
                Sampler sampler = new Sampler(new SamplingOptions(1.0f, 40, 0.9f, 0f, 1f, 1f, 64, 0f, 0f, run), vocabulary, 4096);
                for (int i = 0; i < 300 && !constraint.isFinished(); i++) {
                    for (int t = 0; t < vocabulary; t++) {
                        logits[t] = (float) random.nextGaussian() * 3;
                    }
                    long t0 = System.nanoTime();
                    int token = sampler.sample(logits);
                    long t1 = System.nanoTime();
                    boolean allowed = constraint.allows(token);
                    long t2 = System.nanoTime();
                    sample += t1 - t0;
                    check += t2 - t1;
                    if (!allowed) {
                        TokenFilter filter = constraint.forEveryToken();
                        long took = System.nanoTime() - t2;
                        mask += took;
                        maskWorst = Math.max(maskWorst, took);
                        masks++;
                        token = bestAllowed(logits, filter, tokenizer);
                    }
                    if (tokenizer.isEndOfGeneration(token)) {
                        break;
                    }
                    constraint.accept(token);
                    tokens++;
                }
            }
            if (pass == 1) {
                System.out.printf("%s vocabulary (%d), %s: sampling %.3f ms/token; grammar: check %.4f ms/token, mask %.3f ms average"
                                + " (worst %.3f) on %d of %d tokens, so %.3f ms/token%n", vocabularyName, vocabulary, grammarName,
                        sample / 1e6 / tokens, check / 1e6 / tokens, mask / 1e6 / Math.max(1, masks), maskWorst / 1e6, masks, tokens,
                        (check + mask) / 1e6 / tokens);
            }
        }
    }

    private static int bestAllowed(float[] logits, TokenFilter filter, Tokenizer tokenizer) {
        int best = -1;
        for (int t = 0; t < logits.length; t++) {
            if (filter.allows(t) && (best < 0 || logits[t] > logits[best])) {
                best = t;
            }
        }
        return best;
    }
}
