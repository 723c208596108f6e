package dev.jollama.engine.model;

import dev.jollama.engine.SharedTestData;
import dev.jollama.engine.kvcache.KvCacheType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Decode steps of several sequences go through the model together: one pass whose rows are the sequences, each at
 * its own position and attending over its own cache, gives each the logits it gets alone (up to float rounding), and
 * threads decoding at the same time share steps and get the tokens they get one after another.
 */
class ParallelDecodeTest {

    @ParameterizedTest
    @ValueSource(strings = {"syn-llama-f32.gguf", "syn-llama-q8_0.gguf", "syn-llama-q4_k_m.gguf", "syn-qwen2-q8_0.gguf",
            "syn-qwen3-q4_k_m.gguf", "syn-gemma3-q8_0.gguf", "syn-gemma2-q8_0.gguf",
            "syn-granite-q8_0.gguf", "syn-olmo2-q8_0.gguf", "syn-smollm3-q8_0.gguf", "syn-phi3-q8_0.gguf", "syn-qwen3moe-q8_0.gguf",
            "syn-gptoss-f32.gguf"})
    void aPassOverSeveralSequencesGivesEachItsOwnLogits(String modelName) {
        // An f32 cache, as in BatchedPromptTest: an f16 one rounds keys and values, and a last-bit difference between
        // the kernels of a batch and of a single row can flip a rounding (or a router's near-tie) past this bound.
        try (Model model = Model.load(SharedTestData.model(modelName), new Model.Options(0, KvCacheType.F32, Model.Options.DEFAULT.sequences(), 0))) {
            Random random = new Random(11);
            int vocabulary = model.tokenizer().vocabularySize();
            // Five sequences, so the products take the tile kernels (blocks of four) and the decode kernels (the
            // fifth); prompt lengths on both sides of Gemma's 16-token sliding window.
            int[] lengths = {5, 23, 40, 9, 31};
            Sequence[] alone = new Sequence[lengths.length], together = new Sequence[lengths.length];
            int[] next = new int[lengths.length];
            for (int i = 0; i < lengths.length; i++) {
                int[] prompt = random.ints(lengths[i], 1, vocabulary).toArray();
                alone[i] = model.newSequence(64);
                together[i] = model.newSequence(64);
                model.forward(alone[i], prompt, 0, prompt.length);
                model.forward(together[i], prompt, 0, prompt.length);
                next[i] = random.nextInt(1, vocabulary);
            }
            Batch batch = new Batch(together.length);
            for (int i = 0; i < together.length; i++) {
                batch.add(together[i], next[i], Batch.Output.LOGITS);
            }
            model.forward(batch);
            for (int i = 0; i < lengths.length; i++) {
                float[] expected = model.forward(alone[i], next[i]);
                float[] actual = together[i].logits();
                LogitAssertions.assertClose(expected, actual, "together " + modelName + ", sequence " + i, modelName);
                assertThat(together[i].length()).isEqualTo(lengths[i] + 1);
                assertThat(together[i].tokens(lengths[i], lengths[i] + 1)).containsExactly(next[i]);
            }
        }
    }

    @Test
    void threadsDecodingAtOnceSharePassesAndGetTheirOwnTokens() throws Exception {
        try (Model model = Model.load(SharedTestData.model("stories260K.gguf"));
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            String[] prompts = {"Once upon a time", "The little dog", "One day, Lily went"};
            List<int[]> expected = new ArrayList<>();
            for (String prompt : prompts) {
                expected.add(greedy(model, prompt, null));
            }
            long sharedBefore = model.steps().sharedSteps();
            CountDownLatch start = new CountDownLatch(1);
            List<Future<int[]>> results = new ArrayList<>();
            for (String prompt : prompts) {
                results.add(threads.submit(() -> greedy(model, prompt, start)));
            }
            start.countDown();
            for (int i = 0; i < prompts.length; i++) {
                assertThat(results.get(i).get(60, TimeUnit.SECONDS)).as(prompts[i]).isEqualTo(expected.get(i));
            }
            assertThat(model.steps().sharedSteps() - sharedBefore).as("steps shared by several sequences").isPositive();
        }
    }

    /** 40 greedy tokens after the prompt; with a latch, the decoding waits for it. */
    private static int[] greedy(Model model, String prompt, CountDownLatch start) throws InterruptedException {
        int[] tokens = model.tokenizer().encode(prompt, true, false);
        Sequence s = model.newSequence(tokens.length + 41);
        float[] logits = model.forward(s, tokens, 0, tokens.length);
        if (start != null) {
            start.await();
        }
        int[] generated = new int[40];
        for (int i = 0; i < generated.length; i++) {
            int best = 0;
            for (int k = 1; k < logits.length; k++) {
                if (logits[k] > logits[best]) {
                    best = k;
                }
            }
            generated[i] = best;
            logits = model.steps().decode(s, best);
        }
        return generated;
    }
}
